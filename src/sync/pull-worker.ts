import { parentPort } from 'node:worker_threads';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { HybridClock } from '../db/clock';
import { openSqlite } from '../db/connection';
import * as schema from '../db/schema';
import { SyncLedger } from './ledger';
import { PullApplier, type PullTally } from './pull-applier';
import { fetchPulledChunks } from './pull-fetcher';
import { describeFailure, type FromPullWorker, type PullRequest, type ToPullWorker } from './pull-in-worker';
import { SyncTransport } from './transport';

// The worker side of pull-in-worker.ts: each pull fetches, decodes and applies on a connection of its own.

const port = parentPort!;
const send = (message: FromPullWorker) => port.postMessage(message);
const running = new Map<number, { controller: AbortController; heard: (() => void) | null }>();

async function pull(id: number, request: PullRequest): Promise<void> {
  const state = { controller: new AbortController(), heard: null as (() => void) | null };
  running.set(id, state);
  const { signal } = state.controller;
  try {
    const sqlite = openSqlite(request.file, { key: request.key === null ? null : Buffer.from(request.key, 'hex') });
    try {
      // This connection only commits pulled chunks, each with its cursor: they need no fsync of their
      // own. If the power fails before the next durable commit (the app's connection stays FULL), the
      // last chunks and their cursor are lost together (WAL keeps commits in order) and pulled again.
      // Its automatic checkpoints keep the log small, here rather than on the app's connection.
      sqlite.pragma('synchronous = NORMAL');
      const store = { sqlite, db: drizzle({ client: sqlite, schema }), clock: new HybridClock(), machineId: request.machineId };
      const applier = new PullApplier(store, new SyncLedger(store));
      const transport = new SyncTransport(request.server, request.machineId);
      const progress = (tally: PullTally) => ({ tally: { ...tally }, observed: store.clock.peek() });
      const tally = await applier.pullAll((since) => fetchPulledChunks(transport, since, { pageSize: request.pageSize, chunkRows: request.applyRows, signal }), {
        signal,
        onChunk: (soFar) =>
          new Promise<void>((resolve) => {
            state.heard = resolve;
            send({ id, progress: progress(soFar) });
          }),
      });
      send({ id, done: progress(tally) });
    } finally {
      sqlite.close();
    }
  } catch (error) {
    send({ id, failure: describeFailure(error, request.file) });
  } finally {
    running.delete(id);
  }
}

port.on('message', (message: ToPullWorker) => {
  if (message.type === 'pull') return void pull(message.id, message.request);
  const state = running.get(message.id);
  if (message.type === 'heard') state?.heard?.();
  else state?.controller.abort(new Error('pull cancelled'));
});
send({ ready: true });
