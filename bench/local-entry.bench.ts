import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { openSqlite } from '../src/db/connection';
import { newDatabaseKey } from '../src/db/encryption';
import { openLocalStore } from '../src/db/local-store';
import type { VisitInput } from '../src/db/record-schemas';
import { percentile, type BenchFigure } from './figures';

const ROWS = Number(process.env.BENCH_ENTRY_ROWS ?? 100_000);
const SINGLE_SAVES = Number(process.env.BENCH_SINGLE_SAVES ?? 2_000);

function visitInputs(householdId: string, count: number): VisitInput[] {
  return Array.from({ length: count }, (_, i) => ({
    householdId,
    visitedAt: 1_700_000_000_000 + i,
    outcome: 'completed',
    notes: `visit ${i}`,
    answers: { q1: i % 5, q2: 'yes', household_size: (i % 9) + 1 },
    enteredBy: 'bench',
  }));
}

/** The same rows through raw better-sqlite3 prepared inserts in one transaction. */
function rawInsert(file: string, key: Buffer, householdId: string, inputs: VisitInput[], machineId: string): number {
  const sqlite = openSqlite(file, { key });
  const insert = sqlite.prepare(
    `INSERT INTO visits (id, created_at, updated_at, machine_id, deleted_at, server_version, dirty,
       household_id, visited_at, outcome, notes, answers, entered_by)
     VALUES (?, ?, ?, ?, NULL, NULL, 1, ?, ?, ?, ?, ?, ?)`,
  );
  const started = performance.now();
  sqlite.transaction(() => {
    const stamp = Date.now();
    for (const v of inputs) {
      insert.run(uuidv7(), stamp, stamp, machineId, householdId, v.visitedAt, v.outcome, v.notes, JSON.stringify(v.answers), v.enteredBy);
    }
  })();
  const elapsed = performance.now() - started;
  sqlite.close();
  return elapsed;
}

/** Batch entry of ROWS visits through the repository, in ms, on a new database (plain when key is null). */
function repositoryBatch(file: string, key: Buffer | null): number {
  const store = openLocalStore({ file, ...(key && { key }) });
  const household = store.repos.households.create({ area: 'Bench' });
  const inputs = visitInputs(household.id, ROWS);
  const started = performance.now();
  store.repos.visits.batchCreate(inputs);
  const elapsed = performance.now() - started;
  store.close();
  return elapsed;
}

/** Batch entry on the encrypted database (as the app keeps it) against raw inserts on one, and against a plain one. */
export default async function localEntryBench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-bench-entry-'));
  try {
    const key = newDatabaseKey();
    const repoStore = openLocalStore({ file: path.join(dir, 'repo.db'), key });
    const rawStore = openLocalStore({ file: path.join(dir, 'raw.db'), key });
    const repoHousehold = repoStore.repos.households.create({ area: 'Bench' });
    const rawHousehold = rawStore.repos.households.create({ area: 'Bench' });
    const rawMachine = rawStore.machineId;
    rawStore.close();

    // Alternate the order so neither side always runs on a warm page cache.
    const rawMs = rawInsert(path.join(dir, 'raw.db'), key, rawHousehold.id, visitInputs(rawHousehold.id, ROWS), rawMachine);
    const inputs = visitInputs(repoHousehold.id, ROWS);
    const started = performance.now();
    repoStore.repos.visits.batchCreate(inputs);
    const repoMs = performance.now() - started;
    const plainMs = repositoryBatch(path.join(dir, 'plain.db'), null);

    const latencies: number[] = [];
    for (const input of visitInputs(repoHousehold.id, SINGLE_SAVES)) {
      const t = performance.now();
      repoStore.repos.visits.create(input);
      latencies.push(performance.now() - t);
    }
    latencies.sort((a, b) => a - b);
    repoStore.close();

    const repoRate = ROWS / (repoMs / 1000);
    const rawRate = ROWS / (rawMs / 1000);
    const plainRate = ROWS / (plainMs / 1000);
    return [
      { bench: 'local-entry', metric: `batch create ${ROWS} visits (repository, encrypted)`, value: repoRate, unit: 'rows/s' },
      { bench: 'local-entry', metric: `batch create ${ROWS} visits (raw better-sqlite3, encrypted)`, value: rawRate, unit: 'rows/s' },
      { bench: 'local-entry', metric: 'repository / raw (both encrypted)', value: repoRate / rawRate, unit: 'ratio', target: '>= 0.8' },
      { bench: 'local-entry', metric: `batch create ${ROWS} visits (repository, plain)`, value: plainRate, unit: 'rows/s' },
      { bench: 'local-entry', metric: 'encrypted / plain (repository)', value: repoRate / plainRate, unit: 'ratio', target: '>= 0.6' },
      { bench: 'local-entry', metric: 'single save p50 (own transaction, FULL, encrypted)', value: percentile(latencies, 50), unit: 'ms' },
      { bench: 'local-entry', metric: 'single save p99 (own transaction, FULL, encrypted)', value: percentile(latencies, 99), unit: 'ms' },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
