import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  sqliteTable,
  text,
  type SQLiteColumnBuilderBase,
  type SQLiteTableExtraConfigValue,
} from 'drizzle-orm/sqlite-core';
import type { BuildExtraConfigColumns } from 'drizzle-orm';
import type { FieldStamps, Stamp } from './field-stamps';

/**
 * The columns every replica of a synced row carries (ARCHITECTURE 2). Kept in one place so that no
 * table can forget one and the server derives its tables from the same list.
 */
export function replicatedColumns() {
  return {
    /** UUID v7 made on the client: offline PCs never collide and a retried push never duplicates. */
    id: text('id').primaryKey(),
    createdAt: integer('created_at').notNull(),
    /** Hybrid-logical clock stamp (ms) of the last change; decides conflicts, never pull order. */
    updatedAt: integer('updated_at').notNull(),
    machineId: text('machine_id').notNull(),
    /** The account that made the last change. */
    updatedBy: text('updated_by').notNull().default(''),
    /**
     * Fields whose last write is not the row's (`updatedAt`, `machineId`, `updatedBy`), each with its
     * own stamp: last-write-wins decides per field (protocol v2).
     */
    fieldStamps: text('field_stamps', { mode: 'json' }).$type<FieldStamps>().notNull().default({}),
    /** Tombstone: deletes sync like any other change. */
    deletedAt: integer('deleted_at'),
  };
}

/** Client-side bookkeeping added to the replicated columns. */
function clientSyncColumns() {
  return {
    ...replicatedColumns(),
    /** Server version last seen for this row (null until the server has it). */
    serverVersion: integer('server_version'),
    /**
     * Fields changed here since the server last acknowledged the row, each with the stamp of the value
     * it replaced (null for a new row's fields): the server tells a concurrent edit from a later one by it.
     */
    baseStamps: text('base_stamps', { mode: 'json' }).$type<Record<string, Stamp | null>>().notNull().default({}),
    /** Set by every local mutation; cleared only when the server acknowledged exactly this version. */
    dirty: integer('dirty', { mode: 'boolean' }).notNull().default(true),
  };
}

type ClientSyncColumns = ReturnType<typeof clientSyncColumns>;

/**
 * Declares a synced table on the client: the domain columns plus every sync column, and the partial
 * index the outbox reads dirty rows through, in id order (keyset pages walk it from the last id read
 * instead of sorting every dirty row for each page).
 */
export function syncedTable<TName extends string, TColumns extends Record<string, SQLiteColumnBuilderBase>>(
  name: TName,
  columns: TColumns,
  extraConfig?: (
    self: BuildExtraConfigColumns<TName, ClientSyncColumns & TColumns, 'sqlite'>,
  ) => SQLiteTableExtraConfigValue[],
) {
  return sqliteTable(name, { ...clientSyncColumns(), ...columns }, (t) => [
    index(`${name}_dirty_idx`).on(t.id).where(sql`"dirty" = 1`),
    // The generic column map defeats drizzle's inference here; the callback's own type is exact.
    ...(extraConfig?.(t as never) ?? []),
  ]);
}

