import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { v7 as uuidv7 } from 'uuid';
import { PATHS, releaseHeaders, type PullResponse, type PushRequest, type PushResponse } from '../src/protocol/wire';
import { openSqliteSyncStorage, startSyncServer } from '../src/server';
import type { BenchFigure } from './figures';

/**
 * Sync server throughput over loopback HTTP beside the same storage work done in-process, in one run
 * (issue 3). Push: batches of 500 visits of about 1 KB, gzipped as the client sends them (the
 * client's compression is done beforehand: it is the client's cost). Pull: pages of 1000.
 * BENCH_SYNC_ROWS sets the row count (default 50,000).
 */

const ROWS = Number(process.env.BENCH_SYNC_ROWS ?? 50_000);
const BATCH = 500;
const PAGE = 1000;
const MACHINE = 'e'.repeat(64);

function makeVisit(i: number): Record<string, unknown> {
  const at = Date.now() - 3_600_000 + i;
  const answers: Record<string, unknown> = {
    household_size: (i % 9) + 1,
    water_source: ['well', 'tap', 'river', 'borehole'][i % 4],
    distance_to_water_m: (i * 37) % 2000,
    crops: ['millet', 'peanut', 'maize', 'cassava'].slice(0, (i % 4) + 1),
    livestock: { goats: i % 7, cattle: i % 3, chickens: (i * 5) % 30 },
    school_children: i % 4,
    vaccinated: i % 2 === 0,
    income_band: `band-${i % 5}`,
    comments: 'Roof repaired after the rains; family asks about the next distribution date.',
    follow_up: { needed: i % 3 === 0, reason: 'check the water point filter', due_in_days: 14 },
  };
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    machineId: MACHINE,
    deletedAt: null,
    householdId: uuidv7(),
    visitedAt: at,
    outcome: 'completed',
    notes: `Visit ${i}: all members present; follow-up on the water point scheduled. `.repeat(3),
    answers,
    enteredBy: 'fieldworker1',
  };
}

function batches(): PushRequest['changes'][] {
  const all: PushRequest['changes'][] = [];
  for (let i = 0; i < ROWS; i += BATCH) {
    all.push(Array.from({ length: Math.min(BATCH, ROWS - i) }, (_, j) => ({ table: 'visits', row: makeVisit(i + j) })));
  }
  return all;
}

function rate(rows: number, ms: number): number {
  return (rows / ms) * 1000;
}

export default async function syncServerBench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-bench-sync-'));
  try {
    const work = batches();
    const bodies = work.map((changes) => new Uint8Array(zlib.gzipSync(JSON.stringify({ changes }), { level: 1 })));
    const rawBytes = JSON.stringify({ changes: work[0] }).length / work[0]!.length;

    // In-process: the same storage calls, no HTTP.
    const storage = openSqliteSyncStorage({ file: path.join(dir, 'direct.db') });
    let t = performance.now();
    for (const changes of work) storage.applyPush(MACHINE, changes);
    const directPushMs = performance.now() - t;
    t = performance.now();
    let pulledDirect = 0;
    for (let since = 0, more = true; more; ) {
      const page = storage.pull(since, PAGE);
      pulledDirect += page.count;
      since = page.cursor;
      more = page.hasMore;
    }
    const directPullMs = performance.now() - t;
    storage.close();

    // Over loopback HTTP.
    const apiKey = crypto.randomBytes(32).toString('hex');
    const server = await startSyncServer({ apiKey, dbFile: path.join(dir, 'http.db') });
    // As this release's clients speak: protocol 2, the record schema they know.
    const headers = { authorization: `Bearer ${apiKey}`, ...releaseHeaders(MACHINE) };
    t = performance.now();
    for (const body of bodies) {
      const response = await fetch(`${server.url}${PATHS.push}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
        body,
      });
      const result = (await response.json()) as PushResponse;
      if (response.status !== 200 || result.results.some((r) => r.status !== 'applied')) throw new Error(`push failed: ${response.status}`);
    }
    const httpPushMs = performance.now() - t;
    t = performance.now();
    let pulledHttp = 0;
    for (let since = 0, more = true; more; ) {
      const response = await fetch(`${server.url}${PATHS.pull}?since=${since}&limit=${PAGE}`, {
        headers: { ...headers, 'accept-encoding': 'gzip' },
      });
      const page = (await response.json()) as PullResponse;
      pulledHttp += page.changes.length;
      since = page.cursor;
      more = page.hasMore;
    }
    const httpPullMs = performance.now() - t;
    const firstPage = await fetch(`${server.url}${PATHS.pull}?since=0&limit=${PAGE}`, { headers });
    const pulledBytes = (await firstPage.text()).length / PAGE;
    await server.close();
    if (pulledDirect !== ROWS || pulledHttp !== ROWS) throw new Error(`pulled ${pulledDirect} / ${pulledHttp} of ${ROWS}`);

    const bench = 'sync-server';
    const pushHttp = rate(ROWS, httpPushMs);
    const pushDirect = rate(ROWS, directPushMs);
    const pullHttp = rate(ROWS, httpPullMs);
    const pullDirect = rate(ROWS, directPullMs);
    return [
      { bench, metric: 'pushed record size (JSON)', value: rawBytes, unit: 'bytes' },
      { bench, metric: 'pulled record size (JSON, with its change envelope)', value: pulledBytes, unit: 'bytes' },
      { bench, metric: `push over HTTP (gzip, ${BATCH}/batch)`, value: pushHttp, unit: 'rows/s' },
      { bench, metric: 'push in-process (storage.applyPush)', value: pushDirect, unit: 'rows/s' },
      { bench, metric: 'push HTTP / in-process', value: pushHttp / pushDirect, unit: 'ratio', target: '>= 0.45' },
      { bench, metric: `pull over HTTP (gzip, ${PAGE}/page)`, value: pullHttp, unit: 'rows/s' },
      { bench, metric: 'pull in-process (storage.pull)', value: pullDirect, unit: 'rows/s' },
      { bench, metric: 'pull HTTP / in-process', value: pullHttp / pullDirect, unit: 'ratio' },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
