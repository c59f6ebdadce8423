import { parentPort } from 'node:worker_threads';
import { describeFeedFailure, FEED_AHEAD, type FeedCommand, type FeedMessage, type FeedRequest } from './pull-feed';
import { decodeRecords, packRecord, readPullAnswer } from './pull-page';
import { SyncTransport } from './transport';

// The worker side of pull-feed.ts: fetches and decodes pages ahead of the main thread.

const port = parentPort!;

interface Running {
  /** Chunks sent but not yet taken by the main thread. */
  ahead: number;
  wake: (() => void) | null;
  controller: AbortController;
}

const running = new Map<number, Running>();

port.on('message', (command: FeedCommand) => {
  if (command.type === 'start') {
    const feed: Running = { ahead: 0, wake: null, controller: new AbortController() };
    running.set(command.id, feed);
    void run(command.id, command.request, feed).finally(() => running.delete(command.id));
    return;
  }
  const feed = running.get(command.id);
  if (!feed) return;
  if (command.type === 'take') feed.ahead--;
  else feed.controller.abort();
  feed.wake?.();
});

port.postMessage({ ready: true } satisfies FeedMessage);

async function run(id: number, request: FeedRequest, feed: Running): Promise<void> {
  const transport = new SyncTransport(request.server, request.machineId);
  const { signal } = feed.controller;
  const fetchPage = (since: number) => transport.pull(since, request.pageSize, signal);
  let since = request.since;
  try {
    let body = await fetchPage(since);
    for (;;) {
      const answer = readPullAnswer(body);
      // A cursor that does not advance is refused by the main thread, which ends the feed.
      const more = answer.hasMore && answer.cursor > since;
      while (feed.ahead >= FEED_AHEAD && !signal.aborted) await new Promise<void>((resolve) => (feed.wake = resolve));
      // The next page travels while this one is validated.
      const next = more && !signal.aborted ? fetchPage(answer.cursor) : null;
      next?.catch(() => undefined); // awaited below, or abandoned with the feed
      const chunks = decodeRecords(answer, since, request.applyRows);
      if (signal.aborted) return;
      feed.ahead += chunks.length;
      for (const page of chunks) port.postMessage({ id, page: { ...page, records: page.records.map(packRecord) } } satisfies FeedMessage);
      if (!next) return;
      since = answer.cursor;
      body = await next;
    }
  } catch (error) {
    if (!signal.aborted) port.postMessage({ id, failure: describeFeedFailure(error) } satisfies FeedMessage);
  }
}
