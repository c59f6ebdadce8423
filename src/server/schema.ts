import { getTableColumns } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex, type SQLiteColumn, type SQLiteColumnBuilderBase, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { conflictColumns, householdColumns, personColumns, visitColumns } from '../db/domain-columns';
import { replicatedColumns } from '../db/synced-table';

/**
 * The sync server's database. Each synced table has the client's replicated and domain columns (from
 * the same factories, without foreign keys: rows from many PCs arrive in any order), the version the
 * server gave the row's current state, and that state as a version 2 pull serves it.
 */
function serverTable<TName extends string, TColumns extends Record<string, SQLiteColumnBuilderBase>>(name: TName, columns: TColumns) {
  return sqliteTable(
    name,
    {
      ...replicatedColumns(),
      /** Strictly increasing across all tables; pulls page by it (ARCHITECTURE 3.1). */
      serverVersion: integer('server_version').notNull(),
      ...columns,
      /**
       * The row as one change of a version 2 pull answer, written by SQLite with the row: each row is
       * stored once and pulled by every PC, and building this JSON on every pull was most of the
       * server's work per pulled row. Rebuilt at start-up whenever its format changes (a column was
       * added), so it never goes stale (sqlite-storage.ts, storedChanges).
       */
      change: text('change'),
    },
    (t) => [uniqueIndex(`${name}_server_version_idx`).on(t.serverVersion)],
  );
}

/** Columns that travel in a record, by their key on the wire. */
export function recordColumns(table: SQLiteTable): [string, SQLiteColumn][] {
  return Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>).filter(([key]) => key !== 'serverVersion' && key !== 'change');
}

/**
 * A column's value inside json_object. JSON columns are embedded as they are stored. A REAL goes
 * through its text form, the shortest that round-trips: json_object writes a REAL with 15
 * significant digits (179.99999999999997 became 180.0), which docs/sync-protocol.md 11.1 forbids.
 */
export function jsonValue(column: SQLiteColumn, value = `"${column.name}"`): string {
  if (column.dataType === 'json') return `json(${value})`;
  if (column.columnType === 'SQLiteReal') return `json(CAST(${value} AS TEXT))`;
  // A bound number arrives as a REAL; the column would store it as an integer, and so must the JSON.
  if (column.columnType === 'SQLiteInteger' && value !== `"${column.name}"`) return `CAST(${value} AS INTEGER)`;
  return value;
}

export const households = serverTable('households', householdColumns());
export const people = serverTable('people', personColumns());
export const visits = serverTable('visits', visitColumns());
export const conflicts = serverTable('conflicts', conflictColumns());

export const serverTables = { households, people, visits, conflicts } as const;

/** Every machine that ever pushed or pulled, for the status page. */
export const machines = sqliteTable('machines', {
  machineId: text('machine_id').primaryKey(),
  firstSeenAt: integer('first_seen_at').notNull(),
  lastPushAt: integer('last_push_at'),
  lastPullAt: integer('last_pull_at'),
  rowsPushed: integer('rows_pushed').notNull().default(0),
  rowsPulled: integer('rows_pulled').notNull().default(0),
});

/** Per synced table, the json_object expression its stored changes were written with. */
export const storedChanges = sqliteTable('stored_changes', {
  tableName: text('table_name').primaryKey(),
  format: text('format').notNull(),
});

/** One row: the last version handed out. Kept apart from the tables so it never goes back. */
export const versionCounter = sqliteTable('version_counter', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull(),
});
