import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './connection';
import { workerScript } from '../worker-script';

/** Checkpoints run on another thread, for work that writes a great deal (see checkpointOffThread). */
export interface Checkpointer {
  /** Starts a checkpoint beside the writes that go on, unless one is running. */
  start(): void;
  /**
   * Resolves after a checkpoint that started once everything written so far was committed: write
   * nothing until then, and the next write starts the log over instead of growing it.
   */
  complete(): Promise<void>;
}

/**
 * Checkpoints a database's write-ahead log from another thread while `work` runs, instead of letting
 * a commit on this connection do it: copying a few megabytes of log into the database file (with its
 * fsync) stalled the main thread 20-40 ms every 1,000 pages during a large pull
 * (bench/sync-client.bench.ts). Meanwhile this connection's own automatic checkpoints are off; they
 * are restored afterwards. The thread starts on the first call, so small work never starts it.
 */
export async function checkpointOffThread<T>(sqlite: SqliteDatabase, work: (checkpointer: Checkpointer) => Promise<T>): Promise<T> {
  let worker: Worker | null = null;
  let alive = false;
  let exited: Promise<void> = Promise.resolve();
  let previous: number | null = null;
  let running: Promise<void> | null = null;
  let done: (() => void) | null = null;
  const finish = () => {
    running = null;
    done?.();
  };
  const restore = () => {
    if (previous !== null && sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${previous}`);
  };
  const thread = () => {
    if (worker) return worker;
    previous = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
    sqlite.pragma('wal_autocheckpoint = 0');
    const { file, execArgv } = workerScript(__dirname, 'checkpoint-worker', __filename);
    const started = new Worker(file, { execArgv, workerData: sqlite.name });
    alive = true;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    started.on('message', finish);
    // A thread that fails ends its checkpoint and gives the log back to this connection's own
    // automatic checkpoints.
    started.on('error', () => undefined);
    started.once('exit', () => {
      alive = false;
      restore();
      finish();
    });
    worker = started;
    return started;
  };
  const start = (): Promise<void> => {
    if (sqlite.memory || (worker && !alive)) return Promise.resolve();
    running ??= new Promise<void>((resolve) => {
      done = resolve;
      thread().postMessage('checkpoint');
    });
    return running;
  };
  try {
    return await work({
      start: () => void start(),
      complete: async () => {
        await running;
        await start();
      },
    });
  } finally {
    restore();
    // Closed from inside, after any checkpoint in progress, so its connection ends cleanly.
    if (alive) (worker as Worker | null)?.postMessage('close');
    await exited;
  }
}
