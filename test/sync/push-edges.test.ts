import http from 'node:http';
import zlib from 'node:zlib';
import { SyncEngine } from '../../src/sync';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { dirtyCount, openClient, replicatedContent, serverContent, type Client } from './clients';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

let server: TestServer;
let proxy: FaultProxy;
let writer: Client;
let reader: Client;

beforeEach(async () => {
  server = await startTestServer();
  proxy = await startFaultProxy(server.url);
  const dir = tempDir();
  writer = openClient({ dir, name: 'writer', url: proxy.url, apiKey: server.apiKey });
  reader = openClient({ dir, name: 'reader', url: server.url, apiKey: server.apiKey });
});
afterEach(async () => {
  await writer.close();
  await reader.close();
  await proxy.close();
  await server.close();
});

describe('push edge cases', () => {
  it('a row edited while its push is in flight stays dirty and its new value goes in the next push', async () => {
    const household = writer.store.repos.households.create({ area: 'North', notes: 'first' });
    proxy.beforeRelay = (request) => {
      if (request.path !== '/push.php') return;
      proxy.beforeRelay = null;
      // The server has committed "first"; the client has not yet read the answer.
      writer.store.repos.households.update(household.id, { notes: 'second' });
    };
    await writer.engine.syncNow();
    expect(writer.store.repos.households.get(household.id)).toMatchObject({ notes: 'second', dirty: true });
    expect(writer.engine.status.pendingTotal).toBe(1);

    await writer.engine.syncNow();
    expect(writer.store.repos.households.get(household.id)?.dirty).toBe(false);
    await reader.engine.syncNow();
    expect(reader.store.repos.households.get(household.id)?.notes).toBe('second');
  });

  it('a push superseded by a write that landed after our pull: the server records our losing value, and it reaches us', async () => {
    const household = reader.store.repos.households.create({ area: 'North', notes: 'original' });
    await reader.engine.syncNow();
    await writer.engine.syncNow();
    writer.store.repos.households.update(household.id, { notes: 'from writer' });
    reader.store.repos.households.update(household.id, { notes: 'from reader (later)' });
    proxy.beforeRelay = async (request) => {
      if (request.path !== '/pull.php') return;
      proxy.beforeRelay = null;
      // Between the writer's pull and its push, the later edit reaches the server.
      await reader.engine.syncNow();
    };

    const report = (await writer.engine.syncNow(), writer.engine.lastReport);
    expect(report).toMatchObject({ superseded: 1 });
    expect(writer.store.repos.households.get(household.id)).toMatchObject({ notes: 'from reader (later)', dirty: false });
    const recorded = writer.store.repos.conflicts.list().items;
    expect(recorded).toEqual([
      expect.objectContaining({ recordId: household.id, field: 'notes', lostValue: 'from writer', lostMachineId: writer.store.machineId, dirty: false }),
    ]);
  });

  it('a crash between the server commit and the client ack loses nothing and duplicates nothing', async () => {
    const household = writer.store.repos.households.create({ area: 'North' });
    writer.store.repos.visits.batchCreate(
      Array.from({ length: 5 }, (_, i) => ({ householdId: household.id, visitedAt: i, outcome: 'completed' as const })),
    );
    proxy.plan = (request) => (request.path === '/push.php' ? { kind: 'drop_response' } : { kind: 'pass' });
    const failed = await writer.engine.syncNow();
    expect(failed.lastError).toMatch(/Cannot reach/);
    expect(serverContent(server.server).visits).toHaveLength(5);
    expect(dirtyCount(writer.store)).toBe(6);

    // The process dies with the ack unrecorded; the same file is opened again.
    await writer.reopen();
    proxy.plan = () => ({ kind: 'pass' });
    const status = await writer.engine.syncNow();
    expect(status.lastError).toBeNull();
    expect(dirtyCount(writer.store)).toBe(0);
    expect(serverContent(server.server).visits).toHaveLength(5);
    expect(serverContent(server.server).households).toHaveLength(1);
    expect(replicatedContent(writer.store)).toEqual(serverContent(server.server));
  });

  it('splits batches by rows and bytes, and one bad record never blocks the rest', async () => {
    const household = writer.store.repos.households.create({ area: 'North' });
    writer.store.repos.people.batchCreate(
      Array.from({ length: 30 }, (_, i) => ({ householdId: household.id, fullName: `Person ${i}`, attributes: { note: 'x'.repeat(2000) } })),
    );
    // A record the server refuses: the local database holds what no input form would accept.
    const bad = writer.store.repos.people.create({ householdId: household.id, fullName: 'Ok for now' });
    writer.store.sqlite.prepare("UPDATE people SET full_name = '' WHERE id = ?").run(bad.id);
    await writer.engine.stop();
    const engine = new SyncEngine({
      store: writer.store,
      config: { serverUrl: proxy.url, apiKey: server.apiKey, pullIntervalMs: 60_000 },
      batchLimits: { maxRows: 7, maxBytes: 8 * 1024 },
    });
    proxy.seen = [];
    const status = await engine.syncNow();
    const pushes = proxy.seen.filter((p) => p === '/push.php').length;
    // 30 people of about 2.3 KiB each fit 3 to an 8 KiB batch: the byte budget, not the row limit, decides.
    expect(pushes).toBeGreaterThanOrEqual(10);
    expect(status.rejected).toEqual([expect.objectContaining({ table: 'people', id: bad.id, reason: 'invalid_record' })]);
    expect(status.pendingTotal).toBe(1);
    expect(serverContent(server.server).people).toHaveLength(30);

    // Unchanged, the refused record is not sent again...
    proxy.seen = [];
    await engine.syncNow();
    expect(proxy.seen.filter((p) => p === '/push.php')).toHaveLength(0);
    // ...until it is corrected.
    writer.store.repos.people.update(bad.id, { fullName: 'Fixed' });
    const fixed = await engine.syncNow();
    expect(fixed.rejected).toEqual([]);
    expect(fixed.pendingTotal).toBe(0);
    await engine.stop();
  });

  it('splits a batch the server answers with 413 and pushes it in halves', async () => {
    const household = writer.store.repos.households.create({ area: 'North' });
    writer.store.repos.visits.batchCreate(Array.from({ length: 8 }, (_, i) => ({ householdId: household.id, visitedAt: i, outcome: 'completed' as const })));
    let refused = 0;
    // A stricter server in front of the real one: bodies of more than 4 records are "too large".
    const strict = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
      if (req.url === '/push.php' && JSON.parse(raw.toString()).changes.length > 4) {
        refused++;
        res.writeHead(413, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { code: 'payload_too_large', message: 'at most 4' } }));
      }
      const upstream = await fetch(server.url + req.url, { method: req.method, headers: req.headers as Record<string, string>, body: req.method === 'POST' ? Buffer.concat(chunks) : undefined });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>((r) => strict.listen(0, '127.0.0.1', r));
    const port = (strict.address() as { port: number }).port;
    writer.engine.updateConfig({ serverUrl: `http://127.0.0.1:${port}` });
    const status = await writer.engine.syncNow();
    strict.closeAllConnections();
    await new Promise((r) => strict.close(r));
    expect(refused).toBeGreaterThan(0);
    expect(status.lastError).toBeNull();
    expect(status.pendingTotal).toBe(0);
    expect(serverContent(server.server).visits).toHaveLength(8);
  });
});
