import { unpackRecord, type DecodedPage, type PackedRecord } from './pull-page';
import { SharedThread } from './shared-thread';
import type { ServerConfig } from './transport';

/**
 * Pull pages fetched and decoded on a thread of their own, ahead of the thread that applies them
 * (pull-thread.ts).
 *
 * Fetching, decompressing, parsing and validating a page cost about as much as applying it, and in
 * one thread they would wait on each other (the next page's cursor is only known once this one is
 * parsed). This thread runs that chain on its own, requesting the next page while it validates this
 * one, and hands over chunks of a page, at most FEED_AHEAD of them ahead of what was taken, so
 * fetching, decoding and applying overlap (ARCHITECTURE 7).
 */

/** Chunks the feed may hold decoded before the applying side takes them. */
export const FEED_AHEAD = 16;

export interface FeedRequest {
  server: ServerConfig;
  machineId: string;
  since: number;
  /** Rows asked for per request. */
  pageSize: number;
  /** Rows per chunk handed over (one transaction each). */
  applyRows: number;
}

/** A chunk as it crosses threads (see PackedRecord). */
export type PackedPage = Omit<DecodedPage, 'records'> & { records: PackedRecord[] };

const thread = new SharedThread<FeedRequest, PackedPage>(__filename, 'pull-feed-worker');

/** Starts the feed thread ahead of the first pull; resolves once it has loaded. */
export function prepareFeedThread(): Promise<void> {
  return thread.prepare();
}

/** Chunks of pages from `request.since` on, each decoded and validated, until the server has no more. */
export async function* pullFeed(request: FeedRequest, signal?: AbortSignal): AsyncGenerator<DecodedPage> {
  for await (const page of thread.stream(request, signal)) yield { ...page, records: page.records.map(unpackRecord) };
}
