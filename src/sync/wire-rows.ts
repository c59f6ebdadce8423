import type { SyncedRow } from '../db/repository';
import type { SyncedTableName } from '../db/schema';
import type { OutgoingBase, WireRecord } from '../protocol/wire';

/** A local row of any synced table, as Drizzle reads it (JSON columns parsed, dirty as boolean). */
export type LocalRow = SyncedRow<SyncedTableName>;

/** The record as it travels: every replicated and domain column, none of the client bookkeeping. */
export function toWireRow(row: LocalRow): WireRecord {
  const { dirty: _dirty, serverVersion: _serverVersion, baseStamps: _baseStamps, ...wire } = row;
  return wire as WireRecord;
}

/**
 * The fields changed here since the server last acknowledged the row, with the stamps they replaced
 * (docs/sync-protocol.md 5.1). A field new with the row replaced nothing and is left out.
 */
export function outgoingBase(row: LocalRow): OutgoingBase | undefined {
  const entries = Object.entries(row.baseStamps).filter(([, stamp]) => stamp !== null);
  return entries.length > 0 ? (Object.fromEntries(entries) as OutgoingBase) : undefined;
}
