import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from '../src/db/connection';
import { openLocalStore } from '../src/db/local-store';
import { LIMITS } from '../src/protocol/wire';
import { DEFAULT_PULL_APPLY_ROWS, SyncEngine } from '../src/sync';
import { prepareSyncWorker } from '../src/sync/sync-thread';
import { workerScript } from '../src/worker-script';
import { median, type BenchFigure } from './figures';
import type { RawCopy } from './raw-copy-thread';
import { spawnServerProcess } from '../test/support/server-process';
import { seedServerInThread } from './sync-fixtures';

/**
 * The client engine (issue 4): initial sync of ROWS rows into an empty client over loopback HTTP,
 * beside a raw pull-and-apply loop (server file -> client file, raw prepared statements, pages of
 * the size the engine fetches, one durable transaction each with the page's search documents, no
 * HTTP), both into encrypted files as the app's are, the two alternating RUNS
 * times, each into a new empty file; the longest event-loop stall during those pulls; how long a
 * local write waits during such a pull (into another client); a push of PUSH_ROWS dirty rows.
 * BENCH_SYNC_CLIENT_ROWS / _RUNS / _PUSH / _APPLY (rows per transaction in the engine) set the sizes.
 */

const ROWS = Number(process.env.BENCH_SYNC_CLIENT_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_SYNC_CLIENT_RUNS ?? 3);
const PUSH_ROWS = Number(process.env.BENCH_SYNC_CLIENT_PUSH ?? 10_000);
const APPLY_ROWS = Number(process.env.BENCH_SYNC_CLIENT_APPLY ?? DEFAULT_PULL_APPLY_ROWS);
/** The engine's default request size. */
const PAGE = LIMITS.pullMax;
/** Every client file is encrypted, as the app's are (docs/encryption.md), the raw copy's too. */
const KEY = crypto.randomBytes(32);

/**
 * Longest gap between 1 ms ticks (ms): how long the event loop was blocked at worst, over the whole
 * run and from the moment `started()` first holds (the first pulled page applied: before it, a first
 * sync in a fresh process also loads and compiles its HTTP and sync code once).
 */
function stallProbe(started: () => boolean) {
  let last = performance.now();
  let longest = 0;
  let longestApplying = 0;
  let applying = false;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    if (applying) longestApplying = Math.max(longestApplying, now - last);
    else applying = started();
    last = now;
  }, 1);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  return () => {
    clearInterval(timer);
    histogram.disable();
    return { probeMs: longest, applyingMs: longestApplying, p99Ms: histogram.percentile(99) / 1e6 };
  };
}

/**
 * A small local write every 20 ms, as entry would make them, on the app's connection: it waits for
 * the sync worker's chunk in progress. Written to instance_meta so nothing extra is pushed. Returns
 * a stop function giving the longest write (ms).
 */
function localWrites(sqlite: SqliteDatabase) {
  const write = sqlite.prepare("INSERT INTO instance_meta (key, value) VALUES ('bench.entry', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  let longest = 0;
  const timer = setInterval(() => {
    const started = performance.now();
    write.run(String(started));
    longest = Math.max(longest, performance.now() - started);
  }, 20);
  return () => {
    clearInterval(timer);
    return longest;
  };
}

/**
 * The raw copy's rate, measured in a thread of its own: the garbage of 100k rows' arrays stays out
 * of this thread's heap, whose collections would otherwise stall the engine's event loop (a 53 ms
 * full collection was seen here), which the bench watches.
 */
async function rawRate(serverFile: string, clientFile: string): Promise<number> {
  const { file, execArgv } = workerScript(__dirname, 'raw-copy-thread', __filename);
  const worker = new Worker(file, { execArgv, workerData: { serverFile, clientFile, page: PAGE, key: KEY.toString('hex') } satisfies RawCopy });
  const ms = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the raw copy's thread exited (${code}) without a time`)));
  });
  await worker.terminate();
  removeDatabase(clientFile);
  return (ROWS / ms) * 1000;
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}

interface InitialSync {
  ms: number;
  rate: number;
  stall: ReturnType<ReturnType<typeof stallProbe>>;
}

/** The engine's first sync of an empty client file, timed, with the event loop watched meanwhile. */
async function initialSync(serverUrl: string, apiKey: string, file: string): Promise<InitialSync> {
  const store = openLocalStore({ file, key: KEY });
  const engine = new SyncEngine({ store, config: { serverUrl, apiKey, pullIntervalMs: 3_600_000 }, pullApplyRows: APPLY_ROWS });
  try {
    const cursor = store.sqlite.prepare('SELECT pull_cursor FROM sync_state').pluck();
    const stop = stallProbe(() => ((cursor.get() as number | null) ?? 0) > 0);
    const started = performance.now();
    const status = await engine.syncNow();
    const ms = performance.now() - started;
    const stall = stop();
    if (status.lastError) throw new Error(status.lastError);
    const pulled = engine.lastReport?.pulled ?? 0;
    if (pulled !== ROWS) throw new Error(`pulled ${pulled} of ${ROWS} rows`);
    return { ms, rate: (ROWS / ms) * 1000, stall };
  } finally {
    await engine.stop();
    store.close();
  }
}

export default async function syncClientBench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-bench-sync-client-'));
  const apiKey = crypto.randomBytes(32).toString('hex');
  const serverFile = path.join(dir, 'server.db');
  await seedServerInThread(serverFile, ROWS);
  const server = await spawnServerProcess({ db: serverFile, apiKey, cwd: dir });
  const figures: BenchFigure[] = [];
  const bench = 'sync-client';
  try {

    // A one-time start, as at app launch; here it includes compiling the TypeScript sources.
    const workerStarted = performance.now();
    await prepareSyncWorker();
    const workerMs = performance.now() - workerStarted;
    // The machine's speed drifts over a run (one raw copy on each side of the engine differed by
    // 0.67-1.28x): raw copies and engine syncs alternate, each sync's ratio is taken against the
    // mean of the copies just before and just after it, and the figures are medians over RUNS.
    const rawRates = [await rawRate(serverFile, path.join(dir, 'raw-client-0.db'))];
    const syncs: InitialSync[] = [];
    for (let run = 1; run <= RUNS; run++) {
      syncs.push(await initialSync(server.url, apiKey, path.join(dir, `client-${run}.db`)));
      // The first synced client stays for the push below.
      if (run > 1) removeDatabase(path.join(dir, `client-${run}.db`));
      rawRates.push(await rawRate(serverFile, path.join(dir, `raw-client-${run}.db`)));
    }
    const ratios = syncs.map((sync, i) => sync.rate / ((rawRates[i]! + rawRates[i + 1]!) / 2));
    const list = (values: number[]) => values.map((v) => v.toFixed(2)).join(', ');
    figures.push(
      { bench, metric: 'sync worker start (once per process, TypeScript loader)', value: workerMs, unit: 'ms' },
      { bench, metric: `initial sync of ${ROWS} rows (engine, HTTP; median of ${RUNS}: ${list(syncs.map((s) => s.ms / 1000))})`, value: median(syncs.map((s) => s.ms)) / 1000, unit: 's' },
      { bench, metric: 'initial sync rate (engine, HTTP; median)', value: median(syncs.map((s) => s.rate)), unit: 'rows/s' },
      { bench, metric: `raw pull-and-apply rate (files, no HTTP; median of ${RUNS + 1}, alternating with the syncs)`, value: median(rawRates), unit: 'rows/s' },
      { bench, metric: 'slowest / fastest raw copy', value: Math.min(...rawRates) / Math.max(...rawRates), unit: 'ratio' },
      { bench, metric: `engine / raw (median; each sync against the copies beside it: ${list(ratios)})`, value: median(ratios), unit: 'ratio', target: '>= 0.5' },
      { bench, metric: `longest event-loop stall while applying the pull (1 ms probe, ${APPLY_ROWS} rows per transaction; worst of ${list(syncs.map((s) => s.stall.applyingMs))})`, value: Math.max(...syncs.map((s) => s.stall.applyingMs)), unit: 'ms', target: '< 20' },
      { bench, metric: 'longest event-loop stall of a whole sync (worst; the first sync includes first-use loading)', value: Math.max(...syncs.map((s) => s.stall.probeMs)), unit: 'ms' },
      { bench, metric: 'event-loop delay p99 during a sync (worst)', value: Math.max(...syncs.map((s) => s.stall.p99Ms)), unit: 'ms' },
    );

    // Again into another empty client, this time with local writes on the app's connection meanwhile.
    const busy = openLocalStore({ file: path.join(dir, 'client-writing.db'), key: KEY });
    const busyEngine = new SyncEngine({ store: busy, config: { serverUrl: server.url, apiKey, pullIntervalMs: 3_600_000 }, pullApplyRows: APPLY_ROWS });
    const stopWrites = localWrites(busy.sqlite);
    const busyStatus = await busyEngine.syncNow();
    const longestWriteMs = stopWrites();
    if (busyStatus.lastError) throw new Error(busyStatus.lastError);
    await busyEngine.stop();
    busy.close();
    figures.push({ bench, metric: 'longest local write during an initial sync (one every 20 ms; waits for the chunk being committed)', value: longestWriteMs, unit: 'ms', target: '< 50' });

    const store = openLocalStore({ file: path.join(dir, 'client-1.db'), key: KEY });
    const engine = new SyncEngine({ store, config: { serverUrl: server.url, apiKey, pullIntervalMs: 3_600_000 } });
    const household = store.repos.households.create({ area: 'Bench' });
    const visits = Array.from({ length: PUSH_ROWS - 1 }, (_, i) => ({
      householdId: household.id,
      visitedAt: i,
      outcome: 'completed' as const,
      notes: 'All members present; follow-up on the water point scheduled.',
      answers: { household_size: (i % 9) + 1, water_source: 'well', crops: ['millet', 'peanut'] },
    }));
    store.repos.visits.batchCreate(visits);
    const stopPush = stallProbe(() => true);
    const pushStarted = performance.now();
    const afterPush = await engine.syncNow();
    const pushMs = performance.now() - pushStarted;
    const pushStall = stopPush();
    if (afterPush.lastError || afterPush.pendingTotal !== 0) throw new Error(`push incomplete: ${JSON.stringify(afterPush)}`);
    figures.push(
      { bench, metric: `push of ${PUSH_ROWS} dirty rows`, value: pushMs / 1000, unit: 's' },
      { bench, metric: 'push rate', value: (PUSH_ROWS / pushMs) * 1000, unit: 'rows/s' },
      { bench, metric: 'longest event-loop stall during the push', value: pushStall.probeMs, unit: 'ms', target: '< 20' },
    );
    await engine.stop();
    store.close();
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
