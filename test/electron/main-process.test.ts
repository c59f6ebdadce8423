import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../src/electron/content-security-policy';
import type { CallResult } from '../../src/ipc/bridge';
import { eventually } from '../support/eventually';
import { tempDir } from '../support/temp';
import { FakeOsUpdater } from '../support/fake-os-updater';
import { createFakeElectron, type QuitEvent } from './fake-electron';

/**
 * Runs the real main process (src/electron/main.ts) and the real core on a temp user-data folder,
 * with a stand-in for the Electron binary. Each test starts a fresh copy of the module.
 */
type Fake = ReturnType<typeof createFakeElectron>;
const running: Fake[] = [];

interface StartOptions {
  gotLock?: boolean;
  env?: Record<string, string>;
  /** A packaged app with this stand-in for electron-updater's autoUpdater (the OS updater). */
  packagedWithUpdater?: EventEmitter;
  keychainBackend?: 'gnome_libsecret' | 'basic_text' | 'unavailable';
  /** Whether the packaged app was built with an update feed (resources/app-update.yml); default true. */
  bakedFeed?: boolean;
  /** The user-data .env, written before the start. */
  userEnv?: string;
}

/** The resources folder of a packaged app: app.asar's parent, with app-update.yml when built with a feed. */
function packagedAppPath(bakedFeed: boolean): string {
  const resources = tempDir('blos-resources-');
  if (bakedFeed) fs.writeFileSync(path.join(resources, 'app-update.yml'), 'provider: generic\nurl: https://updates.example.org/blos\n');
  return path.join(resources, 'app.asar');
}

async function startMain(options: StartOptions = {}): Promise<Fake & { userData: string }> {
  const userData = path.join(tempDir('blos-main-'), 'BLOS Desktop');
  if (options.userEnv !== undefined) {
    fs.mkdirSync(userData, { recursive: true });
    fs.writeFileSync(path.join(userData, '.env'), options.userEnv);
  }
  const packaged = Boolean(options.packagedWithUpdater);
  const fake = createFakeElectron({
    userData,
    gotLock: options.gotLock,
    isPackaged: packaged,
    keychainBackend: options.keychainBackend,
    ...(packaged ? { appPath: packagedAppPath(options.bakedFeed ?? true) } : {}),
  });
  const savedEnv = { ...process.env };
  Object.assign(process.env, options.packagedWithUpdater ? { NODE_ENV: 'production' } : { BLOS_DISABLE_UPDATES: '1' }, options.env);
  try {
    jest.isolateModules(() => {
      jest.doMock('electron', () => fake.electron);
      // Only constructed when updates are enabled; mocked so nothing of electron-updater loads in Node.
      jest.doMock('electron-updater', () => ({ autoUpdater: options.packagedWithUpdater ?? null }));
      require('../../src/electron/main');
    });
    if (options.gotLock !== false) {
      await eventually(() => fake.state.windows.length > 0 || fake.state.errorBoxes.length > 0, { what: 'the window or an error' });
    }
  } finally {
    process.env = savedEnv;
  }
  running.push(fake);
  return { ...fake, userData };
}

function invoke(fake: Fake, event: unknown, name: string, input?: unknown): Promise<CallResult> {
  const handler = fake.state.ipcHandlers.get('blos:call');
  if (!handler) throw new Error('no blos:call handler');
  // Like ipcMain.handle: a handler that throws becomes a rejected invoke in the renderer.
  return new Promise((resolve) => resolve(handler(event, name, input) as CallResult));
}

const fromWindow = (fake: Fake, url = 'app://blos/index.html', parent: unknown = null) => ({
  sender: { id: fake.state.windows[0]!.webContents.id },
  senderFrame: { url, parent },
});

/** The OS updater stand-in, finding version 10.0.0 on every check. */
function osUpdaterWithUpdate(): FakeOsUpdater {
  const updater = new FakeOsUpdater();
  updater.checkBehaviour = async () => {
    updater.emit('update-available', { version: '10.0.0' });
    return null;
  };
  return updater;
}

function quitRequest(): QuitEvent {
  return {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

afterEach(async () => {
  // Close every core this test started, the way the app does on quit.
  for (const fake of running.splice(0)) {
    if (!fake.state.quitCompleted && fake.state.errorBoxes.length === 0) {
      fake.app.quit();
      await eventually(() => fake.state.quitCompleted, { what: 'the quit' });
    }
  }
});

describe('the main process, started with a stand-in Electron', () => {
  it('registers app:// as a standard, secure scheme and opens one window on app://blos with the hardened options', async () => {
    const { state } = await startMain();
    expect(state.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(state.windows).toHaveLength(1);
    const window = state.windows[0]!;
    expect(window.url).toBe('app://blos/index.html');
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(window.options.webPreferences?.preload)).toMatch(/preload\.js$/);
  });

  it('keeps its data in the user-data folder: the database, logs and backups', async () => {
    const { userData, state } = await startMain();
    expect(state.errorBoxes).toEqual([]);
    expect(fs.existsSync(path.join(userData, 'blos.db'))).toBe(true);
    expect(fs.readFileSync(path.join(userData, 'logs', 'main.log'), 'utf8')).toContain('starting 9.9.9');
    expect(fs.statSync(path.join(userData, 'backups')).isDirectory()).toBe(true);
  });

  it('serves app:// through the path resolver, with the CSP header', async () => {
    const { state } = await startMain();
    const response = await state.protocolHandlers.get('app')!({ url: 'app://blos/..%2f..%2fpackage.json' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it("passes a call from its window's top frame to the core and refuses subframes and foreign pages", async () => {
    const fake = await startMain();
    await expect(invoke(fake, fromWindow(fake), 'session.status')).resolves.toMatchObject({ ok: true, value: { firstRun: true } });
    await expect(invoke(fake, fromWindow(fake, 'https://evil.example/'), 'session.status')).rejects.toThrow(/may not use/);
    await expect(invoke(fake, fromWindow(fake, 'app://blos/index.html', {}), 'session.status')).rejects.toThrow(/may not use/);
    await expect(invoke(fake, { sender: { id: 999 }, senderFrame: { url: 'app://blos/', parent: null } }, 'session.status')).rejects.toThrow();
    expect(fs.readFileSync(path.join(fake.userData, 'logs', 'main.log'), 'utf8')).toContain('refused an IPC call from https://evil.example/');
  });

  it('lets the core validate names and input: an unknown call is refused, not thrown', async () => {
    const fake = await startMain();
    await expect(invoke(fake, fromWindow(fake), 'fs.readFile', { path: '/etc/passwd' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('blocks navigation away from app://blos and every new window, opening only allow-listed links outside', async () => {
    const { state } = await startMain({ env: { BLOS_EXTERNAL_HOSTS: 'help.example.org' } });
    const contents = state.windows[0]!.webContents;
    const away = { url: 'https://evil.example/', prevented: false, preventDefault() { this.prevented = true; } };
    const inside = { url: 'app://blos/index.html#/records', prevented: false, preventDefault() { this.prevented = true; } };
    contents.emit('will-frame-navigate', away);
    contents.emit('will-frame-navigate', inside);
    expect([away.prevented, inside.prevented]).toEqual([true, false]);
    expect(contents.windowOpenHandler!({ url: 'https://help.example.org/guide' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    await eventually(() => state.openedExternally.length > 0, { what: 'openExternal' });
    expect(state.openedExternally).toEqual(['https://help.example.org/guide']);
  });

  it('denies every permission a page asks for', async () => {
    const { state } = await startMain();
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'openExternal']) {
      state.permissionRequestHandler!({}, permission, (granted) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false]);
    expect(state.permissionCheckHandler!({}, 'media', 'app://blos', {})).toBe(false);
    // Devices (USB, serial, HID, Bluetooth) too.
    expect(state.devicePermissionHandler!({ deviceType: 'usb', origin: 'app://blos' })).toBe(false);
  });

  it('keeps the database key wrapped by the OS keychain, never in a file beside the database', async () => {
    const { userData, state } = await startMain();
    const file = path.join(userData, 'blos.db');
    expect([fs.existsSync(`${file}.key`), state.keychain.length]).toEqual([false, 1]);
    expect(fs.readFileSync(file).subarray(0, 15).toString()).not.toBe('SQLite format 3');
    expect(fs.readFileSync(`${file}.keyring.json`, 'utf8')).not.toContain(state.keychain[0]);
  });

  it.each(['basic_text', 'unavailable'] as const)('with a keychain that protects nothing (%s), keeps the key in an owner-only key file and says so', async (backend) => {
    const { userData, state } = await startMain({ keychainBackend: backend });
    expect([state.errorBoxes, state.keychain]).toEqual([[], []]);
    expect(fs.statSync(path.join(userData, 'blos.db.key')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(userData, 'logs', 'main.log'), 'utf8')).toContain('no OS keychain protects the database key here');
  });

  it('brings its window forward when a second instance starts', async () => {
    const { app, state } = await startMain();
    const window = state.windows[0]!;
    window.minimized = true;
    app.emit('second-instance', {}, [], process.cwd());
    expect(window).toMatchObject({ minimized: false, shown: true, focused: true });
  });

  it('quits at once without touching the database when another instance holds the lock', async () => {
    const { state, userData } = await startMain({ gotLock: false });
    expect(state.quits).toBe(1);
    expect(state.windows).toEqual([]);
    expect(fs.existsSync(path.join(userData, 'blos.db'))).toBe(false);
  });

  it('on quit closes the core once (sync stopped, database closed), then quits', async () => {
    const fake = await startMain();
    const first = quitRequest();
    fake.app.emit('before-quit', first);
    expect(first.prevented).toBe(true);
    await eventually(() => fake.state.quitCompleted, { what: 'the quit' });
    expect(fake.state.quits).toBe(1);
    expect(fs.readFileSync(path.join(fake.userData, 'logs', 'main.log'), 'utf8')).toContain('core closed');
    // The core refuses new work once closed.
    await expect(invoke(fake, fromWindow(fake), 'session.status')).resolves.toMatchObject({ ok: false, error: { code: 'failed' } });
  });

  it('ends the session of a window when its contents are destroyed', async () => {
    const fake = await startMain();
    const setup = await invoke(fake, fromWindow(fake), 'session.setupAdmin', {
      username: 'admin',
      displayName: 'Admin',
      password: 'correct horse battery staple',
    });
    expect(setup).toMatchObject({ ok: true });
    await expect(invoke(fake, fromWindow(fake), 'session.status')).resolves.toMatchObject({ value: { account: { username: 'admin' } } });
    fake.state.windows[0]!.webContents.emit('destroyed');
    await expect(invoke(fake, fromWindow(fake), 'session.status')).resolves.toMatchObject({ value: { account: null } });
  });

  it("exports to the file chosen in the window's save dialog; a cancelled dialog saves nothing", async () => {
    const fake = await startMain();
    const call = (name: string, input?: unknown) => invoke(fake, fromWindow(fake), name, input);
    await call('session.setupAdmin', { username: 'admin', displayName: 'Admin', password: 'correct horse battery staple' });
    await call('records.create', { table: 'households', values: { area: 'North', headName: 'Amina Bello' } });
    const query = { kind: 'households', query: { search: 'amina' } };
    await expect(call('exports.start', query)).resolves.toEqual({ ok: true, value: null });

    const file = path.join(tempDir('blos-main-export-'), 'amina.csv');
    fake.state.saveDialogAnswer = file;
    const started = await call('exports.start', query);
    expect(fake.state.saveDialogs.at(-1)).toEqual({ window: fake.state.windows[0], defaultPath: expect.stringMatching(/^households-\d{4}-\d\d-\d\d\.csv$/) });
    const id = (started as { value: { id: string } }).value.id;
    await eventually(async () => expect(await call('exports.status', { id })).toMatchObject({ value: { state: 'done', savedTo: file, rows: 1 } }));
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^\uFEFFHousehold ID,.*\r\n[^,]+,North,,Amina Bello,/);
  });

  it('shows what is wrong and exits when the configuration is invalid', async () => {
    const { state } = await startMain({ env: { BLOS_EXTERNAL_HOSTS: 'https://not-a-host-name' } });
    expect(state.errorBoxes).toEqual([{ title: 'BLOS Desktop could not start', message: expect.stringContaining('BLOS_EXTERNAL_HOSTS') }]);
    expect(state.exitCode).toBe(1);
    expect(state.windows).toEqual([]);
  });

  it('reports updates as disabled when not packaged', async () => {
    const fake = await startMain();
    await expect(invoke(fake, fromWindow(fake), 'app.about')).resolves.toMatchObject({
      ok: true,
      value: { version: '9.9.9', update: { state: 'disabled', message: expect.stringMatching(/not an installed build/) } },
    });
  });

  it('when packaged with a baked-in feed, checks at start with nothing configured on the PC and shows the updater events as status', async () => {
    const updater = osUpdaterWithUpdate();
    const fake = await startMain({ packagedWithUpdater: updater });
    await eventually(() => updater.checks === 1, { what: 'the first update check' });
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: true });
    updater.emit('download-progress', { percent: 50 });
    await expect(invoke(fake, fromWindow(fake), 'app.about')).resolves.toMatchObject({
      ok: true,
      value: { update: { state: 'downloading', version: '10.0.0', progress: 50 } },
    });
    updater.emit('error', new Error('connection reset'));
    await expect(invoke(fake, fromWindow(fake), 'app.about')).resolves.toMatchObject({
      ok: true,
      value: { update: { state: 'error', message: expect.stringContaining('connection reset') } },
    });
  });

  it('when packaged without a feed, never checks and says the build has no update address', async () => {
    const updater = osUpdaterWithUpdate();
    const fake = await startMain({ packagedWithUpdater: updater, bakedFeed: false });
    await expect(invoke(fake, fromWindow(fake), 'app.about')).resolves.toMatchObject({
      value: { update: { state: 'disabled', message: expect.stringMatching(/without an update address/) } },
    });
    expect(updater.checks).toBe(0);
  });

  it('when an administrator turned updates off in the user-data .env, never checks', async () => {
    const updater = osUpdaterWithUpdate();
    const fake = await startMain({ packagedWithUpdater: updater, userEnv: 'BLOS_DISABLE_UPDATES=1\n' });
    await expect(invoke(fake, fromWindow(fake), 'app.about')).resolves.toMatchObject({
      value: { update: { state: 'disabled', turnedOff: true } },
    });
    expect(updater.checks).toBe(0);
  });
});
