import { Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';
import { InvalidPullError, unpackRecord, type DecodedPage, type PackedRecord } from './pull-page';
import { SyncError, type ServerConfig, type SyncErrorKind } from './transport';

/**
 * Pull pages fetched and decoded on a worker thread, ahead of the main thread that applies them.
 *
 * Fetching, decompressing, parsing and validating a page cost more than applying it, and on the main
 * thread they would both add to every event-loop stall and wait on each other (the next page's
 * cursor is only known once this one is parsed). The worker runs that chain on its own, requesting
 * the next page while it validates this one, and hands the main thread chunks of a page, at most
 * FEED_AHEAD of them ahead of what it has taken, so fetching, decoding and applying overlap
 * (ARCHITECTURE 7).
 */

/** Chunks the worker may hold decoded before the main thread takes them. */
export const FEED_AHEAD = 8;

export interface FeedRequest {
  server: ServerConfig;
  machineId: string;
  since: number;
  /** Rows asked for per request. */
  pageSize: number;
  /** Rows per chunk handed to the main thread (one transaction each). */
  applyRows: number;
}

export type FeedFailure =
  | { name: 'SyncError'; kind: SyncErrorKind; message: string }
  | { name: 'InvalidPullError' | 'Error'; message: string };

/** Main thread to worker. */
export type FeedCommand = { type: 'start'; id: number; request: FeedRequest } | { type: 'take' | 'cancel'; id: number };

/** A chunk as it crosses threads (see PackedRecord). */
export type PackedPage = Omit<DecodedPage, 'records'> & { records: PackedRecord[] };

/** Worker to main thread: `ready` once loaded, then per feed one message a chunk, the last one either `!page.hasMore` or a failure. */
export type FeedMessage = { ready: true } | { id: number; page: PackedPage } | { id: number; failure: FeedFailure };

/** A failure as it crosses threads (errors lose their class on the way). */
export function describeFeedFailure(error: unknown): FeedFailure {
  if (error instanceof SyncError) return { name: 'SyncError', kind: error.kind, message: error.message };
  if (error instanceof InvalidPullError) return { name: 'InvalidPullError', message: error.message };
  return { name: 'Error', message: error instanceof Error ? error.message : String(error) };
}

function rebuild(failure: FeedFailure): Error {
  if (failure.name === 'SyncError') return new SyncError(failure.kind, failure.message);
  if (failure.name === 'InvalidPullError') return new InvalidPullError(failure.message);
  return new Error(failure.message);
}

interface Feed {
  pages: (DecodedPage | Error)[];
  wake: (() => void) | null;
}

/**
 * One worker for the whole process, shared by every engine in it (each feed has its own id). It is
 * started by the first pull and keeps the process alive only while a feed is open.
 */
class FeedThread {
  private worker: Worker | null = null;
  private ready: Promise<void> = Promise.resolve();
  private nextId = 0;
  private readonly feeds = new Map<number, Feed>();

  /** Starts the worker if it is not running; resolves once it has loaded. */
  prepare(): Promise<void> {
    if (!this.worker) this.start();
    return this.ready;
  }

  async *pages(request: FeedRequest, signal?: AbortSignal): AsyncGenerator<DecodedPage> {
    const id = this.nextId++;
    const feed: Feed = { pages: [], wake: null };
    const worker = this.open(id, feed);
    const onAbort = () => this.settle(id, signal!.reason instanceof Error ? signal!.reason : new Error('pull aborted'));
    signal?.addEventListener('abort', onAbort);
    try {
      worker.postMessage({ type: 'start', id, request } satisfies FeedCommand);
      for (;;) {
        while (feed.pages.length === 0) await new Promise<void>((resolve) => (feed.wake = resolve));
        const next = feed.pages.shift()!;
        if (next instanceof Error) throw next;
        this.worker?.postMessage({ type: 'take', id } satisfies FeedCommand);
        yield next;
        if (!next.hasMore) return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.feeds.delete(id)) this.worker?.postMessage({ type: 'cancel', id } satisfies FeedCommand);
      if (this.feeds.size === 0) this.worker?.unref();
    }
  }

  private open(id: number, feed: Feed): Worker {
    const worker = this.worker ?? this.start();
    this.feeds.set(id, feed);
    worker.ref();
    return worker;
  }

  private start(): Worker {
    const { file, execArgv } = workerScript(__dirname, 'pull-feed-worker', __filename);
    const worker = new Worker(file, { execArgv });
    let loaded!: () => void;
    this.ready = new Promise<void>((resolve) => (loaded = resolve));
    worker.on('message', (message: FeedMessage) => {
      if ('ready' in message) {
        if (this.feeds.size === 0) worker.unref();
        return loaded();
      }
      const feed = this.feeds.get(message.id);
      if (!feed) return;
      feed.pages.push('page' in message ? { ...message.page, records: message.page.records.map(unpackRecord) } : rebuild(message.failure));
      feed.wake?.();
    });
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) => this.stopped(worker, new Error(`the pull thread exited (${code})`)));
    worker.once('exit', () => loaded());
    this.worker = worker;
    return worker;
  }

  /** Ends a feed with `error` (it is thrown to the one reading it). */
  private settle(id: number, error: Error): void {
    const feed = this.feeds.get(id);
    if (!feed) return;
    feed.pages.push(error);
    feed.wake?.();
  }

  /** Fails every open feed; the next pull starts a fresh worker. */
  private stopped(worker: Worker, cause: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const id of this.feeds.keys()) this.settle(id, new SyncError('transient', `The pull thread failed (${cause.message})`));
  }
}

const thread = new FeedThread();

/**
 * Starts the pull thread ahead of the first pull; resolves once it has loaded (a one-time cost:
 * tens of milliseconds from the app's bundle, more through the TypeScript loader in development).
 */
export function preparePullThread(): Promise<void> {
  return thread.prepare();
}

/** Chunks of pages from `request.since` on, each decoded and validated, until the server has no more. */
export function pullFeed(request: FeedRequest, signal?: AbortSignal): AsyncGenerator<DecodedPage> {
  return thread.pages(request, signal);
}
