import type { SyncedTableName } from '../db/schema';
import type { RejectReason } from '../protocol/wire';

/** What the UI's sync bar and the CLI show; emitted by the engine on every change. */
export interface SyncStatus {
  /**
   * disabled: no server configured; offline: the server did not answer; refused: it answered but
   * refuses this PC (its key, or something else answering at that address); syncing: an exchange runs.
   */
  state: 'disabled' | 'offline' | 'online' | 'refused' | 'syncing';
  serverUrl: string | null;
  /** Dirty rows waiting to be pushed, per table. */
  pending: Record<SyncedTableName, number>;
  pendingTotal: number;
  /** Records the server refused; they stay queued until a new version is accepted. */
  rejected: RejectedRecord[];
  lastPushAt: number | null;
  lastPullAt: number | null;
  /** When a full push and pull last completed without error. */
  lastSuccessAt: number | null;
  lastError: string | null;
  /** Set when the server refuses our stamps as being in its future, or our clock runs ahead. */
  clockWarning: string | null;
  /** When the next attempt runs after a failure (back-off), or null. */
  nextRetryAt: number | null;
}

export interface RejectedRecord {
  table: SyncedTableName;
  id: string;
  reason: RejectReason;
  message: string;
  at: number;
}
