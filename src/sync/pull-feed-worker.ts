import { FEED_AHEAD, type FeedRequest, type PackedPage } from './pull-feed';
import { decodeRecords, packRecord, readPullAnswer } from './pull-page';
import { serveStreams } from './shared-thread';
import { SyncTransport } from './transport';

// The thread side of pull-feed.ts: fetches and decodes pages ahead of the thread that applies them.

serveStreams<FeedRequest, PackedPage>(async (request, emit, signal) => {
  const transport = new SyncTransport(request.server, request.machineId);
  const requestPage = (since: number) => {
    let sent!: () => void;
    const onItsWay = new Promise<void>((resolve) => (sent = resolve));
    const body = transport.pull(since, request.pageSize, signal, sent);
    body.then(sent, sent); // a request that fails before it leaves is on its way too
    return { onItsWay, body };
  };
  let since = request.since;
  let body = await requestPage(since).body;
  for (;;) {
    const answer = readPullAnswer(body);
    // A cursor that does not advance is refused by the applying side, which ends the feed.
    const more = answer.hasMore && answer.cursor > since;
    const next = more && !signal.aborted ? requestPage(answer.cursor) : null;
    // The next page is requested before this one is decoded, so the server works on it meanwhile. But
    // a request only leaves once this thread's event loop turns (the socket write waits in the tick
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
    body = await next.body;
  }
}, { ahead: FEED_AHEAD });
