import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import type { UpdaterPort, UpdateStatus } from '../../src/core';
import { startTestServer, type TestServer } from '../support/sync-server';
import { startCore, startCoreWithAccounts } from './harness';

const A = 'admin-window';
const W = 'worker-window';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('settings', () => {
  it('shows the sync settings with the API key masked', async () => {
    const h = await startCoreWithAccounts({ env: { SYNC_API_KEY: 'ab'.repeat(30) + '3f9a' } });
    const view = await h.ok(A, 'settings.get');
    expect(view).toEqual({
      serverUrl: null,
      apiKeyMasked: '••••••••3f9a',
      apiKeySet: true,
      pullIntervalMs: 30_000,
      machineId: h.core.store.machineId,
      setByEnvironment: ['apiKey'],
    });
    expect(JSON.stringify(view)).not.toContain('abab');
  });

  it('saves to the user-data .env (owner-only), applies to the sync engine at once, and is read at the next start', async () => {
    const h = await startCoreWithAccounts();
    const view = await h.ok(A, 'settings.update', { serverUrl: server.url + '/', apiKey: server.apiKey, pullIntervalMs: 45_000 });
    expect(view).toMatchObject({ serverUrl: server.url, apiKeySet: true, pullIntervalMs: 45_000, apiKeyMasked: `••••••••${server.apiKey.slice(-4)}` });
    expect(h.core.engine.status).toMatchObject({ serverUrl: server.url });
    expect(h.core.engine.status.state).not.toBe('disabled');

    const file = path.join(h.dataDir, '.env');
    expect(fs.readFileSync(file, 'utf8')).toContain(`SYNC_API_KEY="${server.apiKey}"`);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    // Changing one setting keeps the others; '' turns sync off.
    await h.ok(A, 'settings.update', { serverUrl: '' });
    expect(h.core.engine.status.state).toBe('disabled');
    expect(await h.ok(A, 'settings.get')).toMatchObject({ serverUrl: null, apiKeySet: true, pullIntervalMs: 45_000 });

    await h.ok(A, 'settings.update', { serverUrl: server.url });
    await h.core.close();
    const again = startCore({ dataDir: h.dataDir });
    expect(again.core.config).toMatchObject({ SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey, SYNC_PULL_INTERVAL_MS: 45_000 });
  });

  it('refuses bad values field by field and writes nothing', async () => {
    const h = await startCoreWithAccounts();
    const error = await h.fail(A, 'settings.update', { serverUrl: 'ftp://server', apiKey: 'not-hex', pullIntervalMs: 10 });
    expect(error.code).toBe('invalid_input');
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(['apiKey', 'pullIntervalMs', 'serverUrl']);
    expect(fs.existsSync(path.join(h.dataDir, '.env'))).toBe(false);
  });

  it('refuses to change a setting the environment fixes, saying where it comes from', async () => {
    const h = await startCoreWithAccounts({ env: { SYNC_SERVER_URL: server.url } });
    const error = await h.fail(A, 'settings.update', { serverUrl: 'http://127.0.0.1:1' });
    expect(error.fields).toEqual({ serverUrl: expect.stringContaining('SYNC_SERVER_URL') });
  });

  it('tests a connection before saving: a good key, a wrong key, nothing entered', async () => {
    const h = await startCoreWithAccounts();
    expect(await h.ok(A, 'settings.testConnection', { serverUrl: server.url, apiKey: server.apiKey })).toMatchObject({
      ok: true,
      latencyMs: expect.any(Number),
    });
    const wrong = await h.ok(A, 'settings.testConnection', { serverUrl: server.url, apiKey: 'f'.repeat(64) });
    expect(wrong).toMatchObject({ ok: false, latencyMs: null });
    expect(wrong.message).not.toContain('f'.repeat(64));
    expect(await h.ok(A, 'settings.testConnection')).toEqual({ ok: false, message: 'Enter the server URL and the API key first.', latencyMs: null });
  });

  it.each<[string, { env?: boolean }]>([
    ['saved in Settings', {}],
    ['set by the environment', { env: true }],
  ])('never sends the saved API key (%s) to a URL typed for the test: the key must be typed again', async (_label, where) => {
    const heard: Array<string | undefined> = [];
    const trap = http.createServer((request, response) => {
      heard.push(request.headers.authorization);
      response.end('{}');
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    try {
      const saved = { SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey };
      const h = await startCoreWithAccounts(where.env ? { env: saved } : {});
      if (!where.env) await h.ok(A, 'settings.update', { serverUrl: server.url, apiKey: server.apiKey });
      expect(await h.ok(A, 'settings.testConnection', { serverUrl: trapUrl })).toEqual({
        ok: false,
        message: 'Type the API key to test this server: the saved key is only sent to the saved server.',
        latencyMs: null,
      });
      expect(heard).toEqual([]);
      // The saved server still gets the saved key.
      expect(await h.ok(A, 'settings.testConnection', { serverUrl: `${server.url}/` })).toMatchObject({ ok: true });
      expect(await h.ok(A, 'settings.testConnection')).toMatchObject({ ok: true });
    } finally {
      await new Promise((resolve) => trap.close(resolve));
    }
  });

  it('refuses an http:// server on another computer, in the test and when saving, and saves nothing', async () => {
    const h = await startCoreWithAccounts();
    const advice = 'Use an https:// address: over http:// the API key and the records would cross the network readable by anyone on the way. Only this computer (localhost) may use http://.';
    for (const call of ['settings.testConnection', 'settings.update']) {
      const error = await h.fail(A, call, { serverUrl: 'http://sync.example.org', apiKey: server.apiKey });
      expect([error.code, error.fields]).toEqual(['invalid_input', { serverUrl: advice }]);
    }
    expect(fs.existsSync(path.join(h.dataDir, '.env'))).toBe(false);
  });
});

describe('sync through the contract', () => {
  it('syncs now, then shows nothing pending and no rejection', async () => {
    const h = await startCoreWithAccounts({ env: { SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey } });
    await h.ok(W, 'records.create', { table: 'households', values: { area: 'North' } });
    expect((await h.ok(W, 'sync.status')).pendingTotal).toBeGreaterThanOrEqual(0);
    const after = await h.ok(W, 'sync.now');
    expect(after).toMatchObject({ state: 'online', pendingTotal: 0, lastError: null, serverUrl: server.url });
    expect(await h.ok(W, 'sync.rejections')).toEqual([]);
  });

  it('shows the person whose value was overwritten what they lost and to whom, lets them keep it, and counts what is open', async () => {
    const env = { SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey };
    const a = await startCoreWithAccounts({ env });
    const b = await startCoreWithAccounts({ env });
    b.clock.now += 60_000; // b's edits come later: b wins
    const household = await a.ok(W, 'records.create', { table: 'households', values: { area: 'North', headName: 'Awa', notes: 'first' } });
    await a.ok(W, 'sync.now');
    await b.ok(W, 'sync.now');
    await a.ok(W, 'records.update', { table: 'households', id: household.id, values: { notes: 'from a', phone: '100' } });
    await b.ok(W, 'records.update', { table: 'households', id: household.id, values: { notes: 'from b' } });
    await b.ok(W, 'sync.now');
    await a.ok(W, 'sync.now'); // a pulls b's later edit while its own is unsent: a's note is overwritten, its phone kept

    expect(await a.ok(W, 'records.get', { table: 'households', id: household.id })).toMatchObject({ notes: 'from b', phone: '100' });
    expect((await a.ok(W, 'sync.status')).conflicts).toBe(1);
    expect((await a.ok(W, 'dashboard.summary')).sync.conflicts).toBe(1);
    // The same account, signed in on the winning PC, sees it there too once it has synced.
    await b.ok(W, 'sync.now');
    expect((await b.ok(W, 'sync.status')).conflicts).toBe(1);
    const page = await a.ok(W, 'sync.conflicts', { limit: 1 });
    expect(page).toMatchObject({ total: 1, nextAfter: null });
    expect(page.items[0]).toMatchObject({
      table: 'households',
      recordId: household.id,
      recordLabel: 'Awa',
      recordExists: true,
      field: 'notes',
      lostValue: 'from a',
      lostHere: true,
      wonValue: 'from b',
      wonHere: false,
    });
    expect(page.items[0]!.wonAt - page.items[0]!.lostAt).toBeGreaterThanOrEqual(59_000);

    await a.ok(W, 'sync.keepMine', { id: page.items[0]!.id });
    expect((await a.ok(W, 'sync.status')).conflicts).toBe(0);
    await a.ok(W, 'sync.now');
    await b.ok(W, 'sync.now');
    expect(await b.ok(W, 'records.get', { table: 'households', id: household.id })).toMatchObject({ notes: 'from a', phone: '100' });
    expect((await a.fail(W, 'sync.dismissConflict', { id: page.items[0]!.id })).message).toMatch(/already dismissed/);
  });
});

describe('updates and about', () => {
  /** The OS updater is the one thing faked: a stand-in behind the UpdaterPort interface. */
  function fakeUpdater() {
    let status: UpdateStatus = { state: 'idle' };
    const calls: string[] = [];
    const updater: UpdaterPort = {
      status: () => status,
      check: async () => {
        calls.push('check');
        status = { state: 'ready', version: '9.9.0' };
      },
      install: () => void calls.push('install'),
      setTurnedOff: (off) => {
        calls.push(off ? 'turn off' : 'turn on');
        status = off ? { state: 'disabled', turnedOff: true } : { state: 'idle' };
      },
    };
    return { updater, calls };
  }

  it('reports, checks and installs through the updater port, admins only for check and install', async () => {
    const { updater, calls } = fakeUpdater();
    const h = await startCoreWithAccounts({ updater });
    expect(await h.ok(W, 'updates.status')).toEqual({ state: 'idle' });
    expect((await h.fail(W, 'updates.check')).code).toBe('forbidden');
    expect(await h.ok(A, 'updates.check')).toEqual({ state: 'ready', version: '9.9.0' });
    expect(await h.ok(A, 'app.about')).toEqual({ version: '9.8.7', machineId: h.core.store.machineId, update: { state: 'ready', version: '9.9.0' } });
    expect(await h.ok(A, 'updates.install')).toBeNull();
    expect(calls).toEqual(['check', 'install']);
  });

  it('lets an administrator turn updates off and on, saved in the data folder and read at the next start', async () => {
    const { updater, calls } = fakeUpdater();
    const h = await startCoreWithAccounts({ updater });
    expect((await h.fail(W, 'updates.setEnabled', { enabled: false })).code).toBe('forbidden');
    expect(await h.ok(A, 'updates.setEnabled', { enabled: false })).toEqual({ state: 'disabled', turnedOff: true });
    expect(fs.readFileSync(path.join(h.dataDir, '.env'), 'utf8')).toMatch(/^BLOS_DISABLE_UPDATES="1"$/m);
    expect(h.core.config.BLOS_DISABLE_UPDATES).toBe('1');
    expect(await h.ok(A, 'updates.setEnabled', { enabled: true })).toEqual({ state: 'idle' });
    expect(fs.readFileSync(path.join(h.dataDir, '.env'), 'utf8')).not.toContain('BLOS_DISABLE_UPDATES');
    expect(calls).toEqual(['turn off', 'turn on']);
  });

  it('refuses the switch when the environment fixes it, naming the variable, and changes nothing', async () => {
    const { updater, calls } = fakeUpdater();
    const h = await startCoreWithAccounts({ updater, env: { BLOS_DISABLE_UPDATES: '1' } });
    const error = await h.fail(A, 'updates.setEnabled', { enabled: true });
    expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('environment variable BLOS_DISABLE_UPDATES') });
    expect(fs.existsSync(path.join(h.dataDir, '.env'))).toBe(false);
    expect(calls).toEqual([]);
  });

  it('says updates are disabled when no updater is given', async () => {
    const h = await startCoreWithAccounts();
    expect((await h.ok(W, 'updates.status')).state).toBe('disabled');
    expect(await h.ok(A, 'updates.check')).toMatchObject({ state: 'disabled' });
  });
});

describe('closing', () => {
  it('refuses calls once closing, and closes the database', async () => {
    const h = startCore();
    await h.core.close();
    expect(await h.fail('c', 'session.status')).toEqual({ code: 'failed', message: 'The application is closing.' });
    expect(h.core.store.sqlite.open).toBe(false);
    await h.core.close(); // twice is fine
  });
});
