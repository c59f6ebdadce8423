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

