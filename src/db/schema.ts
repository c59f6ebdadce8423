import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { ACCOUNT_ROLES } from '../shared/vocabulary';
import { conflictColumns, householdColumns, personColumns, visitColumns } from './domain-columns';
import { syncedTable } from './synced-table';

// ---- Synced tables (replicated through the sync server) ----

// (column, id) indexes serve the households list sorted by that column, with id as the keyset tiebreak;
// (area, entered_by, id) the list filtered by both, newest first.
export const households = syncedTable('households', householdColumns(), (t) => [
  index('households_area_idx').on(t.area, t.id),
  index('households_head_name_idx').on(t.headName, t.id),
  index('households_entered_by_idx').on(t.enteredBy, t.id),
  index('households_area_entered_by_idx').on(t.area, t.enteredBy, t.id).where(sql`${t.deletedAt} IS NULL`),
]);

export const people = syncedTable('people', personColumns(() => households.id), (t) => [
  index('people_household_idx').on(t.householdId),
]);

// The households list's visit filter (outcome, visited in a range) reads only these two, never the rows:
// by outcome, to gather the matching households once; by household, to check one search hit at a time.
export const visits = syncedTable('visits', visitColumns(() => households.id), (t) => [
  index('visits_household_idx').on(t.householdId),
  index('visits_visited_at_idx').on(t.visitedAt),
  index('visits_live_outcome_idx').on(t.outcome, t.visitedAt, t.householdId).where(sql`${t.deletedAt} IS NULL`),
  index('visits_live_household_idx').on(t.householdId, t.outcome, t.visitedAt).where(sql`${t.deletedAt} IS NULL`),
]);

export const conflicts = syncedTable('conflicts', conflictColumns(), (t) => [
  index('conflicts_record_idx').on(t.recordTable, t.recordId),
  index('conflicts_lost_machine_idx').on(t.lostMachineId),
]);

/** Parents before children: the order the outbox pushes and a pull applies. */
export const syncedTables = { households, people, visits, conflicts } as const;
export type SyncedTableName = keyof typeof syncedTables;
export const SYNCED_TABLE_NAMES = Object.keys(syncedTables) as SyncedTableName[];
/** The tables people enter records into (the others sync what the sync engine itself decides). */
export const RECORD_TABLE_NAMES = ['households', 'people', 'visits'] as const satisfies readonly SyncedTableName[];
export type RecordTableName = (typeof RECORD_TABLE_NAMES)[number];

// ---- Local-only tables ----

export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ACCOUNT_ROLES }).notNull(),
    passwordHash: text('password_hash').notNull(),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('accounts_username_idx').on(t.username)],
);

/** Failed logins, kept to rate-limit and lock out by account whether or not the account exists. */
export const loginFailures = sqliteTable(
  'login_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('login_failures_username_at_idx').on(t.username, t.at)],
);

export const sessions = sqliteTable('sessions', {
  /** Random 256-bit token, held by the core only. */
  id: text('id').primaryKey(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  createdAt: integer('created_at').notNull(),
  lastSeenAt: integer('last_seen_at').notNull(),
});

/** One row: where the pull stands and how the last exchanges went. */
export const syncState = sqliteTable('sync_state', {
  id: integer('id').primaryKey(),
  pullCursor: integer('pull_cursor').notNull().default(0),
  lastPushAt: integer('last_push_at'),
  lastPullAt: integer('last_pull_at'),
  lastError: text('last_error'),
});

/** Records the server refused; they stay dirty and visible until a new version is accepted. */
export const syncRejections = sqliteTable(
  'sync_rejections',
  {
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    updatedAt: integer('updated_at').notNull(),
    reason: text('reason').notNull(),
    message: text('message').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [uniqueIndex('sync_rejections_row_idx').on(t.tableName, t.rowId)],
);

/** Pulled rows whose parent has not arrived yet; applied as soon as it does. */
export const pullParked = sqliteTable(
  'pull_parked',
  {
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    row: text('row', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [uniqueIndex('pull_parked_row_idx').on(t.tableName, t.rowId)],
);

/** Key/value facts about this installation (machine identity, clock high-water mark). */
export const instanceMeta = sqliteTable('instance_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
