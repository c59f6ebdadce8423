import { getTableColumns } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { SyncedRow } from '../db/repository';
import { syncedTables, type SyncedTableName } from '../db/schema';
import type { WireRecord } from '../protocol/wire';

/** A local row of any synced table, as Drizzle reads it (JSON columns parsed, dirty as boolean). */
export type LocalRow = SyncedRow<SyncedTableName>;

/** The record as it travels: every replicated and domain column, none of the client bookkeeping. */
export function toWireRow(row: LocalRow): WireRecord {
  const { dirty: _dirty, serverVersion: _serverVersion, ...wire } = row;
  return wire as WireRecord;
}

/**
 * The value each column takes when a pulled record omits it (the wire schemas let defaulted columns be
 * optional), so an upsert always writes every column and never keeps a stale local value.
 */
export function columnDefaults(table: SyncedTableName): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(syncedTables[table]) as Record<string, SQLiteColumn>)) {
    if (column.hasDefault && column.default !== undefined) defaults[key] = column.default;
    else if (!column.notNull) defaults[key] = null;
  }
  return defaults;
}
