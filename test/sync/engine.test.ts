import { SyncEngine, testConnection, type SyncStatus } from '../../src/sync';
import { eventually } from '../support/eventually';
import type { TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { holdWriteLock } from '../support/write-lock';
import { openClient, openProxiedClient, serverContent, type Client } from './clients';
import type { FaultProxy } from './fault-proxy';

let server: TestServer;
let proxy: FaultProxy;
let client: Client;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ server, proxy, client, close } = await openProxiedClient());
});
afterEach(() => close());

/** Resolves with the first status that satisfies `predicate` (bounded in time). */
function waitForStatus(engine: SyncEngine, predicate: (s: SyncStatus) => boolean, timeoutMs = 5000): Promise<SyncStatus> {
  return new Promise((resolve, reject) => {
    if (predicate(engine.status)) return resolve(engine.status);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`status not reached within ${timeoutMs} ms: ${JSON.stringify(engine.status)}`));
    }, timeoutMs);
    const off = engine.onStatus((status) => {
      if (!predicate(status)) return;
      clearTimeout(timer);
      off();
      resolve(status);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = (path: string) => proxy.seen.filter((p) => p === path).length;
const lastStoredError = () => client.store.sqlite.prepare('SELECT last_error FROM sync_state').pluck().get() as string | null;

describe('the sync engine', () => {
  it('syncs at start and pushes shortly after a local write, without being asked', async () => {
    client.engine.start();
    await waitForStatus(client.engine, (s) => s.state === 'online' && s.lastSuccessAt !== null);
    const household = client.store.repos.households.create({ area: 'North' });
    await waitForStatus(client.engine, (s) => s.state === 'online' && s.pendingTotal === 0 && s.lastPushAt !== null);
    expect(serverContent(server.server).households.map((h) => h.id)).toEqual([household.id]);
  });

  it('reports pending records per table before they are pushed', async () => {
    const household = client.store.repos.households.create({ area: 'North' });
    client.store.repos.visits.create({ householdId: household.id, visitedAt: 1, outcome: 'completed' });
    client.store.repos.visits.create({ householdId: household.id, visitedAt: 2, outcome: 'refused' });
    const fresh = new SyncEngine({ store: client.store, config: { serverUrl: proxy.url, apiKey: server.apiKey, pullIntervalMs: 60_000 } });
    expect(fresh.status).toMatchObject({ state: 'offline', pending: { households: 1, people: 0, visits: 2 }, pendingTotal: 3 });
    await fresh.stop();
  });

  it('runs one sync at a time: calls during a sync share a single follow-up', async () => {
    proxy.plan = (r) => (r.path === '/health.php' ? { kind: 'delay', ms: 100 } : { kind: 'pass' });
    const calls = await Promise.all([client.engine.syncNow(), client.engine.syncNow(), client.engine.syncNow(), client.engine.syncNow()]);
    expect(count('/pull.php')).toBe(2);
    for (const status of calls) expect(status.lastError).toBeNull();
  });

  it('backs off after failures and syncs by itself once the server answers again', async () => {
    proxy.plan = () => ({ kind: 'drop_request' });
    client.store.repos.households.create({ area: 'North' });
    client.engine.start();
    const offline = await waitForStatus(client.engine, (s) => s.state === 'offline' && s.lastError !== null);
    expect(offline.lastError).toMatch(/Cannot reach the sync server/);
    expect(offline.nextRetryAt).not.toBeNull();
    await sleep(600);
    const attempts = count('/health.php');
    // Base 20 ms doubling to a 200 ms ceiling: a handful of tries in 600 ms, not a busy loop.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThan(15);

    proxy.plan = () => ({ kind: 'pass' });
    const online = await waitForStatus(client.engine, (s) => s.state === 'online' && s.pendingTotal === 0);
    expect(online.lastError).toBeNull();
    expect(online.nextRetryAt).toBeNull();
    expect(serverContent(server.server).households).toHaveLength(1);
  });

  it('retries a refused API key only on a slow schedule and says why; new settings retry at once', async () => {
    client.engine.updateConfig({ apiKey: 'f'.repeat(64) });
    client.engine.start();
    const refused = await waitForStatus(client.engine, (s) => s.lastError !== null);
    // In words a person can act on: not the server's header syntax, not a status code, and not "Offline".
    expect(refused).toMatchObject({ state: 'refused', lastError: 'The sync server refused the API key. Check the API key in Settings: it must be the one the server was set up with.' });
    // The first retry of a refusal waits half a minute or more (the default starts at one minute).
    expect(refused.nextRetryAt! - Date.now()).toBeGreaterThan(25_000);
    const before = proxy.seen.length;
    await sleep(300);
    expect(proxy.seen.length).toBe(before);

    client.engine.updateConfig({ apiKey: server.apiKey });
    await waitForStatus(client.engine, (s) => s.state === 'online' && s.lastError === null);
  });

  it('resumes by itself once whatever refused the key is gone (a captive portal, another server)', async () => {
    const pc = openClient({ dir: tempDir(), name: 'portal', url: proxy.url, apiKey: server.apiKey, engine: { refusedRetryMs: 100 } });
    try {
      proxy.plan = () => ({ kind: 'unauthorized' });
      pc.store.repos.households.create({ area: 'North' });
      pc.engine.start();
      await waitForStatus(pc.engine, (s) => s.lastError !== null && /refused the API key/.test(s.lastError));
      proxy.plan = () => ({ kind: 'pass' });
      // Nobody presses "Sync now": the slow retry finds the real server.
      const online = await waitForStatus(pc.engine, (s) => s.state === 'online' && s.pendingTotal === 0);
      expect(online.lastError).toBeNull();
      expect(serverContent(server.server).households).toHaveLength(1);
    } finally {
      await pc.close();
    }
  });

  it('keeps its schedule when even recording a failure fails (another connection holds the write lock)', async () => {
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      proxy.plan = () => ({ kind: 'drop_request' });
      // Held past the connection's 5 s busy timeout: storing the error fails with SQLITE_BUSY.
      const lock = await holdWriteLock(client.file, "INSERT INTO instance_meta (key, value) VALUES ('test.lock', '1')", 5_800);
      client.engine.start();
      const offline = await waitForStatus(client.engine, (s) => s.state === 'offline' && s.lastError !== null);
      expect(offline.lastError).toMatch(/Cannot reach the sync server/);
      await lock.committed;
      // Retries went on, and once the lock was gone the error was stored for the next start.
      await eventually(() => lastStoredError() !== null && count('/health.php') >= 2, { what: 'a stored error after more retries', timeout: 10_000 });
      expect(lastStoredError()).toMatch(/Cannot reach the sync server/);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', note);
    }
  }, 30_000);

  it('stops cleanly: the exchange in flight is abandoned and no timer fires afterwards', async () => {
    proxy.plan = () => ({ kind: 'delay', ms: 5000 });
    client.engine.start();
    await waitForStatus(client.engine, (s) => s.state === 'syncing');
    const started = Date.now();
    await client.engine.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    const seen = proxy.seen.length;
    client.store.repos.households.create({ area: 'North' });
    await sleep(200);
    expect(proxy.seen.length).toBe(seen);
    expect(client.engine.status.state).not.toBe('syncing');
  });

  it('is disabled without a server URL or key and makes no request', async () => {
    client.engine.updateConfig({ serverUrl: null });
    const status = await client.engine.syncNow();
    expect(status.state).toBe('disabled');
    expect(proxy.seen).toEqual([]);
  });

  it('emits status changes to listeners until they unsubscribe', async () => {
    const states: string[] = [];
    const off = client.engine.onStatus((s) => states.push(s.state));
    await client.engine.syncNow();
    expect(states).toContain('syncing');
    expect(states.at(-1)).toBe('online');
    off();
    const length = states.length;
    await client.engine.syncNow();
    expect(states).toHaveLength(length);
  });
});

describe('testConnection', () => {
  it('accepts a reachable server with the right key', async () => {
    const check = await testConnection({ serverUrl: server.url, apiKey: server.apiKey });
    expect(check).toMatchObject({ ok: true });
    expect(check.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('says when the key is refused', async () => {
    const check = await testConnection({ serverUrl: server.url, apiKey: '0'.repeat(64) });
    expect(check).toMatchObject({ ok: false, latencyMs: null });
    expect(check.message).toMatch(/refused the API key/);
  });

  it('says when nothing answers', async () => {
    const url = proxy.url;
    await proxy.close();
    const check = await testConnection({ serverUrl: url, apiKey: server.apiKey });
    expect(check).toMatchObject({ ok: false });
    expect(check.message).toMatch(/Cannot reach/);
  });
});
