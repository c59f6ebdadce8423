import type { HybridClock } from '../db/clock';
import type { PullTally } from './pull';
import type { FeedRequest } from './pull-feed';
import { SharedThread } from './shared-thread';

/**
 * The pull runs on a thread of its own, with its own connection to the local database: it applies
 * chunk by chunk (PullApplier) what the feed thread (pull-feed.ts) fetched and decoded. The main
 * thread, which serves the UI, only hears how far it got; a local write made meanwhile waits at most
 * for the chunk being committed (ARCHITECTURE 7).
 */

export interface PullRequest extends Omit<FeedRequest, 'since'> {
  /** The local database file (the pull opens its own connection to it). */
  file: string;
}

/** Sent after every applied chunk. */
export interface PullProgress {
  /** The pull so far. */
  tally: PullTally;
  /** The highest stamp applied so far: the main thread's clock observes it (ARCHITECTURE 2). */
  observed: number;
}

const thread = new SharedThread<PullRequest, PullProgress>(__filename, 'pull-thread-worker');

/** Starts the pull threads ahead of the first pull; resolves once they have loaded. */
export function preparePullThread(): Promise<void> {
  return thread.prepare();
}

/** Pulls from the stored cursor until the server has no more; `clock` observes every pulled stamp. */
export async function pullInThread(request: PullRequest, clock: HybridClock, signal?: AbortSignal): Promise<PullTally> {
  if (request.file === ':memory:') throw new Error('An in-memory database cannot be synced: the pull needs a database file');
  let tally: PullTally = { received: 0, applied: 0, conflicts: 0, parked: 0 };
  for await (const progress of thread.stream(request, signal)) {
    clock.observe(progress.observed);
    tally = progress.tally;
  }
  return tally;
}
