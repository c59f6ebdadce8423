import { asStorageFault } from '../db/storage-fault';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { HybridClock } from '../db/clock';
import { workerScript } from '../worker-script';
import type { PullTally } from './pull-applier';
import { InvalidPullError } from './pull-decoder';
import { SyncError, type ServerConfig, type SyncErrorKind } from './transport';

/**
 * A pull runs on a worker thread with its own connection to the local database (pull-worker.ts):
 * fetching, decoding and applying 100k rows would otherwise hold the event loop the UI waits on. The
 * main thread only hears, after each chunk, how far the pull got.
 */

export interface PullRequest {
  /** The local database file (the worker opens its own connection to it). */
  file: string;
  /** The database key in hex (null: a plain database). */
  key: string | null;
  server: ServerConfig;
  machineId: string;
  /** Rows asked for per request. */
  pageSize: number;
  /** Rows applied per transaction. */
  applyRows: number;
}

export interface PullProgress {
  /** The pull so far. */
  tally: PullTally;
  /** The highest stamp applied so far: the main thread's clock observes it (ARCHITECTURE 2). */
  observed: number;
}

/** A failure as it crosses threads: errors lose their class on the way. */
type PullFailure = { name: 'SyncError'; kind: SyncErrorKind; message: string; status?: number } | { name: 'InvalidPullError' | 'Error'; message: string };

/** To the worker: start a pull; the main thread heard of a chunk; stop a pull between chunks. */
export type ToPullWorker = { type: 'pull'; id: number; request: PullRequest } | { type: 'heard' | 'cancel'; id: number };

/** From the worker: loaded; after each chunk; a pull's end, done or failed. */
export type FromPullWorker =
  | { ready: true }
  | { id: number; progress: PullProgress }
  | { id: number; done: PullProgress }
  | { id: number; failure: PullFailure };

/** `file`: the database the pull writes, named by a storage fault's plain message (src/db/storage-fault.ts). */
export function describeFailure(error: unknown, file: string): PullFailure {
  if (error instanceof SyncError) return { name: 'SyncError', kind: error.kind, message: error.message, ...(error.status !== undefined && { status: error.status }) };
  if (error instanceof InvalidPullError) return { name: 'InvalidPullError', message: error.message };
  const fault = asStorageFault(error, file) ?? error;
  return { name: 'Error', message: fault instanceof Error ? fault.message : String(fault) };
}

function rebuild(failure: PullFailure): Error {
  if (failure.name === 'SyncError') return new SyncError(failure.kind, failure.message, failure.status);
  if (failure.name === 'InvalidPullError') return new InvalidPullError(failure.message);
  return new Error(failure.message);
}

type Ending = Exclude<FromPullWorker, { ready: true }>;

/**
 * One worker for the whole process, shared by every engine in it and kept between pulls: loading it
 * costs far more than a small pull. It keeps the process alive only while a pull runs; if it dies,
 * the pulls in flight fail as transient errors and the next pull starts a new one.
 */
let shared: { worker: Worker; ready: Promise<void>; pulls: Map<number, (message: Ending) => void> } | null = null;
let nextId = 0;

function pullWorker() {
  if (shared) return shared;
  const { file, execArgv } = workerScript(path.dirname(__filename), 'pull-worker', __filename);
  const worker = new Worker(file, { execArgv });
  let loaded!: () => void;
  const thread = { worker, ready: new Promise<void>((resolve) => (loaded = resolve)), pulls: new Map<number, (message: Ending) => void>() };
  worker.on('message', (message: FromPullWorker) => {
    if (!('ready' in message)) return thread.pulls.get(message.id)?.(message);
    // Loading keeps the process alive (someone awaits `ready`); an idle worker does not.
    if (thread.pulls.size === 0) worker.unref();
    loaded();
  });
  const died = (cause: string) => {
    loaded();
    if (shared === thread) shared = null;
    for (const [id, hear] of thread.pulls) hear({ id, failure: { name: 'SyncError', kind: 'transient', message: `The sync stopped unexpectedly (${cause}); it will try again by itself.` } });
  };
  worker.on('error', (error) => died(error.message));
  worker.on('exit', (code) => died(`exit code ${code}`));
  shared = thread;
  return thread;
}

/** Starts the pull worker ahead of the first pull (as at app start); resolves once it has loaded. */
export function preparePullWorker(): Promise<void> {
  return pullWorker().ready;
}

/**
 * Pulls from the stored cursor until the server has no more; `clock` observes every pulled stamp.
 * When `signal` aborts, the worker stops between chunks and this rejects only once it has: a chunk
 * being committed is never left behind the caller's back (the engine closes the database next).
 */
export function pullInWorker(request: PullRequest, clock: HybridClock, signal: AbortSignal): Promise<PullTally> {
  if (request.file === ':memory:') return Promise.reject(new Error('An in-memory database cannot be synced: the pull needs a database file'));
  const { worker, pulls } = pullWorker();
  const id = nextId++;
  const send = (message: ToPullWorker) => worker.postMessage(message);
  const cancel = () => send({ type: 'cancel', id });
  return new Promise<PullTally>((resolve, reject) => {
    pulls.set(id, (message) => {
      if ('progress' in message) {
        clock.observe(message.progress.observed);
        // Only now may the worker take the write lock again: a local write waiting for it on this
        // thread also keeps this answer back, so it gets its turn between two chunks.
        return send({ type: 'heard', id });
      }
      pulls.delete(id);
      if (pulls.size === 0) worker.unref();
      signal.removeEventListener('abort', cancel);
      if ('done' in message) {
        clock.observe(message.done.observed);
        resolve(message.done.tally);
      } else reject(signal.aborted ? signal.reason : rebuild(message.failure));
    });
    worker.ref();
    signal.addEventListener('abort', cancel);
    send({ type: 'pull', id, request });
    if (signal.aborted) cancel();
  });
}
