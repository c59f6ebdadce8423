import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from './connection';

// The thread side of wal-checkpointer.ts: one connection that copies the log into the database on
// request and answers with the log's length in frames then (-1 if the checkpoint failed), closed
// when asked.
const sqlite = openSqlite(workerData as string);
parentPort!.on('message', (command: 'checkpoint' | 'close') => {
  if (command === 'close') {
    sqlite.close();
    parentPort!.close();
    return;
  }
  let log = -1;
  try {
    log = (sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
  } finally {
    parentPort!.postMessage(log);
  }
});
