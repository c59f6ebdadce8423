import { parentPort } from 'node:worker_threads';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { HybridClock } from '../db/clock';
import { openSqlite } from '../db/connection';
import * as schema from '../db/schema';
import { SyncLedger } from './ledger';
import { Outbox } from './outbox';
import { PullApplier, type PullStore, type PullTally } from './pull-applier';
import { fetchPulledChunks } from './pull-fetcher';
import { pushAll } from './push';
import { describeFailure, type ExchangeTarget, type FromSyncWorker, type PullRequest, type PushRequest, type ToSyncWorker } from './sync-thread';
import { SyncTransport } from './transport';

// The worker side of sync-thread.ts: each pull or push runs on a connection of its own.

const port = parentPort!;
const send = (message: FromSyncWorker) => port.postMessage(message);
const running = new Map<number, { controller: AbortController; heard: (() => void) | null }>();

/** Runs `work` on a new connection to the target's database, answering its result or its failure. */
async function serve(id: number, target: ExchangeTarget, work: (store: PullStore, signal: AbortSignal) => Promise<FromSyncWorker>): Promise<void> {
  const state = { controller: new AbortController(), heard: null as (() => void) | null };
  running.set(id, state);
  try {
    const sqlite = openSqlite(target.file, { key: target.key === null ? null : Buffer.from(target.key, 'hex') });
    try {
      // This connection only commits pulled chunks (each with its cursor) and the server's answers to
      // pushed batches: they need no fsync of their own. If the power fails before the next durable
      // commit (the app's connection stays FULL), the last of them are lost together (WAL keeps
      // commits in order): the chunks are pulled again, the rows pushed again and answered with the
      // same versions (ARCHITECTURE 3.4). Its automatic checkpoints keep the log small, here rather
      // than on the app's connection.
      sqlite.pragma('synchronous = NORMAL');
      const store = { sqlite, db: drizzle({ client: sqlite, schema }), clock: new HybridClock(), machineId: target.machineId };
      send(await work(store, state.controller.signal));
    } finally {
      sqlite.close();
    }
  } catch (error) {
    send({ id, failure: describeFailure(error, target.file) });
  } finally {
    running.delete(id);
  }
}

function pull(id: number, request: PullRequest) {
  return serve(id, request, async (store, signal) => {
    const applier = new PullApplier(store, new SyncLedger(store));
    const transport = new SyncTransport(request.server, request.machineId);
    const progress = (tally: PullTally) => ({ tally: { ...tally }, observed: store.clock.peek() });
    const tally = await applier.pullAll((since) => fetchPulledChunks(transport, since, { pageSize: request.pageSize, chunkRows: request.applyRows, signal }), {
      signal,
      onCommit: (soFar) =>
        new Promise<void>((resolve) => {
          running.get(id)!.heard = resolve;
          send({ id, progress: progress(soFar) });
        }),
    });
    return { id, done: progress(tally) };
  });
}

function push(id: number, request: PushRequest) {
  return serve(id, request, async (store, signal) => {
    const transport = new SyncTransport(request.server, request.machineId);
    const pushed = await pushAll(new Outbox(store), new SyncLedger(store), (body) => transport.push(body, signal), { limits: request.limits, signal });
    return { id, done: pushed };
  });
}

port.on('message', (message: ToSyncWorker) => {
  if (message.type === 'pull') return void pull(message.id, message.request);
  if (message.type === 'push') return void push(message.id, message.request);
  const state = running.get(message.id);
  if (message.type === 'heard') state?.heard?.();
  else state?.controller.abort(new Error('sync cancelled'));
});
send({ ready: true });
