import { APP_ENTRY_URL, APP_ORIGIN, isAppUrl } from '../../src/electron/app-origin';
import { CONTENT_SECURITY_POLICY } from '../../src/electron/content-security-policy';
import { externalUrlToOpen, isNavigationAllowed, isTrustedIpcSender, type IpcSenderLike } from '../../src/electron/guards';
import { mainWindowOptions } from '../../src/electron/window-options';

describe('the main window options (Electron security checklist)', () => {
  const options = mainWindowOptions('/app/dist/preload.js', { devTools: false });
  const prefs = options.webPreferences!;

  it('isolates the renderer: context isolation, sandbox, no Node in the page, workers or subframes', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
    });
  });

  it('keeps web security on, refuses insecure content and the <webview> tag', () => {
    expect(prefs).toMatchObject({ webSecurity: true, allowRunningInsecureContent: false, webviewTag: false, experimentalFeatures: false });
  });

  it('makes no network request of its own: no downloaded spellcheck dictionaries', () => {
    expect(prefs.spellcheck).toBe(false);
  });

  it('loads the bundled preload and hides the window until its first paint', () => {
    expect(prefs.preload).toBe('/app/dist/preload.js');
    expect(options.show).toBe(false);
  });

  it('offers developer tools only when asked (unpackaged runs)', () => {
    expect(prefs.devTools).toBe(false);
    expect(mainWindowOptions('/p.js', { devTools: true }).webPreferences!.devTools).toBe(true);
  });
});

describe('the Content-Security-Policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name!, sources];
    }),
  );

  it("allows scripts only from the app's own files: no eval, no inline code, no foreign hosts", () => {
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|unsafe-inline|\*|https?:/);
  });

  it('denies by default and forbids plugins, frames, base rewriting and form posts', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    for (const name of ['object-src', 'frame-src', 'base-uri', 'form-action', 'frame-ancestors']) {
      expect(directives.get(name)).toEqual(["'none'"]);
    }
  });
});

describe('navigation', () => {
  it('allows only pages of app://blos', () => {
    expect(isNavigationAllowed(APP_ENTRY_URL)).toBe(true);
    expect(isNavigationAllowed(`${APP_ORIGIN}/records?id=1#top`)).toBe(true);
  });

  it.each([
    ['another https origin', 'https://evil.example/'],
    ['plain http', 'http://127.0.0.1:8787/'],
    ['a local file', 'file:///etc/passwd'],
    ['another app:// host', 'app://other/index.html'],
    ['app://blos with a port', 'app://blos:8080/index.html'],
    ['app://blos with credentials', 'app://user:pw@blos/index.html'],
    ['a look-alike host', 'app://blos.evil.example/index.html'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['about:blank', 'about:blank'],
    ['not a URL', 'index.html'],
  ])('refuses %s', (_label, url) => {
    expect(isNavigationAllowed(url)).toBe(false);
    expect(isAppUrl(url)).toBe(false);
  });
});

describe('links that ask for a new window', () => {
  const allowed = ['help.example.org', 'Docs.Example.org'];

  it('go to the system browser only for https on an allow-listed host (any letter case)', () => {
    expect(externalUrlToOpen('https://help.example.org/guide?x=1', allowed)).toBe('https://help.example.org/guide?x=1');
    expect(externalUrlToOpen('https://DOCS.example.org/', allowed)).toBe('https://docs.example.org/');
  });

  it.each([
    ['plain http to an allowed host', 'http://help.example.org/'],
    ['a host not on the list', 'https://evil.example/'],
    ['a sub-domain of an allowed host', 'https://x.help.example.org/'],
    ['an allowed name used as user info', 'https://help.example.org@evil.example/'],
    ['credentials in the URL', 'https://user:pw@help.example.org/'],
    ['a non-default port', 'https://help.example.org:8443/'],
    ['file:', 'file:///C:/Windows/System32/calc.exe'],
    ['a custom protocol handler', 'ms-msdt:/id PCWDiagnostic'],
    ['javascript:', 'javascript:alert(1)'],
    ['our own origin', APP_ENTRY_URL],
    ['not a URL', 'help.example.org'],
  ])('are dropped for %s', (_label, url) => {
    expect(externalUrlToOpen(url, allowed)).toBeNull();
  });

  it('are all dropped when the allow-list is empty', () => {
    expect(externalUrlToOpen('https://help.example.org/', [])).toBeNull();
  });
});

describe('IPC sender validation', () => {
  const WINDOW_ID = 7;
  const mainFrame = (url: string) => ({ url, parent: null });
  const event = (senderId: number, senderFrame: IpcSenderLike['senderFrame']): IpcSenderLike => ({ sender: { id: senderId }, senderFrame });

  it("accepts the main frame of our window showing an app://blos page", () => {
    expect(isTrustedIpcSender(event(WINDOW_ID, mainFrame(APP_ENTRY_URL)), WINDOW_ID)).toBe(true);
  });

  it.each([
    ['a foreign origin loaded in our window', event(WINDOW_ID, mainFrame('https://evil.example/'))],
    ['a file:// page in our window', event(WINDOW_ID, mainFrame('file:///tmp/x.html'))],
    ['an http page in our window', event(WINDOW_ID, mainFrame('http://127.0.0.1:5173/'))],
    ['a subframe, even of our origin', event(WINDOW_ID, { url: APP_ENTRY_URL, parent: mainFrame(APP_ENTRY_URL) })],
    ['a frame that is already gone', event(WINDOW_ID, null)],
    ['another webContents with our origin', event(WINDOW_ID + 1, mainFrame(APP_ENTRY_URL))],
  ])('refuses %s', (_label, ipcEvent) => {
    expect(isTrustedIpcSender(ipcEvent, WINDOW_ID)).toBe(false);
  });

  it('refuses every sender while there is no window', () => {
    expect(isTrustedIpcSender(event(WINDOW_ID, mainFrame(APP_ENTRY_URL)), null)).toBe(false);
  });
});
