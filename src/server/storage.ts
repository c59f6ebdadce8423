import type { SyncedTableName } from '../db/schema';
import type { PushRequest, PushResult } from '../protocol/wire';
import type { Dialect } from './push-rules';

/** The SQLite implementation answers synchronously; a client-server database (PostgreSQL) cannot. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * What the sync server needs from a database. The SQLite implementation is the embedded default; a
 * PostgreSQL one implements the same contract (one transaction per push, versions committed in order:
 * docs/sync-protocol.md section 11).
 */
export interface SyncStorage {
  /**
   * Validates and applies one push (from a sender of the current dialect unless told) in a single
   * transaction: one result per change, in order. Valid changes that win last-write-wins get fresh
   * versions; rejected ones change nothing.
   */
  applyPush(machineId: string, changes: PushRequest['changes'], dialect?: Dialect): MaybePromise<PushResult[]>;
  /** Changes with version > since, in version order, at most `limit`, as `protocol` (default the current one) serves them. */
  pull(since: number, limit: number, protocol?: Dialect['protocol']): MaybePromise<PullPage>;
  /** Notes that a machine pulled `rows` rows (the machines registry). */
  recordPull(machineId: string, rows: number): MaybePromise<void>;
  status(): MaybePromise<ServerStatus>;
  close(): MaybePromise<void>;
}

export interface PullPage {
  /**
   * The changes (`{"table", "version", "row"}`, docs/sync-protocol.md) as one JSON array in UTF-8,
   * in version order: the database serialises and joins them where they are (SQLite's json_object
   * and group_concat, PostgreSQL's json_build_object and string_agg), so the server never parses,
   * re-serialises or re-encodes them.
   */
  changes: Buffer;
  /** How many changes the array holds. */
  count: number;
  /** Highest version in the page, or `since` when the page is empty. */
  cursor: number;
  hasMore: boolean;
}

export interface MachineStatus {
  machineId: string;
  firstSeenAt: number;
  lastPushAt: number | null;
  lastPullAt: number | null;
  rowsPushed: number;
  rowsPulled: number;
}

export interface TableStatus {
  rows: number;
  /** Of which tombstones. */
  deleted: number;
}

/** Which database the server keeps its data in, and how far it is migrated. */
export interface StorageStatus {
  engine: 'sqlite' | 'postgresql';
  /** Migrations applied to its database (migrations/server or migrations/server-pg). */
  schemaVersion: number;
}

export interface ServerStatus {
  /** The last version handed out (0 on an empty server). */
  version: number;
  tables: Record<SyncedTableName, TableStatus>;
  machines: MachineStatus[];
  storage: StorageStatus;
}
