import type { SyncLedger, PushTally } from './ledger';
import { pushBody, type BatchLimits, type Outbox, type OutgoingChange } from './outbox';
import { SyncError } from './transport';
import type { PushResponse } from '../protocol/wire';

/** What a push run did: every due record sent once, with the server's answers tallied. */
export type PushTotal = PushTally & { sent: number };

/** Sends one push body; the engine supplies its transport. */
export type SendBatch = (body: string) => Promise<PushResponse>;

/**
 * Pushes every due row once, batch by batch, and records the server's per-record answers as each
 * batch returns (ARCHITECTURE 3.3, 3.4, 3.8). A 413 splits the batch in halves and retries; a single
 * record the server will never take is marked rejected locally and the rest goes on.
 */
export async function pushAll(
  outbox: Outbox,
  ledger: SyncLedger,
  send: SendBatch,
  options: { limits?: BatchLimits; signal?: AbortSignal } = {},
): Promise<PushTotal> {
  const total: PushTotal = { applied: 0, superseded: 0, rejected: 0, sent: 0 };
  for (const batch of outbox.batches(options.limits)) {
    options.signal?.throwIfAborted();
    const tally = await pushBatch(batch, ledger, send);
    total.applied += tally.applied;
    total.superseded += tally.superseded;
    total.rejected += tally.rejected;
    total.sent += batch.length;
  }
  if (total.sent > 0) ledger.recordPush(Date.now());
  return total;
}

async function pushBatch(batch: OutgoingChange[], ledger: SyncLedger, send: SendBatch): Promise<PushTally> {
  try {
    const response = await send(pushBody(batch));
    return ledger.recordResults(batch, response.results, Date.now());
  } catch (error) {
    if (!(error instanceof SyncError) || error.kind !== 'too_large') throw error;
    if (batch.length === 1) {
      ledger.reject(batch[0]!, 'invalid_record', `${error.message}: this record alone exceeds the server's limit`, Date.now());
      return { applied: 0, superseded: 0, rejected: 1 };
    }
    const middle = Math.ceil(batch.length / 2);
    const first = await pushBatch(batch.slice(0, middle), ledger, send);
    const second = await pushBatch(batch.slice(middle), ledger, send);
    return {
      applied: first.applied + second.applied,
      superseded: first.superseded + second.superseded,
      rejected: first.rejected + second.rejected,
    };
  }
}
