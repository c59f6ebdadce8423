import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { count, eq, sql } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { LocalStore } from '../db/local-store';
import * as schema from '../db/schema';
import { conflictLog, pullParked, SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import { LIMITS, wireRecords, type PullChange, type PullResponse, type WireRecord } from '../protocol/wire';
import { compareVersions } from '../protocol/lww';
import type { SyncLedger } from './ledger';
import { toWireRow, type LocalRow } from './wire-rows';
import { compileStatement } from '../db/compiled-statement';
import { RowShape } from '../db/row-shape';

export interface PullTally {
  /** Rows received from the server. */
  received: number;
  /** Remote versions written locally (new rows and remote wins). */
  applied: number;
  /** LWW decisions where a dirty local version met a different remote one. */
  conflicts: number;
  /** Children waiting for their household. */
  parked: number;
}

export class InvalidPullError extends Error {
  override name = 'InvalidPullError';
}

/** A page the server sent, fetched by the caller (the engine supplies its transport). */
export type FetchPage = (since: number, limit: number) => Promise<PullResponse>;

/** Upper bound on pages in one pull, so a server that always says "more" cannot loop us forever. */
const MAX_PAGES_PER_PULL = 10_000;

/**
 * Applies pulled changes to the local database under last-write-wins (ARCHITECTURE 3.1, 3.2, 3.5).
 * Each page goes in one transaction together with the cursor, so a crash leaves either the whole page
 * and its cursor or neither; pages are separated by a turn of the event loop.
 */
export class PullApplier {
  private readonly statements;
  private readonly householdExists;
  private readonly householdsAmong;
  private readonly insertConflict;
  private readonly upsertParked;
  private readonly deleteParked;
  private readonly allParked;
  private readonly parkedCount;

  constructor(
    private readonly store: LocalStore,
    private readonly ledger: SyncLedger,
  ) {
    const db = store.db;
    this.statements = Object.fromEntries(SYNCED_TABLE_NAMES.map((name) => [name, tableStatements(store, name)])) as Record<
      SyncedTableName,
      ReturnType<typeof tableStatements>
    >;
    const h = schema.households;
    this.householdExists = db.select({ id: h.id }).from(h).where(eq(h.id, sql.placeholder('id'))).prepare();
    this.householdsAmong = db.select({ id: h.id }).from(h).where(idIn(h.id)).prepare();
    this.insertConflict = db
      .insert(conflictLog)
      .values({
        tableName: sql.placeholder('tableName'),
        rowId: sql.placeholder('rowId'),
        lost: sql.placeholder('lost'),
        lostUpdatedAt: sql.placeholder('lostUpdatedAt'),
        lostMachineId: sql.placeholder('lostMachineId'),
        wonUpdatedAt: sql.placeholder('wonUpdatedAt'),
        wonMachineId: sql.placeholder('wonMachineId'),
        resolvedAt: sql.placeholder('resolvedAt'),
      })
      .prepare();
    this.upsertParked = db
      .insert(pullParked)
      .values({ tableName: sql.placeholder('tableName'), rowId: sql.placeholder('rowId'), row: sql.placeholder('row') })
      .onConflictDoUpdate({ target: [pullParked.tableName, pullParked.rowId], set: { row: sql`excluded.row` } })
      .prepare();
    this.deleteParked = db
      .delete(pullParked)
      .where(sql`${pullParked.tableName} = ${sql.placeholder('tableName')} AND ${pullParked.rowId} = ${sql.placeholder('rowId')}`)
      .prepare();
    this.allParked = db.select().from(pullParked).prepare();
    this.parkedCount = db.select({ n: count() }).from(pullParked).prepare();
  }

  /**
   * Pulls from the stored cursor until the server has nothing more, applying page by page.
   * `signal` stops between pages (the page in hand is either fully applied or not at all).
   */
  async pullAll(fetchPage: FetchPage, options: { pageSize?: number; signal?: AbortSignal } = {}): Promise<PullTally> {
    const tally: PullTally = { received: 0, applied: 0, conflicts: 0, parked: 0 };
    const pageSize = options.pageSize ?? LIMITS.pullDefault;
    let since = this.ledger.pullCursor();
    let next = fetchPage(since, pageSize);
    for (let pages = 0; pages < MAX_PAGES_PER_PULL; pages++) {
      const page = await next;
      options.signal?.throwIfAborted();
      if (page.hasMore && page.cursor <= since) {
        throw new InvalidPullError(`The server said more changes remain but its cursor did not advance (${page.cursor})`);
      }
      if (page.hasMore) {
        // Ask for the next page while this one is applied: the server's time overlaps ours.
        next = fetchPage(page.cursor, pageSize);
        next.catch(() => undefined); // awaited (and its error reported) on the next turn, if any
      }
      const result = this.applyPage(page, Date.now(), await validateYielding(page.changes));
      tally.received += page.changes.length;
      tally.applied += result.applied;
      tally.conflicts += result.conflicts;
      tally.parked = result.parked;
      since = page.cursor;
      if (!page.hasMore) break;
      // Let the UI (or other timers) run between pages: a page bounds the stall (ARCHITECTURE 7).
      await yieldToEventLoop();
    }
    return tally;
  }

  /** Validates and applies one page with its cursor, all in one transaction. */
  applyPage(page: PullResponse, at: number, records = page.changes.map(validate)): Omit<PullTally, 'received'> {
    // Nothing new: no transaction (the pull time is recorded with the exchange's outcome).
    if (page.changes.length === 0 && page.cursor === this.ledger.pullCursor()) return { applied: 0, conflicts: 0, parked: this.parkedCount.get()?.n ?? 0 };
    const context = this.pageContext(records);
    let applied = 0;
    let conflicts = 0;
    let newHouseholds = false;
    this.store.sqlite.transaction(() => {
      for (const { change, row } of records) {
        const outcome = this.applyRecord(change.table, change.version, row, at, context);
        if (outcome === 'applied' || outcome === 'applied_over_local') applied++;
        if (outcome === 'applied_over_local' || outcome === 'kept_local') conflicts++;
        if (change.table === 'households' && outcome !== 'unchanged') newHouseholds = true;
      }
      if (newHouseholds && (this.parkedCount.get()?.n ?? 0) > 0) applied += this.releaseParked(at);
      this.ledger.setPullCursor(page.cursor, at);
    })();
    return { applied, conflicts, parked: this.parkedCount.get()?.n ?? 0 };
  }

  /**
   * What the page's rows meet locally, read with one query per table instead of one per row: the
   * local versions of the page's records and which of their households exist.
   */
  private pageContext(records: readonly ValidRecord[]): PageContext {
    const ids = new Map<SyncedTableName, string[]>();
    const parents = new Set<string>();
    for (const { change, row } of records) {
      (ids.get(change.table) ?? ids.set(change.table, []).get(change.table)!).push(row.id);
      if ('householdId' in row) parents.add(row.householdId);
    }
    const local = new Map<string, LocalRow>();
    for (const [table, tableIds] of ids) {
      for (const row of this.statements[table].getMany.all({ ids: JSON.stringify(tableIds) }) as LocalRow[]) local.set(`${table}/${row.id}`, row);
    }
    const households = new Set(
      parents.size === 0 ? [] : this.householdsAmong.all({ ids: JSON.stringify([...parents]) }).map((h) => h.id),
    );
    return { local, households, seen: new Set(), rejections: this.ledger.hasRejections() };
  }

  private applyRecord(
    table: SyncedTableName,
    version: number,
    row: WireRecord,
    at: number,
    context?: PageContext,
  ): 'applied' | 'applied_over_local' | 'kept_local' | 'same' | 'unchanged' | 'parked' {
    this.store.clock.observe(row.updatedAt);
    const key = `${table}/${row.id}`;
    // A record seen twice in one page (never sent by our server) is looked up afresh the second time.
    const fresh = context !== undefined && !context.seen.has(key);
    context?.seen.add(key);
    if ('householdId' in row && !(fresh && context.households.has(row.householdId)) && !this.householdExists.get({ id: row.householdId })) {
      // Foreign keys stay on: the child waits until its household arrives.
      this.upsertParked.run({ tableName: table, rowId: row.id, row: { version, row } });
      return 'parked';
    }
    if (table === 'households') context?.households.add(row.id);
    const statements = this.statements[table];
    const local = fresh ? context.local.get(key) : (statements.get.get({ id: row.id }) as LocalRow | undefined);
    const clearRejection = () => {
      if (context?.rejections !== false) this.ledger.clearRejection(table, row.id);
    };
    if (!local) {
      statements.upsert.run(statements.shape.fill(row, { dirty: false, serverVersion: version }));
      return 'applied';
    }
    const order = compareVersions(row, local);
    if (order === 0) {
      // Our own version coming back. The server's copy is canonical (it normalises records, e.g. trims
      // text), so it is written over ours: replicas must agree byte for byte, not just by stamp.
      statements.upsert.run(statements.shape.fill(row, { dirty: false, serverVersion: version }));
      clearRejection();
      return 'same';
    }
    if (order > 0) {
      if (local.dirty) this.logConflict(table, toWireRow(local), row, at);
      statements.upsert.run(statements.shape.fill(row, { dirty: false, serverVersion: version }));
      clearRejection();
      return local.dirty ? 'applied_over_local' : 'applied';
    }
    // The local version is newer. If it is still unsent it wins and stays dirty; if it is clean the
    // server already holds it (this older version is a stale echo) and there is nothing to do.
    if (!local.dirty) return 'unchanged';
    this.logConflict(table, row, toWireRow(local), at);
    return 'kept_local';
  }

  private logConflict(table: SyncedTableName, lost: WireRecord, won: WireRecord, at: number): void {
    this.insertConflict.run({
      tableName: table,
      rowId: lost.id,
      lost,
      lostUpdatedAt: lost.updatedAt,
      lostMachineId: lost.machineId,
      wonUpdatedAt: won.updatedAt,
      wonMachineId: won.machineId,
      resolvedAt: at,
    });
  }

  /** Applies parked children whose household is now present; returns how many were applied. */
  private releaseParked(at: number): number {
    let released = 0;
    for (const parked of this.allParked.all()) {
      const { version, row } = parked.row as { version: number; row: WireRecord };
      if (!('householdId' in row) || !this.householdExists.get({ id: row.householdId })) continue;
      this.deleteParked.run({ tableName: parked.tableName, rowId: parked.rowId });
      const outcome = this.applyRecord(parked.tableName as SyncedTableName, version, row, at);
      if (outcome === 'applied' || outcome === 'applied_over_local') released++;
    }
    return released;
  }
}

interface PageContext {
  /** Local rows of the page's records, by `table/id`, read before the page is applied. */
  local: Map<string, LocalRow>;
  /** Households present locally among those the page's children refer to, plus those it brings. */
  households: Set<string>;
  seen: Set<string>;
  /** Whether any refusal is recorded at all (saves a delete per row when none is). */
  rejections: boolean;
}

/** `column IN (the ids in the JSON array bound as :ids)`: a list of any length in one prepared statement. */
function idIn(column: SQLiteColumn) {
  return sql`${column} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`;
}

/** Rows validated between two turns of the event loop: validation is CPU work that needs no lock. */
const VALIDATION_CHUNK = 100;

async function validateYielding(changes: readonly PullChange[]): Promise<ValidRecord[]> {
  const records: ValidRecord[] = [];
  for (let i = 0; i < changes.length; i += VALIDATION_CHUNK) {
    if (i > 0) await yieldToEventLoop();
    for (const change of changes.slice(i, i + VALIDATION_CHUNK)) records.push(validate(change));
  }
  return records;
}

type ValidRecord = { change: PullChange; row: WireRecord };

function validate(change: PullChange): ValidRecord {
  const parsed = wireRecords[change.table].safeParse(change.row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidPullError(
      `The server sent an invalid ${change.table} record at version ${change.version} (${issue?.path.join('.')}: ${issue?.message}); nothing from that page was applied`,
    );
  }
  return { change, row: parsed.data as WireRecord };
}

function tableStatements(store: LocalStore, name: SyncedTableName) {
  const table = schema.syncedTables[name] as typeof schema.households;
  const shape = new RowShape(name);
  const columns = getTableColumns(table) as Record<string, SQLiteColumn>;
  const overwrite = Object.fromEntries(
    Object.entries(columns)
      .filter(([key]) => key !== 'id')
      .map(([key, column]) => [key, sql.raw(`excluded."${column.name}"`)]),
  );
  return {
    shape,
    get: store.db.select().from(table).where(eq(table.id, sql.placeholder('id'))).prepare(),
    getMany: store.db.select().from(table).where(idIn(table.id)).prepare(),
    // Compiled, not drizzle-prepared: this runs once per pulled row (see src/db/compiled-statement.ts).
    upsert: compileStatement(
      store.sqlite,
      store.db
        .insert(table)
        .values(shape.placeholders() as never)
        .onConflictDoUpdate({ target: table.id, set: overwrite as never }),
    ),
  };
}
