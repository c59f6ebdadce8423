import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';

/**
 * bcrypt on a worker thread. bcryptjs's async API still ran in slices on the main thread: the event
 * loop the UI and the contract wait on stalled up to 106 ms per hash at cost 12 (`npm run bench --
 * accounts`). One worker serves the process, started at the first hash, and keeps it alive only
 * while a hash is in flight; if it dies, the hashes in flight fail and the next one starts another.
 */

type HashWork = { type: 'hash'; password: string; cost: number } | { type: 'compare'; password: string; hash: string };
export type HashRequest = HashWork & { id: number };
export type HashAnswer = { id: number; value: string | boolean } | { id: number; error: string };

interface Pending {
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

let shared: { worker: Worker; pending: Map<number, Pending> } | null = null;
let nextId = 0;

function hashWorker() {
  if (shared) return shared;
  const { file, execArgv } = workerScript(__dirname, 'hash-worker', __filename);
  const thread = { worker: new Worker(file, { execArgv }), pending: new Map<number, Pending>() };
  thread.worker.on('message', (answer: HashAnswer) => {
    const waiting = thread.pending.get(answer.id);
    thread.pending.delete(answer.id);
    if (thread.pending.size === 0) thread.worker.unref();
    if ('error' in answer) waiting?.reject(new Error(answer.error));
    else waiting?.resolve(answer.value);
  });
  const died = (cause: string) => {
    if (shared === thread) shared = null;
    for (const waiting of thread.pending.values()) waiting.reject(new Error(`password hashing stopped (${cause})`));
    thread.pending.clear();
  };
  thread.worker.on('error', (error) => died(error.message));
  thread.worker.on('exit', (code) => died(`exit code ${code}`));
  shared = thread;
  return thread;
}

function run(work: HashWork): Promise<string | boolean> {
  const { worker, pending } = hashWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.ref();
    const request: HashRequest = { ...work, id };
    worker.postMessage(request);
  });
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return run({ type: 'hash', password, cost }) as Promise<string>;
}

export function comparePassword(password: string, hash: string): Promise<boolean> {
  return run({ type: 'compare', password, hash }) as Promise<boolean>;
}
