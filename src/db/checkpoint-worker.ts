import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './connection';

// The thread side of WalCheckpointer: one connection that copies the log into the database on request.
const sqlite = openSqlite(workerData as string);
parentPort!.on('message', () => {
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    parentPort!.postMessage('done');
  }
});
