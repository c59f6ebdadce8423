import { integer, sqliteTable, text, uniqueIndex, type SQLiteColumnBuilderBase } from 'drizzle-orm/sqlite-core';
import { householdColumns, personColumns, visitColumns } from '../db/domain-columns';
import { replicatedColumns } from '../db/synced-table';

/**
 * The sync server's database. Each synced table has the client's replicated and domain columns (from
 * the same factories, without foreign keys: rows from many PCs arrive in any order) plus the version
 * the server gave the row's current state.
 */
function serverTable<TName extends string, TColumns extends Record<string, SQLiteColumnBuilderBase>>(
  name: TName,
  columns: TColumns,
) {
  return sqliteTable(
    name,
    {
      ...replicatedColumns(),
      /** Strictly increasing across all tables; pulls page by it (ARCHITECTURE 3.1). */
      serverVersion: integer('server_version').notNull(),
      ...columns,
    },
    (t) => [uniqueIndex(`${name}_server_version_idx`).on(t.serverVersion)],
  );
}

export const households = serverTable('households', householdColumns());
export const people = serverTable('people', personColumns());
export const visits = serverTable('visits', visitColumns());

export const serverTables = { households, people, visits } as const;

/** Every machine that ever pushed or pulled, for the status page. */
export const machines = sqliteTable('machines', {
  machineId: text('machine_id').primaryKey(),
  firstSeenAt: integer('first_seen_at').notNull(),
  lastPushAt: integer('last_push_at'),
  lastPullAt: integer('last_pull_at'),
  rowsPushed: integer('rows_pushed').notNull().default(0),
  rowsPulled: integer('rows_pulled').notNull().default(0),
});

/** One row: the last version handed out. Kept apart from the tables so it never goes back. */
export const versionCounter = sqliteTable('version_counter', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull(),
});
