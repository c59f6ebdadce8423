import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import zlib from 'node:zlib';
import { PATHS, releaseHeaders, type PullResponse, type PushResponse, type PushResult } from '../../src/protocol/wire';
import type { ServerStatus } from '../../src/server';
import { createFreshDatabase, testDatabaseUrl, TEST_DATABASE_VARIABLE, type FreshDatabase } from '../support/postgres';
import { migrateServerDatabase, spawnServerProcesses, type ServerProcess, type ServerProcessOptions } from '../support/server-process';
import { tempDir } from '../support/temp';
import { seededRandom } from '../sync/seeded-random';
import { household, person, randomMachine, request, stamp, visit, type RawRequest, type TestRecord } from './helpers';

/**
 * Several stateless server processes on one PostgreSQL database (issue 19): clients push to any of
 * them while others page through pulls from any of them. Versions committed out of order would let a
 * puller step past a row for good; a push stored twice would show as a row served twice.
 * Runs only against a real server (BLOS_TEST_DATABASE_URL; `.ci/run` sets it).
 * Replay the random choices with MULTI_PROCESS_SEED=<printed seed> (the interleaving itself is the
 * machine's).
 */

const PROCESSES = 4;
const PUSHERS = 20;
const PULLERS = 5;
const ROUNDS = 50;
const SHARED_HOUSEHOLDS = 20;
const SEED = Number(process.env.MULTI_PROCESS_SEED ?? crypto.randomInt(2 ** 31));

const databaseUrl = testDatabaseUrl();
if (!databaseUrl) {
  console.log(`multi-process test skipped: it needs a real PostgreSQL; set ${TEST_DATABASE_VARIABLE}=postgres://USER:PASSWORD@HOST/DB (a role with CREATEDB; .ci/run sets it)`);
}

type Table = 'households' | 'people' | 'visits';
type Served = PullResponse['changes'][number];
const keyOf = (table: string, id: string) => `${table}/${id}`;

/** As this release's clients speak: protocol 2, the record schema they know. */
const dialect = (apiKey: string, machineId: string) => ({ authorization: `Bearer ${apiKey}`, ...releaseHeaders(machineId) });

(databaseUrl ? describe : describe.skip)(`${PROCESSES} server processes on one PostgreSQL database`, () => {
  const apiKey = crypto.randomBytes(32).toString('hex');
  const random = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[random.int(0, items.length - 1)]!;
  let database: FreshDatabase;
  let servers: ServerProcess[] = [];

  let retries = 0;
  /**
   * A request as a client makes it: a 503 (busy; nothing stored) or a connection that failed is tried
   * again shortly, a few times. A push may be sent again whatever became of it (pushes are idempotent),
   * and under load fetch sometimes reuses a kept-alive connection just as the server closes it.
   */
  async function send(server: ServerProcess, req: RawRequest): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const response = await request({ url: server.url, apiKey }, req).catch((error: unknown) => {
        if (attempt === 20 || !(error instanceof TypeError)) throw error;
        return null;
      });
      if (response?.status === 200) return response.json;
      if ((response && response.status !== 503) || attempt === 20) throw new Error(`${req.path} on ${server.url} answered ${response?.status}: ${JSON.stringify(response?.json)}`);
      retries++;
      await new Promise((resolve) => setTimeout(resolve, random.int(10, 100)));
    }
  }

  async function push(server: ServerProcess, machineId: string, changes: { table: Table; row: TestRecord }[]): Promise<PushResult[]> {
    const body = new Uint8Array(zlib.gzipSync(JSON.stringify({ changes }), { level: 1 }));
    const headers = { ...dialect(apiKey, machineId), 'content-type': 'application/json', 'content-encoding': 'gzip' };
    return ((await send(server, { method: 'POST', path: PATHS.push, headers, body })) as PushResponse).results;
  }

  async function pull(server: ServerProcess, machineId: string, since: number, limit: number): Promise<PullResponse> {
    const headers = { ...dialect(apiKey, machineId), 'accept-encoding': 'gzip' };
    return (await send(server, { path: `${PATHS.pull}?since=${since}&limit=${limit}`, headers })) as PullResponse;
  }

  /** The households every pusher edits now and then (the others' records have one writer each). */
  const sharedKeys = new Set<string>();
  /** What the pushers were told: per record, the acknowledged write with the latest stamp. */
  const acknowledged = new Map<string, { row: TestRecord; version: number }>();
  function acknowledge(changes: { table: Table; row: TestRecord }[], results: PushResult[]) {
    expect(results.map((r) => [r.table, r.id])).toEqual(changes.map((c) => [c.table, c.row.id]));
    results.forEach((result, i) => {
      const { table, row } = changes[i]!;
      const key = keyOf(table, row.id);
      // Only a shared household may lose to another pusher's later write.
      if (result.status === 'superseded' && sharedKeys.has(key)) return;
      expect({ key, result }).toEqual({ key, result: { table, id: row.id, status: 'applied', version: expect.any(Number) } });
      if (result.status !== 'applied') return;
      const known = acknowledged.get(key);
      if (!known || known.row.updatedAt < row.updatedAt) acknowledged.set(key, { row, version: result.version });
    });
  }

  beforeAll(async () => {
    console.log(`multi-process seed ${SEED} (set MULTI_PROCESS_SEED=${SEED} to replay the random choices)`);
    database = await createFreshDatabase(databaseUrl!, 'blos_multi_process');
    const options: ServerProcessOptions = { db: database.url, apiKey, cwd: tempDir('blos-multi-process-') };
    await migrateServerDatabase(options);
    servers = await spawnServerProcesses(PROCESSES, options);
  }, 120_000);

  afterAll(async () => {
    // A process that crashed or failed to shut down cleanly fails the file, with its output.
    const stopped = await Promise.allSettled(servers.map((server) => server.stop()));
    await database?.drop();
    for (const result of stopped) if (result.status === 'rejected') throw result.reason;
  });

  it(`${PUSHERS} clients push ${ROUNDS} rounds to random processes while ${PULLERS} page through pulls: every puller ends with every row once, at its latest version`, async () => {
    const setupMachine = randomMachine();
    const shared = Array.from({ length: SHARED_HOUSEHOLDS }, () => household({ machineId: setupMachine, updatedBy: 'coordinator' }));
    for (const row of shared) sharedKeys.add(keyOf('households', row.id));
    acknowledge(
      shared.map((row) => ({ table: 'households', row })),
      await push(servers[0]!, setupMachine, shared.map((row) => ({ table: 'households' as const, row }))),
    );

    /** One PC: new records, edits and deletes of its own, and edits of the shared households. */
    async function pusher(index: number): Promise<number> {
      const machineId = randomMachine();
      const updatedBy = `fieldworker${index}`;
      const own: { table: Table; row: TestRecord }[] = [];
      const households = shared.map((row) => row.id);
      let doubled = 0;
      for (let round = 0; round < ROUNDS; round++) {
        // Every tenth round the same push goes to two processes at once (a retry racing the original).
        const twice = round % 10 === index % 10;
        const batch: { table: Table; row: TestRecord }[] = [];
        const touched = new Set<string>();
        for (let n = random.int(3, 12); n > 0; n--) {
          const roll = random.next();
          if (roll < 0.1 && !twice) {
            const target = shared[random.int(0, shared.length - 1)]!;
            if (touched.has(target.id)) continue;
            touched.add(target.id);
            batch.push({ table: 'households', row: { ...target, machineId, updatedBy, updatedAt: stamp(), headName: `Head by ${updatedBy} round ${round}`, geoLat: random.next() * 90 } });
          } else if (roll < 0.5 && own.length > 0) {
            const slot = random.int(0, own.length - 1);
            const { table, row } = own[slot]!;
            if (touched.has(row.id)) continue;
            touched.add(row.id);
            const deleting = random.next() < 0.1;
            const at = stamp();
            const text = `edited in round ${round} of ${ROUNDS}`;
            const edited = { ...row, updatedAt: at, ...(table === 'people' ? { fullName: text } : { notes: text }), ...(deleting && { deletedAt: at }) };
            // A deleted record stays deleted: no more edits to it (its edits would be hidden ones, 6.2).
            if (deleting) own.splice(slot, 1);
            else own[slot] = { table, row: edited };
            batch.push({ table, row: edited });
          } else {
            const parent = pick(households);
            const table = pick(['households', 'people', 'visits'] as const);
            const row =
              table === 'households' ? household({ machineId, updatedBy }) : table === 'people' ? person(parent, { machineId, updatedBy }) : visit(parent, { machineId, updatedBy });
            if (table === 'households') households.push(row.id);
            touched.add(row.id);
            own.push({ table, row });
            batch.push({ table, row });
          }
        }
        if (twice) {
          const first = pick(servers);
          const second = pick(servers.filter((s) => s !== first));
          const [a, b] = await Promise.all([push(first, machineId, batch), push(second, machineId, batch)]);
          // Stored once: both answers name the one version the record got.
          expect(b).toEqual(a);
          acknowledge(batch, a);
          doubled++;
        } else {
          acknowledge(batch, await push(pick(servers), machineId, batch));
        }
      }
      return doubled;
    }

    interface Puller {
      rows: Map<string, Served>;
      versions: number[];
      pages: number;
    }

    /** One PC's initial and incremental syncs: pages of random sizes from random processes. */
    async function puller(finished: () => boolean): Promise<Puller> {
      const machineId = randomMachine();
      const state: Puller = { rows: new Map(), versions: [], pages: 0 };
      let since = 0;
      for (let caughtUp = false; !caughtUp; ) {
        const last = finished();
        const page = await pull(pick(servers), machineId, since, random.int(1, 250));
        state.pages++;
        for (const change of page.changes) {
          state.versions.push(change.version);
          state.rows.set(keyOf(change.table, change.row.id as string), change);
        }
        since = page.cursor;
        if (!page.hasMore) {
          caughtUp = last;
          await new Promise((resolve) => setTimeout(resolve, random.int(0, 20)));
        }
      }
      return state;
    }

    let pushing = true;
    const [doubled, pullers] = await Promise.all([
      Promise.all(Array.from({ length: PUSHERS }, (_, i) => pusher(i))).finally(() => (pushing = false)),
      Promise.all(Array.from({ length: PULLERS }, () => puller(() => !pushing))),
    ]);
    expect(doubled.reduce((a, b) => a + b)).toBe(PUSHERS * (ROUNDS / 10));

    // What the database holds now, from one process, page by page.
    const everything: Served[] = [];
    for (let since = 0, more = true; more; ) {
      const page = await pull(servers[0]!, randomMachine(), since, 1000);
      everything.push(...page.changes);
      since = page.cursor;
      more = page.hasMore;
    }
    // Asked before the long comparisons below: they hold the event loop for seconds, long enough for
    // the server to close the idle connections that fetch would then try to reuse.
    const { version, tables } = (await send(pick(servers), { path: PATHS.status, headers: { authorization: `Bearer ${apiKey}` } })) as ServerStatus;
    const stored = new Map(everything.map((change) => [keyOf(change.table, change.row.id as string), change]));
    expect(stored.size).toBe(everything.length);
    expect([...stored.keys()].sort()).toEqual([...acknowledged.keys()].sort());
    for (const [key, { row, version }] of acknowledged) {
      const served = stored.get(key)!;
      expect({ key, row: served.row }).toMatchObject({ key, row });
      // A record only its own PC writes keeps the version its last push was answered with.
      if (!sharedKeys.has(key)) expect({ key, version: served.version }).toEqual({ key, version });
    }

    pullers.forEach((state, puller) => {
      const backwards = state.versions.filter((v, i) => i > 0 && v <= state.versions[i - 1]!);
      const missing = [...stored.keys()].filter((key) => !state.rows.has(key));
      const stale = [...stored].filter(([key, change]) => state.rows.has(key) && !isDeepStrictEqual(state.rows.get(key), change)).map(([key]) => key);
      const extra = [...state.rows.keys()].filter((key) => !stored.has(key));
      expect({ puller, backwards, missing, stale, extra }).toEqual({ puller, backwards: [], missing: [], stale: [], extra: [] });
    });

    expect(version).toBe(Math.max(...everything.map((change) => change.version)));
    for (const table of ['households', 'people', 'visits'] as const) {
      expect(tables[table].rows).toBe(everything.filter((change) => change.table === table).length);
    }
    console.log(
      `multi-process: ${acknowledged.size} records, highest version ${version}, ${pullers.map((p) => p.pages).join('/')} pages pulled, ${doubled.reduce((a, b) => a + b)} pushes sent twice, ${retries} requests retried after a 503 or a failed connection`,
    );
  }, 240_000);
});
