import { getTableColumns, sql, type Placeholder } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { syncedTables, type SyncedTableName } from './schema';

/**
 * Every column of a synced table with its default, to build complete rows for the compiled insert
 * and upsert statements (which bind every column, so a missing value must become its default, never
 * a stale local value).
 */
export class RowShape {
  readonly keys: readonly string[];
  readonly defaults: Readonly<Record<string, unknown>>;

  constructor(table: SyncedTableName) {
    const columns = getTableColumns(syncedTables[table]) as Record<string, SQLiteColumn>;
    const defaults: Record<string, unknown> = {};
    for (const [key, column] of Object.entries(columns)) {
      defaults[key] = column.hasDefault && column.default !== undefined ? column.default : null;
    }
    this.keys = Object.keys(columns);
    this.defaults = defaults;
  }

  /** `{ column: sql.placeholder(column) }` for every column: the values of a compiled insert. */
  placeholders(): Record<string, Placeholder> {
    return Object.fromEntries(this.keys.map((key) => [key, sql.placeholder(key)]));
  }

  /**
   * A complete row: `overrides` first, then `values`, then the column default. Built key by key in one
   * fixed order because object spreads of varying shapes cost more than the insert itself at batch
   * entry and pull rates (bench/local-entry.bench.ts, bench/sync-client.bench.ts).
   */
  fill(values: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const key of this.keys) row[key] = key in overrides ? overrides[key] : (values[key] ?? this.defaults[key]);
    return row;
  }
}
