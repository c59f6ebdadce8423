import type { PullAnnouncement } from '../protocol/wire';
import { decodeRecords, InvalidPullError, readPullAnswer, type PulledChunk } from './pull-decoder';
import type { SyncTransport } from './transport';

export interface FetchOptions {
  /** Rows asked for per request. */
  pageSize: number;
  /** Rows per chunk (one transaction each). */
  chunkRows: number;
  signal: AbortSignal;
}

/** A page requested: its answer, and its cursor as the headers announce it before the body arrives. */
function requestPage(transport: SyncTransport, since: number, options: FetchOptions) {
  let sent!: () => void;
  let announce!: (announced: PullAnnouncement | null) => void;
  const onItsWay = new Promise<void>((resolve) => (sent = resolve));
  const announced = new Promise<PullAnnouncement | null>((resolve) => (announce = resolve));
  const body = transport.pull(since, options.pageSize, { signal: options.signal, onSent: sent, onAnnounce: announce });
  body.then(sent, sent); // a request that fails before it leaves is on its way too
  return { onItsWay, announced, body };
}

/**
 * The chunks of every page from `since` on, fetched, validated and decoded, until the server has no
 * more. The next page is requested as soon as this one's headers announce its cursor, so the server
 * prepares it while this one is decoded and applied (a server that announces nothing is asked once
 * this page is parsed).
 */
export async function* fetchPulledChunks(transport: SyncTransport, since: number, options: FetchOptions): AsyncGenerator<PulledChunk> {
  const requestAfter = (from: number, cursor: number, hasMore: boolean) =>
    // A cursor that does not advance is refused by the applier, which ends the pull.
    hasMore && cursor > from && !options.signal.aborted ? requestPage(transport, cursor, options) : null;
  let current = requestPage(transport, since, options);
  for (;;) {
    const announced = await current.announced;
    let next = announced && requestAfter(since, announced.cursor, announced.hasMore);
    const answer = readPullAnswer(await current.body);
    if (announced && (announced.cursor !== answer.cursor || announced.hasMore !== answer.hasMore)) {
      throw new InvalidPullError(
        `The server announced cursor ${announced.cursor} (more: ${announced.hasMore}) in its headers but sent ${answer.cursor} (more: ${answer.hasMore}); nothing from that page was applied`,
      );
    }
    if (!announced) next = requestAfter(since, answer.cursor, answer.hasMore);
    // The request's bytes leave only when the event loop turns; decoding and applying this page keep
    // it busy, and the server would otherwise start on the next page only after them.
    await next?.onItsWay;
    yield* decodeRecords(answer, since, options.chunkRows);
    if (!next) return;
    since = answer.cursor;
    current = next;
  }
}
