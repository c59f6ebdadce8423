import { Worker } from 'node:worker_threads';
import { v7 as uuidv7 } from 'uuid';
import { LIMITS, type PushRequest } from '../src/protocol/wire';
import { openSqliteSyncStorage } from '../src/server';
import { workerScript } from '../src/worker-script';

/** What the sync benches share: a server file seeded with realistic rows. */

const OTHER_PC = 'e'.repeat(64);

/** A realistic mix: one household per 5 rows, then 2 people and 2 visits for it. */
export function seedChanges(from: number, count: number, base: number): PushRequest['changes'] {
  const changes: PushRequest['changes'] = [];
  let householdId = '';
  for (let i = from; i < from + count; i++) {
    const stamps = { id: uuidv7(), createdAt: base + i, updatedAt: base + i, machineId: OTHER_PC, deletedAt: null };
    if (i % 5 === 0) {
      householdId = stamps.id;
      changes.push({ table: 'households', row: { ...stamps, area: `Area ${i % 40}`, address: `${i} Market Road`, headName: `Head ${i}`, phone: '+221 77 000 00 00', geoLat: 14.7, geoLng: -17.4, notes: 'Near the mosque.' } });
    } else if (i % 5 < 3) {
      changes.push({ table: 'people', row: { ...stamps, householdId, fullName: `Person ${i}`, dateOfBirth: '1990-01-01', gender: 'female', phone: '', idDocument: `ID-${i}`, attributes: { languages: ['wo', 'fr'], literate: true } } });
    } else {
      changes.push({ table: 'visits', row: { ...stamps, householdId, visitedAt: base + i, outcome: 'completed', notes: 'All members present; follow-up on the water point scheduled.', answers: { household_size: (i % 9) + 1, water_source: 'well', crops: ['millet', 'peanut'], livestock: { goats: i % 7 } }, enteredBy: 'fieldworker1' } });
    }
  }
  return changes;
}

/**
 * Seeds `rows` rows through the server's storage directly (the code a push runs), one push's worth
 * at a time, so the seed rows are garbage long before anything is measured.
 */
export function seedServer(serverFile: string, rows: number): void {
  const storage = openSqliteSyncStorage({ file: serverFile, now: Date.now });
  const base = Date.now() - 3_600_000;
  for (let i = 0; i < rows; i += LIMITS.pushRows) storage.applyPush(OTHER_PC, seedChanges(i, Math.min(LIMITS.pushRows, rows - i), base));
  storage.close();
}

/**
 * `seedServer` in a thread of its own: the seed's 100 MB of garbage stays out of the heap of the
 * thread a bench watches, whose later collections of it (V8's memory reducer, 15-40 ms pauses) would
 * land in the stalls it measures; the app's main thread never holds such a heap.
 */
export async function seedServerInThread(serverFile: string, rows: number): Promise<void> {
  const { file, execArgv } = workerScript(__dirname, 'seed-server-thread', __filename);
  const worker = new Worker(file, { execArgv, workerData: { serverFile, rows } });
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the seeding thread exited with ${code}`))));
  });
}
