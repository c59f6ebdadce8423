import { Worker } from 'node:worker_threads';
import { suspendAutocheckpoint, type SqliteDatabase } from './connection';
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

/** To the checkpoint thread: a session per database being written to. */
export type CheckpointCommand = { id: number } & ({ type: 'open'; file: string } | { type: 'checkpoint' } | { type: 'close' });
/** From it: once loaded; the log's length after each checkpoint (-1: it failed); a session's end. */
export type CheckpointReply = { ready: true } | { id: number; frames: number } | { id: number; ended: true };

type SessionReply = Exclude<CheckpointReply, { ready: true }>;

/**
 * The checkpoint thread, shared by every checkpointOffThread in this thread and kept between them:
 * loading it took as much CPU as tens of thousands of pulled rows, and a pull started it anew each
 * time, beside its first chunks. It keeps the process alive only while a session is open; if it
 * dies, its open sessions end (their connections take their checkpoints back) and the next one
 * starts a new thread.
 */
let shared: { worker: Worker; ready: Promise<void>; sessions: Map<number, (reply: SessionReply) => void>; nextId: number } | null = null;

function checkpointThread() {
  if (shared) return shared;
  const { file, execArgv } = workerScript(__dirname, 'checkpoint-worker', __filename);
  const worker = new Worker(file, { execArgv });
  let loaded!: () => void;
  const thread = { worker, ready: new Promise<void>((resolve) => (loaded = resolve)), sessions: new Map<number, (reply: SessionReply) => void>(), nextId: 0 };
  worker.on('message', (reply: CheckpointReply) => {
    if ('ready' in reply) return loaded();
    thread.sessions.get(reply.id)?.(reply);
  });
  worker.on('error', () => undefined);
  worker.once('exit', () => {
    loaded();
    if (shared === thread) shared = null;
    for (const hear of [...thread.sessions.values()]) hear({ id: -1, ended: true });
  });
  worker.unref();
  shared = thread;
  return thread;
}

/** Starts the checkpoint thread ahead of the first large write; resolves once it has loaded. */
export function prepareCheckpointThread(): Promise<void> {
  return checkpointThread().ready;
}

/** One database's checkpoints on the shared thread, until closed or the thread dies. */
function openSession(file: string, hear: (reply: SessionReply) => void) {
  const thread = checkpointThread();
  const id = thread.nextId++;
  const send = (command: CheckpointCommand) => thread.worker.postMessage(command);
  let ended!: () => void;
  const closed = new Promise<void>((resolve) => (ended = resolve));
  thread.sessions.set(id, (reply) => {
    if ('ended' in reply) {
      thread.sessions.delete(id);
      if (thread.sessions.size === 0) thread.worker.unref();
      ended();
    }
    hear(reply);
  });
  thread.worker.ref();
  send({ id, type: 'open', file });
  return {
    checkpoint: () => send({ id, type: 'checkpoint' }),
    /** Resolves once the session's connection is closed (after any checkpoint in progress). */
    close: () => {
      if (thread.sessions.has(id)) send({ id, type: 'close' });
      return closed;
    },
  };
}

/**
 * Checkpoints a database's write-ahead log from another thread while `work` runs, instead of letting
 * a commit on this connection do it: copying a few megabytes of log into the database file (with its
 * fsync) stalled the main thread 20-40 ms every 1,000 pages during a large pull
 * (bench/sync-client.bench.ts). Meanwhile this connection's own automatic checkpoints are off; they
 * are restored afterwards. The session starts on the first call, so small work never opens one.
 */
export async function checkpointOffThread<T>(sqlite: SqliteDatabase, work: (checkpointer: Checkpointer) => Promise<T>): Promise<T> {
  let session: ReturnType<typeof openSession> | null = null;
  let alive = false;
  let restore = () => {};
  let running: Promise<void> | null = null;
  let done: (() => void) | null = null;
  let logFrames = 0;
  let commitsUnreported = 0;
  const finish = () => {
    running = null;
    done?.();
  };
  const opened = () => {
    if (session) return session;
    restore = suspendAutocheckpoint(sqlite);
    alive = true;
    session = openSession(sqlite.name, (reply) => {
      if ('ended' in reply) {
        // A session that ends early (its database could not be opened, or the thread died) gives the
        // log back to this connection's own automatic checkpoints.
        alive = false;
        restore();
      } else if (reply.frames >= 0) {
        // -1: that checkpoint failed, and the log's length stays unknown.
        logFrames = reply.frames;
        commitsUnreported = 0;
      }
      finish();
    });
    return session;
  };
  const start = (): Promise<void> => {
    if (sqlite.memory || (session && !alive)) return Promise.resolve();
    running ??= new Promise<void>((resolve) => {
      done = resolve;
      opened().checkpoint();
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
    await (session as ReturnType<typeof openSession> | null)?.close();
  }
}
