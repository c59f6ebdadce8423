import path from 'node:path';
import { parentPort, Worker } from 'node:worker_threads';
import { workerScript } from '../worker-script';
import { InvalidPullError } from './pull-page';
import { SyncError, type SyncErrorKind } from './transport';

/**
 * A worker thread shared by the whole (or the parent) thread that serves streams: each request gets
 * an id and a stream of items back, the last one marked `last` or a failure. The pull runs on two of
 * them (pull-thread.ts applies, pull-feed.ts fetches and decodes), so neither blocks the main thread.
 */

type ThreadFailure =
  | { name: 'SyncError'; kind: SyncErrorKind; message: string }
  | { name: 'InvalidPullError' | 'Error'; message: string };

/** To the thread. */
type Command<Request> = { type: 'start'; id: number; request: Request } | { type: 'take' | 'cancel'; id: number };

/**
 * From the thread: `ready` once loaded, then per stream its items, the last one `last` or a failure,
 * and `ended` once the thread is done with the stream (after its last item, or once it stopped on
 * `cancel`).
 */
type Message<Item> =
  | { ready: true }
  | { id: number; item: Item; last: boolean }
  | { id: number; failure: ThreadFailure }
  | { id: number; ended: true };

/** A failure as it crosses threads (errors lose their class on the way). */
function describeFailure(error: unknown): ThreadFailure {
  if (error instanceof SyncError) return { name: 'SyncError', kind: error.kind, message: error.message };
  if (error instanceof InvalidPullError) return { name: 'InvalidPullError', message: error.message };
  return { name: 'Error', message: error instanceof Error ? error.message : String(error) };
}

function rebuild(failure: ThreadFailure): Error {
  if (failure.name === 'SyncError') return new SyncError(failure.kind, failure.message);
  if (failure.name === 'InvalidPullError') return new InvalidPullError(failure.message);
  return new Error(failure.message);
}

/** The thread is done with a stream that had not sent its last item: it was cancelled. */
const ENDED = Symbol('ended');

interface Stream<Item> {
  items: ({ item: Item; last: boolean } | Error | typeof ENDED)[];
  wake: (() => void) | null;
}

/**
 * The caller's side. The worker starts on first use and keeps the process alive only while a stream
 * is open; if it dies, every open stream fails (transient) and the next request starts a fresh one.
 */
export class SharedThread<Request, Item> {
  private worker: Worker | null = null;
  private ready: Promise<void> = Promise.resolve();
  private nextId = 0;
  private readonly streams = new Map<number, Stream<Item>>();

  /** `script` is the worker's file name without extension, beside `callerFile` (see workerScript). */
  constructor(
    private readonly callerFile: string,
    private readonly script: string,
  ) {}

  /** Starts the worker if it is not running; resolves once it has loaded. */
  prepare(): Promise<void> {
    if (!this.worker) this.start();
    return this.ready;
  }

  /**
   * The items the thread sends for `request`. When `signal` aborts, the thread is asked to stop, and
   * the stream throws the abort's reason only once the thread is done with it: whatever it was doing
   * (a chunk being committed) is over by then. Items it sent meanwhile are still yielded.
   */
  async *stream(request: Request, signal?: AbortSignal): AsyncGenerator<Item> {
    const id = this.nextId++;
    const stream: Stream<Item> = { items: [], wake: null };
    const worker = this.worker ?? this.start();
    this.streams.set(id, stream);
    worker.ref();
    const onAbort = () => this.worker?.postMessage({ type: 'cancel', id } satisfies Command<Request>);
    signal?.addEventListener('abort', onAbort);
    let done = false;
    try {
      worker.postMessage({ type: 'start', id, request } satisfies Command<Request>);
      if (signal?.aborted) onAbort();
      for (;;) {
        while (stream.items.length === 0) await new Promise<void>((resolve) => (stream.wake = resolve));
        const next = stream.items.shift()!;
        done = next instanceof Error || next === ENDED || next.last;
        if (next instanceof Error) throw next;
        if (next === ENDED) {
          signal?.throwIfAborted();
          throw new Error('the thread ended the stream before its last item');
        }
        this.worker?.postMessage({ type: 'take', id } satisfies Command<Request>);
        yield next.item;
        if (next.last) return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A reader that stops early (it broke off, or threw) leaves the thread to stop on its own.
      if (this.streams.delete(id) && !done) onAbort();
      if (this.streams.size === 0) this.worker?.unref();
    }
  }

  private start(): Worker {
    const { file, execArgv } = workerScript(path.dirname(this.callerFile), this.script, this.callerFile);
    const worker = new Worker(file, { execArgv });
    let loaded!: () => void;
    this.ready = new Promise<void>((resolve) => (loaded = resolve));
    worker.on('message', (message: Message<Item>) => {
      if ('ready' in message) {
        if (this.streams.size === 0) worker.unref();
        return loaded();
      }
      const stream = this.streams.get(message.id);
      if (!stream) return;
      if ('item' in message) stream.items.push({ item: message.item, last: message.last });
      else stream.items.push('failure' in message ? rebuild(message.failure) : ENDED);
      stream.wake?.();
    });
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) => this.stopped(worker, new Error(`the thread exited (${code})`)));
    worker.once('exit', () => loaded());
    this.worker = worker;
    return worker;
  }

  private stopped(worker: Worker, cause: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    for (const stream of this.streams.values()) {
      stream.items.push(new SyncError('transient', `A sync thread failed (${cause.message})`));
      stream.wake?.();
    }
  }
}

/** What a served stream writes with: sends the item, then waits while `ahead` items are untaken. */
export type Emit<Item> = (item: Item, last: boolean) => Promise<void>;

/**
 * The worker's side: runs `serve` for each request. A stream ends when `serve` emits its last item
 * or throws (sent as its failure); a cancelled stream's signal aborts and nothing more is sent but
 * `ended`, once `serve` has returned. `loading` is awaited before the thread says it is ready.
 */
export function serveStreams<Request, Item>(
  serve: (request: Request, emit: Emit<Item>, signal: AbortSignal) => Promise<void>,
  options: { ahead: number; loading?: Promise<unknown> },
): void {
  const port = parentPort!;
  const running = new Map<number, { ahead: number; wake: (() => void) | null; controller: AbortController }>();
  port.on('message', (command: Command<Request>) => {
    if (command.type === 'start') {
      const state = { ahead: 0, wake: null as (() => void) | null, controller: new AbortController() };
      running.set(command.id, state);
      const { signal } = state.controller;
      const emit: Emit<Item> = async (item, last) => {
        if (signal.aborted) return;
        state.ahead++;
        port.postMessage({ id: command.id, item, last } satisfies Message<Item>);
        while (state.ahead >= options.ahead && !signal.aborted) await new Promise<void>((resolve) => (state.wake = resolve));
      };
      const { id } = command;
      void serve(command.request, emit, signal)
        .then(
          (): Message<Item> => ({ id, ended: true }),
          (error: unknown): Message<Item> => (signal.aborted ? { id, ended: true } : { id, failure: describeFailure(error) }),
        )
        .then((message) => {
          running.delete(id);
          port.postMessage(message);
        });
      return;
    }
    const state = running.get(command.id);
    if (!state) return;
    if (command.type === 'take') state.ahead--;
    else state.controller.abort();
    state.wake?.();
  });
  void (options.loading ?? Promise.resolve()).then(() => port.postMessage({ ready: true } satisfies Message<Item>));
}
