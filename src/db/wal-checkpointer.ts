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
  /**
   * For work that commits again and again: call after each commit. Starts a checkpoint (unless one
   * is running) and resolves at once, unless the log may have outgrown its bound (see
   * LOG_BOUND_FRAMES): then once a checkpoint has completed.
   */
  afterCommit(): Promise<void>;
}

/**
 * A checkpoint beside the writes copies the log while the writer pauses, and SQLite starts the log
 * over at the next write whenever one has caught up. Writes that follow each other without a pause
 * never let one catch up, so once the last checkpoint found more than LOG_BOUND_FRAMES pages in the
 * log (6 MB), or none has reported for LOG_BOUND_COMMITS commits (the thread is still loading, or the
 * disk is slow), the writer waits for one to complete. Waiting at fixed intervals instead (every
 * 5,000 pulled rows) left the pull thread idle about 0.6 s per 100,000 rows (bench/sync-client.bench.ts).
 */
const LOG_BOUND_FRAMES = 1500;
const LOG_BOUND_COMMITS = 20;

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
  let logFrames = 0;
  let commitsUnreported = 0;
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
    started.on('message', (frames: number) => {
      // -1: that checkpoint failed, and the log's length stays unknown.
      if (frames >= 0) {
        logFrames = frames;
        commitsUnreported = 0;
      }
      finish();
    });
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
  const complete = async () => {
    await running;
    await start();
    // The next write starts the log over.
    logFrames = 0;
    commitsUnreported = 0;
  };
  try {
    return await work({
      start: () => void start(),
      complete,
      afterCommit: async () => {
        void start();
        if (logFrames > LOG_BOUND_FRAMES || ++commitsUnreported > LOG_BOUND_COMMITS) await complete();
      },
    });
  } finally {
    restore();
    // Closed from inside, after any checkpoint in progress, so its connection ends cleanly.
    if (alive) (worker as Worker | null)?.postMessage('close');
    await exited;
  }
}
