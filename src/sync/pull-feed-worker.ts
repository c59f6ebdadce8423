import { FEED_AHEAD, type FeedRequest, type PackedPage } from './pull-feed';
import type { PullAnnouncement } from '../protocol/wire';
import { decodeRecords, InvalidPullError, packRecord, readPullAnswer } from './pull-page';
import { serveStreams } from './shared-thread';
import { SyncTransport } from './transport';

// The thread side of pull-feed.ts: fetches and decodes pages ahead of the thread that applies them.

serveStreams<FeedRequest, PackedPage>(async (request, emit, signal) => {
  const transport = new SyncTransport(request.server, request.machineId);
  const requestPage = (since: number) => {
    let sent!: () => void;
    let announce!: (announced: PullAnnouncement | null) => void;
    const onItsWay = new Promise<void>((resolve) => (sent = resolve));
    const announced = new Promise<PullAnnouncement | null>((resolve) => (announce = resolve));
    const body = transport.pull(since, request.pageSize, { signal, onSent: sent, onAnnounce: announce });
    body.then(sent, sent); // a request that fails before it leaves is on its way too
    return { onItsWay, announced, body };
  };
  const requestAfter = (since: number, cursor: number, hasMore: boolean) =>
    // A cursor that does not advance is refused by the applying side, which ends the feed.
    hasMore && cursor > since && !signal.aborted ? requestPage(cursor) : null;
  let since = request.since;
  let current = requestPage(since);
  for (;;) {
    // The next page is requested as soon as this one's headers announce its cursor, so the server
    // works on it while this one arrives, is decompressed, parsed and decoded (0.58 -> 0.65 of the raw
    // copy, bench/sync-client.bench.ts). A server that announces nothing is asked once this page is parsed.
    const announced = await current.announced;
    let next = announced && requestAfter(since, announced.cursor, announced.hasMore);
    const answer = readPullAnswer(await current.body);
    if (announced && (announced.cursor !== answer.cursor || announced.hasMore !== answer.hasMore)) {
      throw new InvalidPullError(
        `The server announced cursor ${announced.cursor} (more: ${announced.hasMore}) in its headers but sent ${answer.cursor} (more: ${answer.hasMore}); nothing from that page was applied`,
      );
    }
    if (!announced) next = requestAfter(since, answer.cursor, answer.hasMore);
    // A request only leaves once this thread's event loop turns (the socket write waits in the tick
    // queue), and decoding keeps it busy: without this wait the server started each page only after
    // the previous one was decoded and handed over.
    await next?.onItsWay;
    const chunks = decodeRecords(answer, since, request.applyRows);
    for (const [i, page] of chunks.entries()) {
      await emit({ ...page, records: page.records.map(packRecord) }, !next && i === chunks.length - 1);
      if (signal.aborted) return;
    }
    if (!next) return;
    since = answer.cursor;
    current = next;
  }
}, { ahead: FEED_AHEAD });
