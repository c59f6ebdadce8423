import { getTableColumns, sql, type Placeholder } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { generatedFunction } from '../generated-code';
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
    this.fillEncoded = this.generatedFillEncoded() ?? ((values, overrides) => this.loopFillEncoded(values, overrides));
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

  /**
   * A complete row (from `fill`) as SQLite stores it, one value per column in `keys` order, each
   * through its column's encoder (JSON as text, booleans as 0/1): what compileRowStatement binds.
   */
  encode(row: Readonly<Record<string, unknown>>): unknown[] {
    // A row from `fill` already holds every value or its default: filling it again changes nothing.
    return this.fillEncoded(row, {});
  }

  /** `encode(fill(values, overrides))` in one pass, without the row in between (once per pulled row). */
  readonly fillEncoded: (values: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>>) => unknown[];

  /** The loop fillEncoded runs where code cannot be generated. */
  loopFillEncoded(values: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>>): unknown[] {
    const encoded = new Array<unknown>(this.keys.length);
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      const value = key in overrides ? overrides[key] : (values[key] ?? this.defaults[key]);
      encoded[i] = value === null || value === undefined ? null : this.columns[i]!.mapToDriverValue(value);
    }
    return encoded;
  }

  /**
   * fillEncoded as straight-line code (src/generated-code.ts), one read and one encoder call site per
   * column: a pulled record took 2.8 -> 1.2 us from its validated object to its values.
   */
  private generatedFillEncoded() {
    const lines = this.keys.map((key, i) => {
      const name = JSON.stringify(key);
      return [
        `value = ${name} in overrides ? overrides[${name}] : (values[${name}] ?? defaults[${name}]);`,
        `encoded[${i}] = value === null || value === undefined ? null : column${i}.mapToDriverValue(value);`,
      ].join('\n');
    });
    const body = ['return function fillEncoded(values, overrides) {', `  const encoded = new Array(${this.keys.length});`, '  let value;', ...lines, '  return encoded;', '};'].join('\n');
    const columns = Object.fromEntries(this.columns.map((column, i) => [`column${i}`, column]));
    return generatedFunction<RowShape['loopFillEncoded']>({ defaults: this.defaults, ...columns }, body);
  }

  /** The row an `encode`d array stands for, as drizzle reads it (JSON parsed, booleans as booleans). */
  decode(values: readonly unknown[]): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    this.keys.forEach((key, i) => {
      const value = values[i];
      row[key] = value === null ? null : this.columns[i]!.mapFromDriverValue(value);
    });
    return row;
  }
}
