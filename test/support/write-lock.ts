import { Worker } from 'node:worker_threads';

/**
 * Another connection to `file`, on another thread, that takes the write lock, runs `sql`, and holds
 * the lock for `holdMs` before committing: what the app's connection meets while the sync worker
 * commits a chunk, and the other way round. Resolves once the lock is held; `committed` resolves after.
 */
export async function holdWriteLock(file: string, sql: string, holdMs: number): Promise<{ committed: Promise<void> }> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.driver);
     const db = new Database(workerData.file);
     db.pragma('busy_timeout = 5000');
     db.exec('BEGIN IMMEDIATE');
     db.exec(workerData.sql);
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { file, sql, holdMs, driver: require.resolve('better-sqlite3') } },
  );
  const committed = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock holder exited ${code}`))));
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    committed.catch(reject);
  });
  return { committed };
}
