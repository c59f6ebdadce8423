import { drizzle } from 'drizzle-orm/better-sqlite3';
import { HybridClock } from '../db/clock';
import { openSqlite } from '../db/connection';
import * as schema from '../db/schema';
import { checkpointOffThread, prepareCheckpointThread } from '../db/wal-checkpointer';
import { SyncLedger } from './ledger';
import { PullApplier } from './pull';
import { prepareFeedThread, pullFeed } from './pull-feed';
import type { PullProgress, PullRequest } from './pull-thread';
import { serveStreams } from './shared-thread';

// The thread side of pull-thread.ts: one connection per pull, closed when it ends.

/**
 * After each chunk, wait until the main thread has heard of it: a local write there that waits for
 * the write lock also keeps it from hearing, so the next chunk does not start before that write got
 * its turn. Without this the pull took the lock again at once, and a write could wait out the whole
 * pull: up to 183 ms measured (bench/sync-client.bench.ts).
 */
const PROGRESS_AHEAD = 1;

serveStreams<PullRequest, PullProgress>(async (request, emit, signal) => {
  const sqlite = openSqlite(request.file);
  // This connection only commits pulled chunks, each with its cursor: they need no fsync of their own.
  // If the power fails before the next durable commit (the app's connection stays FULL), the last
  // chunks and their cursor are lost together (WAL keeps commits in order) and are pulled again.
  sqlite.pragma('synchronous = NORMAL');
  try {
    const store = { sqlite, db: drizzle({ client: sqlite, schema }), clock: new HybridClock() };
    const applier = new PullApplier(store, new SyncLedger(store));
    const progress = (tally: PullProgress['tally'], last: boolean) => emit({ tally: { ...tally }, observed: store.clock.peek() }, last);
    const tally = await checkpointOffThread(sqlite, (checkpointer) =>
      applier.pullAll((since) => pullFeed({ ...request, since }, signal), { signal, checkpointer, onChunk: (t) => progress(t, false) }),
    );
    await progress(tally, true);
  } finally {
    sqlite.close();
  }
}, { ahead: PROGRESS_AHEAD, loading: Promise.all([prepareFeedThread(), prepareCheckpointThread()]) });
