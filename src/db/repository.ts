import { and, count, desc, eq, isNull, like, lt, or, sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { v7 as uuidv7 } from 'uuid';
import type { HybridClock } from './clock';
import { compileRowStatement } from './compiled-statement';
import { RowShape } from './row-shape';
import type { SqliteDatabase } from './connection';
import type { RecordInput } from './record-schemas';
import * as schema from './schema';
import type { SyncedTableName } from './schema';

export type LocalDrizzle = BetterSQLite3Database<typeof schema>;
export type SyncedTables = typeof schema.syncedTables;
export type SyncedRow<T extends SyncedTableName> = SyncedTables[T]['$inferSelect'];

export interface RepositoryContext {
  sqlite: SqliteDatabase;
  db: LocalDrizzle;
  clock: HybridClock;
  machineId: string;
  /** Told after every committed local write, so the sync engine can schedule a push. */
  onLocalWrite: (table: SyncedTableName) => void;
}

export interface ListQuery {
  /** Case-insensitive substring over the table's searchable columns. */
  search?: string;
  /** Exact matches on the table's filterable columns (e.g. area, householdId, outcome). */
  filters?: Record<string, string>;
  /** Page size (1..500, default 50). */
  limit?: number;
  /** Keyset cursor: the `nextAfter` of the previous page. */
  after?: string | null;
  includeDeleted?: boolean;
}

export interface Page<Row> {
  items: Row[];
  /** Rows matching the query, all pages together. */
  total: number;
  /** Cursor for the next page, null on the last one. */
  nextAfter: string | null;
}

export class RecordNotFoundError extends Error {
  constructor(table: string, id: string) {
    super(`No ${table} record with id ${id} (or it was deleted)`);
    this.name = 'RecordNotFoundError';
  }
}

interface RepositorySpec {
  searchable: readonly SQLiteColumn[];
  filterable: Record<string, SQLiteColumn>;
  /** Tables whose rows reference this one by household_id and are tombstoned with it. */
  dependents: readonly SyncedTableName[];
}

const LIKE_ESCAPE = '\\';
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}

/**
 * Create, update, tombstone, read and list one synced table. Every mutation stamps `updated_at` from
 * the hybrid clock and `machine_id`, and marks the row dirty, in the same transaction as the change.
 * Inputs are trusted here (typed); the boundaries (IPC, HTTP) validate them with `recordInputs`.
 */
export class SyncedRepository<T extends SyncedTableName> {
  private readonly table: SyncedTables[T];
  private readonly shape: RowShape;
  // Prepared once: drizzle re-prepares unprepared queries on every call (ARCHITECTURE 7).
  private readonly insertStatement;
  private readonly getStatement;

  constructor(
    private readonly ctx: RepositoryContext,
    readonly name: T,
    private readonly spec: RepositorySpec,
  ) {
    this.table = schema.syncedTables[name];
    this.shape = new RowShape(name);
    this.insertStatement = compileRowStatement(ctx.sqlite, ctx.db.insert(this.table).values(this.shape.placeholders() as never), this.shape.keys);
    this.getStatement = ctx.db
      .select()
      .from(this.table as typeof schema.households)
      .where(eq(this.table.id, sql.placeholder('id')))
      .prepare();
  }

  private newRow(input: RecordInput<T>, stamp: number): SyncedRow<T> {
    return this.shape.fill(input, {
      id: uuidv7(),
      createdAt: stamp,
      updatedAt: stamp,
      machineId: this.ctx.machineId,
      deletedAt: null,
      serverVersion: null,
      dirty: true,
    }) as SyncedRow<T>;
  }

  create(input: RecordInput<T>): SyncedRow<T> {
    const row = this.newRow(input, this.ctx.clock.stamp());
    this.insertStatement.run(this.shape.encode(row));
    this.ctx.onLocalWrite(this.name);
    return row;
  }

  /**
   * Saves many new records in one transaction: all of them or none. They share one clock stamp:
   * each is a new row, so no two of them can ever be compared by last-write-wins.
   */
  batchCreate(inputs: readonly RecordInput<T>[]): SyncedRow<T>[] {
    if (inputs.length === 0) return [];
    const rows = this.ctx.sqlite.transaction(() => {
      const stamp = this.ctx.clock.stamp();
      return inputs.map((input) => {
        const row = this.newRow(input, stamp);
        this.insertStatement.run(this.shape.encode(row));
        return row;
      });
    })();
    this.ctx.onLocalWrite(this.name);
    return rows;
  }

  get(id: string): SyncedRow<T> | undefined {
    return this.getStatement.get({ id }) as SyncedRow<T> | undefined;
  }

  update(id: string, patch: Partial<RecordInput<T>>): SyncedRow<T> {
    const changes = { ...patch, updatedAt: this.stampAbove(this.table, this.ctx.clock.stamp()), machineId: this.ctx.machineId, dirty: true };
    const row = this.ctx.db
      .update(this.table)
      .set(changes as never)
      .where(and(eq(this.table.id, id), isNull(this.table.deletedAt)))
      .returning()
      .get() as SyncedRow<T> | undefined;
    if (!row) throw new RecordNotFoundError(this.name, id);
    this.ctx.clock.observe(row.updatedAt);
    this.ctx.onLocalWrite(this.name);
    return row;
  }

  /**
   * `stamp`, or just above the row's own stamp when that is higher. The pull worker writes rows on
   * its own connection and the clock hears of their stamps a moment later: an edit in between must
   * still come after the version it replaces, or last-write-wins would undo it.
   */
  private stampAbove(table: { updatedAt: SQLiteColumn }, stamp: number): SQL<number> {
    return sql<number>`max(${stamp}, ${table.updatedAt} + 1)`;
  }

  /** Tombstones the record (and the records that belong to it); it syncs like any other change. */
  softDelete(id: string): SyncedRow<T> {
    const row = this.ctx.sqlite.transaction(() => {
      const stamp = this.ctx.clock.stamp();
      const tombstone = { deletedAt: stamp, machineId: this.ctx.machineId, dirty: true };
      const deleted = this.ctx.db
        .update(this.table)
        .set({ ...tombstone, updatedAt: this.stampAbove(this.table, stamp) } as never)
        .where(and(eq(this.table.id, id), isNull(this.table.deletedAt)))
        .returning()
        .get() as SyncedRow<T> | undefined;
      if (!deleted) throw new RecordNotFoundError(this.name, id);
      for (const dependent of this.spec.dependents) {
        const child = schema.syncedTables[dependent] as typeof schema.people;
        this.ctx.db
          .update(child)
          .set({ ...tombstone, updatedAt: this.stampAbove(child, stamp) })
          .where(and(eq(child.householdId, id), isNull(child.deletedAt)))
          .run();
      }
      this.ctx.clock.observe(deleted.updatedAt);
      return deleted;
    })();
    this.ctx.onLocalWrite(this.name);
    return row;
  }

  list(query: ListQuery = {}): Page<SyncedRow<T>> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const conditions: (SQL | undefined)[] = [];
    if (!query.includeDeleted) conditions.push(isNull(this.table.deletedAt));
    for (const [key, value] of Object.entries(query.filters ?? {})) {
      const column = this.spec.filterable[key];
      if (!column) throw new Error(`${this.name} cannot be filtered by "${key}"`);
      conditions.push(eq(column, value));
    }
    const search = query.search?.trim();
    if (search) {
      const pattern = likePattern(search);
      conditions.push(or(...this.spec.searchable.map((c) => sql`${like(c, pattern)} ESCAPE ${LIKE_ESCAPE}`)));
    }
    const where = and(...conditions);
    const total = this.ctx.db.select({ n: count() }).from(this.table).where(where).get()?.n ?? 0;
    const pageWhere = query.after ? and(where, lt(this.table.id, query.after)) : where;
    // UUID v7 ids sort by creation time: newest first, and a stable keyset for paging.
    const items = this.ctx.db
      .select()
      .from(this.table as typeof schema.households)
      .where(pageWhere)
      .orderBy(desc(this.table.id))
      .limit(limit + 1)
      .all() as SyncedRow<T>[];
    const hasMore = items.length > limit;
    if (hasMore) items.pop();
    return { items, total, nextAfter: hasMore ? (items.at(-1)?.id ?? null) : null };
  }
}

export function createRepositories(ctx: RepositoryContext) {
  const { households, people, visits } = schema;
  return {
    households: new SyncedRepository(ctx, 'households', {
      searchable: [households.headName, households.address, households.phone, households.area],
      filterable: { area: households.area },
      dependents: ['people', 'visits'],
    }),
    people: new SyncedRepository(ctx, 'people', {
      searchable: [people.fullName, people.phone, people.idDocument],
      filterable: { householdId: people.householdId, gender: people.gender },
      dependents: [],
    }),
    visits: new SyncedRepository(ctx, 'visits', {
      searchable: [visits.notes, visits.enteredBy],
      filterable: { householdId: visits.householdId, outcome: visits.outcome, enteredBy: visits.enteredBy },
      dependents: [],
    }),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
