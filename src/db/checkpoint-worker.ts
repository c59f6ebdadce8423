import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './connection';

// The thread side of wal-checkpointer.ts: one connection that copies the log into the database on
// request, closed when asked.
const sqlite = openSqlite(workerData as string);
parentPort!.on('message', (command: 'checkpoint' | 'close') => {
  if (command === 'close') {
    sqlite.close();
    parentPort!.close();
    return;
  }
  try {
    sqlite.pragma('wal_checkpoint(PASSIVE)');
  } finally {
    parentPort!.postMessage('done');
  }
});
