import type { SyncedRow } from '../db/repository';
import type { SyncedTableName } from '../db/schema';
import type { WireRecord } from '../protocol/wire';

/** A local row of any synced table, as Drizzle reads it (JSON columns parsed, dirty as boolean). */
export type LocalRow = SyncedRow<SyncedTableName>;

/** The record as it travels: every replicated and domain column, none of the client bookkeeping. */
export function toWireRow(row: LocalRow): WireRecord {
  const { dirty: _dirty, serverVersion: _serverVersion, ...wire } = row;
  return wire as WireRecord;
}
