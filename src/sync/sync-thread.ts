import { asStorageFault } from '../db/storage-fault';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HybridClock } from '../db/clock';
import { workerScript } from '../worker-script';
import type { BatchLimits } from './outbox';
import type { PullTally } from './pull-applier';
import { InvalidPullError } from './pull-decoder';
import type { PushTotal } from './push';
import { SyncError, type ServerConfig, type SyncErrorKind } from './transport';

/**
 * Pulls and pushes run on one worker thread with connections of their own to the local database
 * (sync-worker.ts): fetching, decoding and applying 100k rows, or reading, sending and acknowledging
 * 10k dirty ones, would otherwise hold the event loop the UI waits on. The main thread only hears how
 * far they got.
 */

/** Where the worker finds the database and the server. */
export interface ExchangeTarget {
  /** The local database file (the worker opens its own connection to it). */
  file: string;
  /** The database key in hex (null: a plain database). */
  key: string | null;
  server: ServerConfig;
  machineId: string;
}

export interface PullRequest extends ExchangeTarget {
  /** Rows asked for per request. */
  pageSize: number;
  /** Rows applied per transaction. */
  applyRows: number;
}

export interface PushRequest extends ExchangeTarget {
  limits: BatchLimits;
}

export interface PullProgress {
  /** The pull so far. */
  tally: PullTally;
  /** The highest stamp applied so far: the main thread's clock observes it (ARCHITECTURE 2). */
  observed: number;
}

/** A failure as it crosses threads: errors lose their class on the way. */
type Failure = { name: 'SyncError'; kind: SyncErrorKind; message: string; status?: number } | { name: 'InvalidPullError' | 'Error'; message: string };

/** To the worker: start a pull or a push; the main thread heard of a pulled chunk; stop between chunks or batches. */
export type ToSyncWorker = { type: 'pull'; id: number; request: PullRequest } | { type: 'push'; id: number; request: PushRequest } | { type: 'heard' | 'cancel'; id: number };

/** From the worker: loaded; after each pulled chunk; the end of a pull or a push, or its failure. */
export type FromSyncWorker =
  | { ready: true }
  | { id: number; progress: PullProgress }
  | { id: number; done: PullProgress | PushTotal }
  | { id: number; failure: Failure };

/** `file`: the database the worker writes, named by a storage fault's plain message (src/db/storage-fault.ts). */
export function describeFailure(error: unknown, file: string): Failure {
  if (error instanceof SyncError) return { name: 'SyncError', kind: error.kind, message: error.message, ...(error.status !== undefined && { status: error.status }) };
  if (error instanceof InvalidPullError) return { name: 'InvalidPullError', message: error.message };
  const fault = asStorageFault(error, file) ?? error;
  return { name: 'Error', message: fault instanceof Error ? fault.message : String(fault) };
}

function rebuild(failure: Failure): Error {
  if (failure.name === 'SyncError') return new SyncError(failure.kind, failure.message, failure.status);
  if (failure.name === 'InvalidPullError') return new InvalidPullError(failure.message);
  return new Error(failure.message);
}

type Answer = Exclude<FromSyncWorker, { ready: true }>;

/**
 * One worker for the whole process, shared by every engine in it and kept between exchanges: loading
 * it costs far more than a small pull. It keeps the process alive only while a request runs; if it
 * dies, the requests in flight fail as transient errors and the next one starts a new worker.
 */
let shared: { worker: Worker; ready: Promise<void>; requests: Map<number, (message: Answer) => void> } | null = null;
let nextId = 0;

function syncWorker() {
  if (shared) return shared;
  const { file, execArgv } = workerScript(path.dirname(__filename), 'sync-worker', __filename);
  const worker = new Worker(file, { execArgv });
  let loaded!: () => void;
  const thread = { worker, ready: new Promise<void>((resolve) => (loaded = resolve)), requests: new Map<number, (message: Answer) => void>() };
  worker.on('message', (message: FromSyncWorker) => {
    if (!('ready' in message)) return thread.requests.get(message.id)?.(message);
    // Loading keeps the process alive (someone awaits `ready`); an idle worker does not.
    if (thread.requests.size === 0) worker.unref();
    loaded();
  });
  const died = (cause: string) => {
    loaded();
    if (shared === thread) shared = null;
    for (const [id, hear] of thread.requests) hear({ id, failure: { name: 'SyncError', kind: 'transient', message: `The sync stopped unexpectedly (${cause}); it will try again by itself.` } });
  };
  worker.on('error', (error) => died(error.message));
  worker.on('exit', (code) => died(`exit code ${code}`));
  shared = thread;
  return thread;
}

/** Starts the sync worker ahead of the first exchange (as at app start); resolves once it has loaded. */
export function prepareSyncWorker(): Promise<void> {
  return syncWorker().ready;
}

/** What each request ends with. */
type Results = { pull: PullProgress; push: PushTotal };

/**
 * Runs one request on the worker until it ends. When `signal` aborts, the worker
 * stops between chunks or batches and this rejects only once it has: a transaction being committed is
 * never left behind the caller's back (the engine closes the database next).
 */
function run<K extends keyof Results>(
  start: ToSyncWorker & { type: K },
  signal: AbortSignal,
  onProgress?: (progress: PullProgress) => void,
): Promise<Results[K]> {
  if (start.request.file === ':memory:') return Promise.reject(new Error('An in-memory database cannot be synced: the sync needs a database file'));
  const { worker, requests } = syncWorker();
  const { id } = start;
  const cancel = () => worker.postMessage({ type: 'cancel', id } satisfies ToSyncWorker);
  return new Promise<Results[K]>((resolve, reject) => {
    requests.set(id, (message) => {
      if ('progress' in message) return onProgress?.(message.progress);
      requests.delete(id);
      if (requests.size === 0) worker.unref();
      signal.removeEventListener('abort', cancel);
      if ('failure' in message) reject(signal.aborted ? signal.reason : rebuild(message.failure));
      else resolve(message.done as Results[K]);
    });
    worker.ref();
    signal.addEventListener('abort', cancel);
    worker.postMessage(start);
    if (signal.aborted) cancel();
  });
}

/** Pulls from the stored cursor until the server has no more; `clock` observes every pulled stamp. */
export async function pullInWorker(request: PullRequest, clock: HybridClock, signal: AbortSignal): Promise<PullTally> {
  const id = nextId++;
  const pulled = await run({ type: 'pull', id, request }, signal, (progress) => {
    clock.observe(progress.observed);
    // Only now may the worker take the write lock again: a local write waiting for it on this
    // thread also keeps this answer back, so it gets its turn between two chunks.
    syncWorker().worker.postMessage({ type: 'heard', id } satisfies ToSyncWorker);
  });
  clock.observe(pulled.observed);
  return pulled.tally;
}

/** Pushes every due row once, batch by batch (push.ts), recording the server's answers as they come. */
export function pushInWorker(request: PushRequest, signal: AbortSignal): Promise<PushTotal> {
  return run({ type: 'push', id: nextId++, request }, signal);
}
