import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { Client } from 'pg';
import { PATHS, releaseHeaders, type PullResponse, type PushResponse } from '../src/protocol/wire';
import { createFreshDatabase, testDatabaseUrl, TEST_DATABASE_VARIABLE } from '../test/support/postgres';
import { migrateServerDatabase, spawnServerProcesses, type ServerProcess } from '../test/support/server-process';
import type { BenchFigure } from './figures';
import { cpuBetween, parentOf, postgresCpu, processCpuSeconds } from './process-cpu';
import { seedChanges } from './sync-fixtures';

/**
 * The sync server on PostgreSQL scaled out over 1, 2 and 4 processes, beside 1 process on SQLite, in
 * one run (issue 19). Each setup gets a fresh database and its own server processes; CLIENTS clients
 * push batches of BATCH rows (gzipped beforehand: the client's cost) to the processes in turn, then
 * PULLERS clients each pull everything in pages of 1,000, also spread over the processes. CPU per row:
 * the server processes' CPU time plus, when PostgreSQL runs on this machine, its connections to the
 * bench's database and its own processes (WAL writer, checkpointer...), divided by the rows; the
 * bench's own client work is left out. Needs a real PostgreSQL: --url or BLOS_TEST_DATABASE_URL.
 * BENCH_SERVER_PG_ROWS sets the rows pushed per setup (default 20,000).
 */

const ROWS = Number(process.env.BENCH_SERVER_PG_ROWS ?? 20_000);
const BATCH = 500;
const CLIENTS = 8;
const PULLERS = 4;
const PAGE = 1000;
const BENCH = 'server-pg';

interface Setup {
  storage: 'PostgreSQL' | 'SQLite';
  processes: number;
}

const SETUPS: Setup[] = [
  { storage: 'PostgreSQL', processes: 1 },
  { storage: 'PostgreSQL', processes: 2 },
  { storage: 'PostgreSQL', processes: 4 },
  { storage: 'SQLite', processes: 1 },
];

interface Measured {
  pushRowsPerSecond: number;
  pullRowsPerSecond: number;
  /** Microseconds of CPU per row: the servers' and the database's together, and the database's alone. */
  pushCpuPerRow: number;
  pullCpuPerRow: number;
  pushDatabaseCpuPerRow: number;
  pullDatabaseCpuPerRow: number;
}

function databaseUrl(): string | undefined {
  const { values } = parseArgs({ options: { url: { type: 'string' } }, strict: false, allowPositionals: true });
  return (typeof values.url === 'string' ? values.url : undefined) ?? testDatabaseUrl();
}

/** The postmaster's process id when PostgreSQL runs on this machine (its CPU is then measured too). */
async function localPostmaster(url: string): Promise<number | undefined> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return parentOf(rows[0]!.pid);
  } finally {
    await client.end();
  }
}

const dialect = (apiKey: string, machineId: string) => ({ authorization: `Bearer ${apiKey}`, ...releaseHeaders(machineId), 'accept-encoding': 'gzip' });

/** Push bodies of BATCH fresh rows each, gzipped as the client sends them. */
function pushBodies(rows: number): Uint8Array<ArrayBuffer>[] {
  const base = Date.now() - 3_600_000;
  const bodies: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < rows; i += BATCH) {
    bodies.push(new Uint8Array(zlib.gzipSync(JSON.stringify({ changes: seedChanges(i, Math.min(BATCH, rows - i), base) }), { level: 1 })));
  }
  return bodies;
}

async function pushAll(servers: ServerProcess[], apiKey: string, bodies: Uint8Array<ArrayBuffer>[]): Promise<void> {
  let next = 0;
  const client = async (index: number) => {
    const headers = { ...dialect(apiKey, crypto.randomBytes(32).toString('hex')), 'content-type': 'application/json', 'content-encoding': 'gzip' };
    for (let sent = 0; next < bodies.length; sent++) {
      const body = bodies[next++]!;
      const server = servers[(index + sent) % servers.length]!;
      const response = await fetch(`${server.url}${PATHS.push}`, { method: 'POST', headers, body });
      const answer = (await response.json()) as PushResponse;
      if (response.status !== 200 || answer.results.some((r) => r.status !== 'applied')) throw new Error(`push to ${server.url} failed: ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
}

/** Every row from version 0, page by page, each page from the next process: the rows served. */
async function pullAll(servers: ServerProcess[], apiKey: string, first: number): Promise<number> {
  const headers = dialect(apiKey, crypto.randomBytes(32).toString('hex'));
  let rows = 0;
  for (let since = 0, more = true, page = first; more; page++) {
    const server = servers[page % servers.length]!;
    const response = await fetch(`${server.url}${PATHS.pull}?since=${since}&limit=${PAGE}`, { headers });
    if (response.status !== 200) throw new Error(`pull from ${server.url} failed: ${response.status}`);
    const answer = (await response.json()) as PullResponse;
    rows += answer.changes.length;
    since = answer.cursor;
    more = answer.hasMore;
  }
  return rows;
}

async function measure(setup: Setup, url: string, postmaster: number | undefined, bodies: Uint8Array<ArrayBuffer>[]): Promise<Measured> {
  const apiKey = crypto.randomBytes(32).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-bench-server-pg-'));
  const database = setup.storage === 'PostgreSQL' ? await createFreshDatabase(url, 'blos_bench') : undefined;
  const options = { db: database?.url ?? path.join(dir, 'server.db'), apiKey, cwd: dir };
  let servers: ServerProcess[] = [];
  try {
    if (database) await migrateServerDatabase(options);
    servers = await spawnServerProcesses(setup.processes, options);
    // Each process serves once before the clock starts: code compiled, first connections open.
    await pushAll(servers, apiKey, pushBodies(servers.length * 2 * BATCH));
    const warmRows = (await Promise.all(servers.map((server) => pullAll([server], apiKey, 0))))[0]!;

    const serversCpu = () => servers.reduce((sum, s) => sum + processCpuSeconds(s.pid), 0);
    const databaseCpu = () => (database && postmaster ? postgresCpu(postmaster, database.name) : new Map<number, number>());
    /** Runs `work`; the seconds it took and the CPU seconds the servers and the database spent meanwhile. */
    const timed = async <T>(work: () => Promise<T>) => {
      const [serversBefore, databaseBefore, t] = [serversCpu(), databaseCpu(), performance.now()];
      const result = await work();
      const inDatabase = cpuBetween(databaseBefore, databaseCpu());
      return { result, seconds: (performance.now() - t) / 1000, cpu: serversCpu() - serversBefore + inDatabase, inDatabase };
    };
    const push = await timed(() => pushAll(servers, apiKey, bodies));
    const pull = await timed(() => Promise.all(Array.from({ length: PULLERS }, (_, i) => pullAll(servers, apiKey, i))));
    const pulledRows = pull.result.reduce((a, b) => a + b);
    if (pulledRows !== PULLERS * (ROWS + warmRows)) throw new Error(`pulled ${pulledRows} rows, expected ${PULLERS * (ROWS + warmRows)}`);

    return {
      pushRowsPerSecond: ROWS / push.seconds,
      pullRowsPerSecond: pulledRows / pull.seconds,
      pushCpuPerRow: (push.cpu / ROWS) * 1e6,
      pullCpuPerRow: (pull.cpu / pulledRows) * 1e6,
      pushDatabaseCpuPerRow: (push.inDatabase / ROWS) * 1e6,
      pullDatabaseCpuPerRow: (pull.inDatabase / pulledRows) * 1e6,
    };
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
    await database?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export default async function serverPgBench(): Promise<BenchFigure[]> {
  const url = databaseUrl();
  if (!url) {
    process.stderr.write(
      `  ${BENCH}: skipped, it needs a real PostgreSQL: give --url postgres://USER:PASSWORD@HOST/DB or set ${TEST_DATABASE_VARIABLE} (a role with CREATEDB; .ci/postgres starts one here)\n`,
    );
    return [];
  }
  const postmaster = await localPostmaster(url);
  const cpuOf = postmaster ? 'servers + database' : 'servers only: the database is on another machine';
  const load = os.loadavg()[0]!;
  const bodies = pushBodies(ROWS);
  const figures: BenchFigure[] = [{ bench: BENCH, metric: `load average at the start (${os.cpus().length} cores)`, value: load, unit: '' }];
  const results = new Map<string, Measured>();
  for (const setup of SETUPS) {
    const name = `${setup.storage}, ${setup.processes} process${setup.processes > 1 ? 'es' : ''}`;
    process.stderr.write(`  ${name}...\n`);
    const measured = await measure(setup, url, postmaster, bodies);
    results.set(name, measured);
    const cpu = setup.storage === 'SQLite' ? 'server' : cpuOf;
    figures.push(
      { bench: BENCH, metric: `push, ${name} (${CLIENTS} clients, ${BATCH}/batch)`, value: measured.pushRowsPerSecond, unit: 'rows/s' },
      { bench: BENCH, metric: `pull, ${name} (${PULLERS} clients, ${PAGE}/page)`, value: measured.pullRowsPerSecond, unit: 'rows/s' },
      { bench: BENCH, metric: `CPU per pushed row, ${name} (${cpu})`, value: measured.pushCpuPerRow, unit: 'us' },
      { bench: BENCH, metric: `CPU per pulled row, ${name} (${cpu})`, value: measured.pullCpuPerRow, unit: 'us' },
    );
    if (setup.storage === 'PostgreSQL' && postmaster) {
      figures.push(
        { bench: BENCH, metric: `CPU per pushed row, ${name}: in PostgreSQL`, value: measured.pushDatabaseCpuPerRow, unit: 'us' },
        { bench: BENCH, metric: `CPU per pulled row, ${name}: in PostgreSQL`, value: measured.pullDatabaseCpuPerRow, unit: 'us' },
      );
    }
  }
  const one = results.get('PostgreSQL, 1 process')!;
  const four = results.get('PostgreSQL, 4 processes')!;
  const sqlite = results.get('SQLite, 1 process')!;
  figures.push(
    { bench: BENCH, metric: 'push, PostgreSQL 4 processes / 1', value: four.pushRowsPerSecond / one.pushRowsPerSecond, unit: 'ratio' },
    { bench: BENCH, metric: 'pull, PostgreSQL 4 processes / 1', value: four.pullRowsPerSecond / one.pullRowsPerSecond, unit: 'ratio' },
    { bench: BENCH, metric: 'push, PostgreSQL 1 process / SQLite', value: one.pushRowsPerSecond / sqlite.pushRowsPerSecond, unit: 'ratio' },
    { bench: BENCH, metric: 'pull, PostgreSQL 1 process / SQLite', value: one.pullRowsPerSecond / sqlite.pullRowsPerSecond, unit: 'ratio' },
  );
  return figures;
}
