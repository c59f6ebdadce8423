import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { BridgeError } from '../../src/ipc/bridge';
import { CONTRACT_NAMES } from '../../src/ipc/contract';
import { installBrowserBridge } from '../../src/web/browser-bridge';
import { startBrowserHost, type BrowserHost } from '../../src/web/browser-host';
import { startTestHost, type TestHost } from '../support/browser-host';
import { tempDir } from '../support/temp';

const ADMIN = { username: 'admin', displayName: 'Ada Admin', password: 'admin password 1' };
const CLIENT = 'page-0123456789abcdef';

/** A renderer folder with a file beside it that must never be served. */
function fakeRenderer(): string {
  const root = tempDir('blos-renderer-');
  const dir = path.join(root, 'renderer');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>BLOS</title><script type="module" src="app.js"></script>');
  fs.writeFileSync(path.join(dir, 'app.js'), 'console.log("app")');
  fs.writeFileSync(path.join(root, 'secret.js'), 'not for the browser');
  fs.symlinkSync(path.join(root, 'secret.js'), path.join(dir, 'linked.js'));
  return dir;
}

/** A raw request: the path is sent exactly as written (fetch would normalise `..`). */
function raw(host: BrowserHost, options: { path: string; method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: host.port, path: options.path, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

function api(host: BrowserHost, name: string, input: unknown, headers: Record<string, string> = {}) {
  return fetch(`${host.origin}/api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-blos-token': host.token, 'x-blos-client': CLIENT, ...headers },
    body: JSON.stringify(input ?? null),
  });
}

let host: BrowserHost;
beforeAll(async () => {
  host = await startBrowserHost({
    dataDir: tempDir('blos-web-'),
    env: {},
    rendererDir: fakeRenderer(),
    testOverrides: { accountPolicy: { bcryptCost: 4 } },
    log: () => {},
  });
});
afterAll(() => host.close());

describe('the browser host', () => {
  it('listens on loopback only and prints the URL with the token in the fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${host.token}`);
    expect(host.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves index.html under a strict CSP', async () => {
    const response = await fetch(`${host.origin}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp.split('; ')).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('<title>BLOS</title>');
  });

  it('refuses API calls without the token (401) or with a wrong one (403)', async () => {
    const missing = await raw(host, { path: '/api/session.status', method: 'POST', headers: { 'content-type': 'application/json', 'x-blos-client': CLIENT } });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual({ ok: false, error: { code: 'unauthenticated', message: 'The page token is missing.' } });
    const wrong = await api(host, 'session.status', null, { 'x-blos-token': 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const right = await api(host, 'session.status', null);
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ ok: true, value: { firstRun: true, account: null, idleTimeoutMs: 1_800_000 } });
  });

  it('refuses other origins and other host names (DNS rebinding)', async () => {
    expect((await api(host, 'session.status', null, { origin: 'http://evil.example' })).status).toBe(403);
    const rebound = await raw(host, { path: '/', headers: { host: `evil.example:${host.port}` } });
    expect(rebound.status).toBe(421);
  });

  it('refuses malformed requests at the transport: method, content type, JSON, client id', async () => {
    expect((await fetch(`${host.origin}/api/session.status`)).status).toBe(405);
    expect((await api(host, 'session.status', null, { 'content-type': 'text/plain' })).status).toBe(415);
    const badJson = await raw(host, {
      path: '/api/session.status',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-blos-token': host.token, 'x-blos-client': CLIENT },
      body: '{"oops',
    });
    expect([badJson.status, JSON.parse(badJson.body).error.code]).toEqual([400, 'invalid_input']);
    expect((await api(host, 'session.status', null, { 'x-blos-client': 'short' })).status).toBe(400);
  });

  it('runs a call round trip: first-run admin, a household created and listed', async () => {
    const setup = await (await api(host, 'session.setupAdmin', ADMIN)).json();
    expect(setup).toMatchObject({ ok: true, value: { account: { username: 'admin', role: 'admin' }, recoveryCode: expect.stringMatching(/^(\w{5}-){4}\w{5}$/) } });
    const created = await (await api(host, 'records.create', { table: 'households', values: { area: 'North', headName: 'Amina' } })).json();
    expect(created).toMatchObject({ ok: true, value: { area: 'North', headName: 'Amina' } });
    const listed = await (await api(host, 'records.list', { table: 'households' })).json();
    expect(listed.value.items.map((r: { id: string }) => r.id)).toEqual([created.value.id]);
    // Another page (another client id) shares the token but not the session.
    const other = await (await api(host, 'records.list', { table: 'households' }, { 'x-blos-client': 'page-fedcba9876543210' })).json();
    expect(other).toEqual({ ok: false, error: { code: 'unauthenticated', message: 'Please sign in first.' } });
  });

  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E%2Fsecret.js',
    '/..%2fsecret.js',
    '/..%5csecret.js',
    '/%2e%2e%5csecret.js',
    '/app.js%00.html',
    '/linked.js',
    '/%ff',
    '//etc/passwd',
    '/etc/passwd',
  ])('refuses to serve %s', async (target) => {
    const response = await raw(host, { path: target });
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('not for the browser');
    expect(response.body).not.toContain('"name"');
  });

  it('offers a finished export once, at an address only its page was told, as an attachment', async () => {
    const started = await (await api(host, 'exports.start', { kind: 'households', query: {} })).json();
    expect(started).toMatchObject({ ok: true, value: { savedTo: null, download: null } });
    let status = started.value;
    while (status.state !== 'done') status = (await (await api(host, 'exports.status', { id: status.id })).json()).value;
    expect(status.download).toMatch(/^\/downloads\/[A-Za-z0-9_-]{32}\/households-\d{4}-\d\d-\d\d\.csv$/);

    const guessed = status.download.replace(/\/downloads\/[^/]+/, '/downloads/' + 'a'.repeat(32));
    for (const target of [guessed, status.download.replace(/[^/]+$/, '..%2F..%2Fpackage.json'), status.download.replace(/[^/]+$/, '')]) {
      expect({ target, status: (await raw(host, { path: target })).status }).toEqual({ target, status: 404 });
    }
    const served = await raw(host, { path: status.download });
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(served.headers['content-disposition']).toMatch(/^attachment; filename="households-[\d-]+\.csv"/);
    expect(served.body).toMatch(/^\uFEFFHousehold ID,.*\r\n.+,North,,Amina,/);
    expect((await raw(host, { path: status.download })).status).toBe(404);
  });

  it('serves the files of the renderer folder', async () => {
    const response = await raw(host, { path: '/app.js' });
    expect([response.status, response.headers['content-type'], response.body]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log("app")']);
  });
});

describe('the browser bridge', () => {
  const globals = globalThis as unknown as { window?: unknown };
  afterEach(() => delete globals.window);

  /** A stand-in for the page's `window`: its address, and nothing installed yet. */
  function page(url: string) {
    const win = { location: new URL(url) } as unknown as Window;
    globals.window = win;
    installBrowserBridge();
    return win;
  }

  it('installs window.blos with exactly the contract names, calling the host over HTTP', async () => {
    const win = page(host.url);
    expect(Object.keys(win.blos!).sort()).toEqual([...CONTRACT_NAMES].sort());
    await expect(win.blos!['app.about']()).resolves.toMatchObject({ update: { state: 'disabled' } });
  });

  it('gives each page its own session', async () => {
    const first = page(host.url);
    await first.blos!['session.login']({ username: ADMIN.username, password: ADMIN.password });
    const second = page(host.url);
    expect((await first.blos!['session.status']()).account?.username).toBe('admin');
    expect((await second.blos!['session.status']()).account).toBeNull();
  });

  it('throws BridgeError with the fields of a refused input', async () => {
    const win = page(host.url);
    await win.blos!['session.login']({ username: ADMIN.username, password: ADMIN.password });
    const error = await win.blos!['records.create']({ table: 'households', values: { area: '' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'invalid_input', fields: { 'values.area': 'required' } });
  });

  it('says so when the page has no valid token', async () => {
    const win = page(`${host.origin}/#token=wrong`);
    const error = await win.blos!['session.status']().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'failed', message: expect.stringMatching(/not authorised/) });
  });

  it('leaves an object installed by the Electron preload alone', () => {
    const preloaded = { blos: { marker: true }, location: new URL(host.url) };
    globals.window = preloaded;
    installBrowserBridge();
    expect(preloaded.blos).toEqual({ marker: true });
  });
});

describe('the test host', () => {
  let testHost: TestHost;
  afterAll(() => testHost?.close());

  it('serves the real built renderer', async () => {
    testHost = await startTestHost({ accountPolicy: { bcryptCost: 4 } });
    const index = await (await fetch(`${testHost.origin}/`)).text();
    expect(index).toMatch(/<script[^>]+src="[^"]*app\.js"/);
    const bundle = await fetch(`${testHost.origin}/app.js`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toContain('x-blos-token');
  });
});
