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
  private readonly columns: readonly SQLiteColumn[];

  constructor(table: SyncedTableName) {
    const columns = getTableColumns(syncedTables[table]) as Record<string, SQLiteColumn>;
    const defaults: Record<string, unknown> = {};
    for (const [key, column] of Object.entries(columns)) {
      defaults[key] = column.hasDefault && column.default !== undefined ? column.default : null;
    }
    this.keys = Object.keys(columns);
    this.defaults = defaults;
    this.columns = Object.values(columns);
  }

  /** `{ column: sql.placeholder(column) }` for every column: the values of a compiled insert. */
  placeholders(): Record<string, Placeholder> {
    return Object.fromEntries(this.keys.map((key) => [key, sql.placeholder(key)]));
  }

  /** A complete row: `overrides` first, then `values`, then the column default. */
  fill(values: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const key of this.keys) row[key] = key in overrides ? overrides[key] : (values[key] ?? this.defaults[key]);
    return row;
  }

  /**
   * A complete row (from `fill`) as SQLite stores it, one value per column in `keys` order, each
   * through its column's encoder (JSON as text, booleans as 0/1): what compileRowStatement binds.
   */
  encode(row: Readonly<Record<string, unknown>>): unknown[] {
    // A row from `fill` already holds every value or its default: filling it again changes nothing.
    return this.fillEncoded(row, {});
  }

  /** `encode(fill(values, overrides))` in one pass, without the row in between (once per pulled row). */
  fillEncoded(values: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>>): unknown[] {
    const encoded = new Array<unknown>(this.keys.length);
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      const value = key in overrides ? overrides[key] : (values[key] ?? this.defaults[key]);
      encoded[i] = value === null || value === undefined ? null : this.columns[i]!.mapToDriverValue(value);
    }
    return encoded;
  }
}
