import { RecordNotFoundError } from '../../src/db/repository';
import { pullParked } from '../../src/db/schema';
import { prepareSyncWorker } from '../../src/sync/sync-thread';
import { eventually } from '../support/eventually';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { dirtyCount, openClient, replicatedContent, serverContent, type Client } from './clients';
import { seededRandom } from './seeded-random';
import { startFaultProxy, type Fault, type FaultProxy } from './fault-proxy';

let server: TestServer;
let proxy: FaultProxy;
let clients: Client[];

// Loaded before the clock starts: the fault schedule is drawn per request, and a first sync waiting
// for the sync worker to load (a second through the TypeScript loader) would send few of them.
beforeAll(() => prepareSyncWorker());

beforeEach(async () => {
  server = await startTestServer();
  proxy = await startFaultProxy(server.url);
  const dir = tempDir();
  clients = ['a', 'b', 'c'].map((name) =>
    openClient({ dir, name, url: proxy.url, apiKey: server.apiKey, engine: { pushDebounceMs: 10, retryBaseMs: 10, retryMaxMs: 80 } }),
  );
});
afterEach(async () => {
  for (const client of clients) await client.close();
  await proxy.close();
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every client has pushed everything and holds exactly what the server holds. */
async function quiesce(): Promise<void> {
  await eventually(
    async () => {
      for (const client of clients) await client.engine.syncNow();
      const expected = JSON.stringify(serverContent(server.server));
      return clients.every((c) => dirtyCount(c.store) === 0 && JSON.stringify(replicatedContent(c.store)) === expected);
    },
    { timeout: 20_000, interval: 20, what: 'the clients to converge on what the server holds' },
  );
}

/** SYNC_FAULT_SEED replays one schedule; otherwise SYNC_FAULT_RUNS (20) consecutive seeds from a random one. */
const pinned = process.env.SYNC_FAULT_SEED;
const firstSeed = Number(pinned ?? Date.now() % 2 ** 31);
const seeds = Array.from({ length: pinned ? 1 : Number(process.env.SYNC_FAULT_RUNS ?? 20) }, (_, i) => firstSeed + i);

describe('sync through a faulty network', () => {
  it.each(seeds)('converges despite dropped requests and responses, duplicates, delays, 500s and a server restart (SYNC_FAULT_SEED=%i)', async (seed) => {
    const rng = seededRandom(seed);
    const faults: Fault[] = [
      { kind: 'drop_request' },
      { kind: 'drop_response' },
      { kind: 'duplicate' },
      { kind: 'delay', ms: 30 },
      { kind: 'error_500' },
    ];
    const injected = new Map<string, number>();
    proxy.plan = () => {
      if (rng.int(0, 9) >= 4) return { kind: 'pass' };
      const fault = faults[rng.int(0, faults.length - 1)]!;
      injected.set(fault.kind, (injected.get(fault.kind) ?? 0) + 1);
      return fault;
    };
    for (const client of clients) client.engine.start();

    const households: string[] = [];
    for (let step = 0; step < 60; step++) {
      const client = clients[rng.int(0, clients.length - 1)]!;
      const repos = client.store.repos;
      const known = repos.households.list({ limit: 500 }).items;
      const target = known[rng.int(0, Math.max(0, known.length - 1))];
      const action = rng.int(0, 9);
      try {
        if (!target || action < 3) households.push(repos.households.create({ area: `Area ${step}` }).id);
        else if (action < 6) repos.visits.create({ householdId: target.id, visitedAt: step, outcome: 'completed' });
        else if (action < 9) repos.households.update(target.id, { notes: `edit ${step} by ${client.name}` });
        else repos.households.softDelete(target.id);
      } catch (error) {
        // The sync worker commits on its own connection, so another PC's delete of `target` can land
        // between listing it and editing it (seen with SYNC_FAULT_SEED=871500110): the edit is
        // refused, as a person would see the record vanish, and nothing else changes.
        if (!(error instanceof RecordNotFoundError)) throw error;
      }
      if (step === 30) await server.restart();
      await sleep(rng.int(0, 15));
    }

    proxy.plan = () => ({ kind: 'pass' });
    await quiesce();
    for (const client of clients) expect(client.store.db.select().from(pullParked).all()).toEqual([]);
    expect(serverContent(server.server).households.length).toBe(households.length);
    // The schedule really did inject faults of several kinds.
    expect(injected.size).toBeGreaterThanOrEqual(3);
  });
});
