import { getTableColumns, getTableName, is, SQL } from 'drizzle-orm';
import { bigint, doublePrecision, json, pgTable, text, uniqueIndex, type PgColumnBuilderBase } from 'drizzle-orm/pg-core';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sqlite from './schema';

/**
 * The sync server's database on PostgreSQL: each table derived column by column from the SQLite
 * server schema (src/server/schema.ts, itself built from the column factories the client uses), so
 * a field added there reaches both after `npm run db:generate`. Integers become bigint (stamps are
 * milliseconds up to 2^53-1), REALs double precision, JSON columns `json`, which keeps the text it
 * was given (compact, key order) and which a pull embeds as it is. There is no stored `change`
 * column: PostgreSQL builds each change when served (postgres-storage.ts).
 */

function pgColumn(column: SQLiteColumn): PgColumnBuilderBase {
  const builder = (() => {
    switch (column.columnType) {
      case 'SQLiteText':
        return text(column.name);
      case 'SQLiteTextJson':
        return json(column.name);
      case 'SQLiteInteger':
        return bigint(column.name, { mode: 'number' });
      case 'SQLiteReal':
        return doublePrecision(column.name);
      default:
        throw new Error(`schema-pg: no PostgreSQL type for ${column.name} (${column.columnType})`);
    }
  })();
  if (column.primary) builder.primaryKey();
  if (column.notNull) builder.notNull();
  if (column.hasDefault && !is(column.default, SQL)) builder.default(column.default as never);
  return builder;
}

/** Columns of a SQLite server table that PostgreSQL keeps, by key. */
function pgColumns(table: SQLiteTable, omit: readonly string[] = []): Record<string, PgColumnBuilderBase> {
  return Object.fromEntries(
    Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>)
      .filter(([key]) => !omit.includes(key))
      .map(([key, column]) => [key, pgColumn(column)]),
  );
}

function serverTable(table: SQLiteTable) {
  const name = getTableName(table);
  return pgTable(name, pgColumns(table, ['change']), (t) => [uniqueIndex(`${name}_server_version_idx`).on(t.serverVersion!)]);
}

export const households = serverTable(sqlite.households);
export const people = serverTable(sqlite.people);
export const visits = serverTable(sqlite.visits);
export const conflicts = serverTable(sqlite.conflicts);

export const serverTables = { households, people, visits, conflicts } as const;

export const machines = pgTable(getTableName(sqlite.machines), pgColumns(sqlite.machines));

/** One row (id 1), created by the migrations: every push locks it to take its versions. */
export const versionCounter = pgTable(getTableName(sqlite.versionCounter), pgColumns(sqlite.versionCounter));
