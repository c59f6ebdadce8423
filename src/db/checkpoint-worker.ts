import { parentPort } from 'node:worker_threads';
import { openSqlite, type SqliteDatabase } from './connection';
import type { CheckpointCommand, CheckpointReply } from './wal-checkpointer';

// The thread side of wal-checkpointer.ts: one connection per session (a database being written to
// elsewhere), which copies the log into the database on request and answers with the log's length in
// frames then (-1 when that checkpoint failed). A session whose database cannot be opened ends at once.
const port = parentPort!;
const sessions = new Map<number, SqliteDatabase>();
const reply = (message: CheckpointReply) => port.postMessage(message);

port.on('message', (command: CheckpointCommand) => {
  const { id } = command;
  if (command.type === 'open') {
    try {
      sessions.set(id, openSqlite(command.file));
    } catch {
      reply({ id, ended: true });
    }
    return;
  }
  const sqlite = sessions.get(id);
  if (command.type === 'close') {
    sqlite?.close();
    sessions.delete(id);
    reply({ id, ended: true });
    return;
  }
  if (!sqlite) return;
  let frames = -1;
  try {
    frames = (sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
  } finally {
    reply({ id, frames });
  }
});
reply({ ready: true });
