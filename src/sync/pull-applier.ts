import { count, eq, sql } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { LocalStore } from '../db/local-store';
import * as schema from '../db/schema';
import { pullParked, SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import { stampedFields, type WireRecord } from '../protocol/wire';
import { compactStamps, expandStamps, NEVER_WRITTEN } from '../db/field-stamps';
import { mergeFields } from '../protocol/merge';
import { conflictRecord } from '../protocol/conflict-record';
import type { SyncLedger } from './ledger';
import type { LocalRow } from './wire-rows';
import { compileRowStatement } from '../db/compiled-statement';
import { RowShape } from '../db/row-shape';
import { InvalidPullError, type PulledChunk, type PulledRecord } from './pull-decoder';
import { searchBatch, searchMergeStep } from '../db/search-batch';

export interface PullTally {
  /** Rows received from the server. */
  received: number;
  /** Remote versions written locally (new rows and remote wins). */
  applied: number;
  /** Local edits not yet sent that a concurrent, later remote write overwrote (each recorded as a conflict). */
  conflicts: number;
  /** Children waiting for their household. */
  parked: number;
}

/** What the pull needs of a local database: a connection of its own on the sync worker (sync-worker.ts). */
export type PullStore = Pick<LocalStore, 'sqlite' | 'db' | 'clock' | 'machineId'>;

/** Decoded chunks of pages from `since` on, until the server has no more. */
export type ChunkSource = (since: number) => AsyncIterable<PulledChunk>;

/**
 * Search-index merge steps after a chunk, at most: enough to keep up with what a chunk adds (figures in
 * docs/architecture.md), without holding the pull back where merging lags.
 */
const MERGE_STEPS_PER_CHUNK = 8;

/** Upper bound on pages in one pull, so a server that always says "more" cannot loop us forever. */
const MAX_PAGES_PER_PULL = 10_000;

/**
 * Applies pulled changes to the local database under last-write-wins (ARCHITECTURE 3.1, 3.2, 3.5).
 * Each chunk goes in one transaction together with the cursor, so a crash leaves either the whole chunk
 * and its cursor or neither. The engine runs it on the sync worker (sync-worker.ts).
 */
export class PullApplier {
  private readonly statements;
  private readonly householdExists;
  private readonly upsertParked;
  private readonly deleteParked;
  private readonly allParked;
  private readonly parkedCount;
  private readonly inSearchBatch;
  private readonly mergeSearchStep;

  constructor(
    private readonly store: PullStore,
    private readonly ledger: SyncLedger,
  ) {
    const db = store.db;
    this.statements = Object.fromEntries(SYNCED_TABLE_NAMES.map((name) => [name, tableStatements(store, name)])) as Record<
      SyncedTableName,
      ReturnType<typeof tableStatements>
    >;
    const h = schema.households;
    this.householdExists = db.select({ id: h.id }).from(h).where(eq(h.id, sql.placeholder('id'))).prepare();
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
    this.inSearchBatch = searchBatch(store.sqlite);
    this.mergeSearchStep = searchMergeStep(store.sqlite);
  }

  /**
   * Pulls from the stored cursor until the server has nothing more, applying chunk by chunk, and
   * merges the search index's new segments a bounded step at a time after each chunk
   * (src/db/search-batch.ts). `signal` stops between transactions (the chunk in hand is either fully
   * applied or not at all); `onCommit` hears the tally after every transaction, and the next one takes
   * the write lock only once the promise it returned has resolved.
   */
  async pullAll(source: ChunkSource, options: { signal?: AbortSignal; onCommit?: (tally: PullTally) => Promise<void> } = {}): Promise<PullTally> {
    const tally: PullTally = { received: 0, applied: 0, conflicts: 0, parked: 0 };
    let since = this.ledger.pullCursor();
    let pages = 0;
    let heard: Promise<void> | undefined;
    const committed = () => (heard = options.onCommit?.({ ...tally }));
    for await (const page of source(since)) {
      // Encoded while the acknowledgement of the last transaction is on its way, and only then awaited.
      const values = this.encode(page.records);
      await heard;
      options.signal?.throwIfAborted();
      if (page.hasMore && page.cursor <= since) {
        throw new InvalidPullError(`The server said more changes remain but its cursor did not advance (${page.cursor})`);
      }
      if (++pages > MAX_PAGES_PER_PULL) break;
      const result = this.applyPage(page, Date.now(), values);
      tally.received += page.records.length;
      tally.applied += result.applied;
      tally.conflicts += result.conflicts;
      tally.parked = result.parked;
      since = page.cursor;
      committed();
      for (let step = 0; page.records.length > 0 && step < MERGE_STEPS_PER_CHUNK && !options.signal?.aborted; step++) {
        await heard;
        const merged = this.mergeSearchStep();
        committed();
        if (!merged) break;
      }
      if (!page.hasMore) break;
    }
    await heard;
    return tally;
  }

  /** Each record as the local row its insert binds (RowShape.encode): clean, at its server version. */
  private encode(records: readonly PulledRecord[]): unknown[][] {
    return records.map(({ table, version, row, absent }) =>
      this.statements[table].shape.fillEncoded(absent ? withUnwritten(row, absent) : row, { dirty: false, serverVersion: version, baseStamps: {} }),
    );
  }

  /** Applies one chunk with its cursor, all in one transaction. */
  applyPage(page: PulledChunk, at: number, values = this.encode(page.records)): Omit<PullTally, 'received'> {
    // Nothing new: no transaction (the pull time is recorded with the exchange's outcome).
    if (page.records.length === 0 && page.cursor === this.ledger.pullCursor()) return { applied: 0, conflicts: 0, parked: this.parkedCount.get()?.n ?? 0 };
    let applied = 0;
    let conflicts = 0;
    let newHouseholds = false;
    // Immediate: the local rows are read under the write lock, so a local write on another
    // connection (the app's, while this runs on the sync worker) lands before or after the chunk,
    // never between the read that decides last-write-wins and the write.
    // The chunk's search documents are written once, at its end (src/db/search-batch.ts).
    this.store.sqlite.transaction(() => {
      this.inSearchBatch(() => {
        const rejections = this.ledger.hasRejections();
        for (const [i, record] of page.records.entries()) {
          const outcome = this.applyRecord(record, values[i]!, at, rejections);
          if (outcome === 'applied') applied++;
          if (typeof outcome === 'number') {
            applied++;
            conflicts += outcome;
          }
          if (record.table === 'households' && outcome !== 'same') newHouseholds = true;
        }
        if (newHouseholds && (this.parkedCount.get()?.n ?? 0) > 0) applied += this.releaseParked(at);
      });
      this.ledger.setPullCursor(page.cursor, at);
    }).immediate();
    return { applied, conflicts, parked: this.parkedCount.get()?.n ?? 0 };
  }

  /**
   * `rejections`: whether any refusal is recorded at all (saves a delete per row when none is).
   * Foreign keys stay on: a child whose household has not arrived yet is refused by SQLite, which
   * checks that anyway, and waits for it (parked) instead of being applied.
   */
  private applyRecord(record: PulledRecord, values: unknown[], at: number, rejections = true): Outcome | 'parked' {
    this.store.clock.observe(record.row.updatedAt);
    try {
      return this.write(record, values, at, rejections);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw error;
      this.upsertParked.run({ tableName: record.table, rowId: record.row.id, row: { version: record.version, row: record.row, absent: record.absent } });
      return 'parked';
    }
  }

  /**
   * Merges the record into the local row field by field (docs/sync-protocol.md 6); writes nothing
   * else before the record's row is written. A number: the local edits the record overwrote, each
   * recorded as a conflict here, where it was decided.
   */
  private write(record: PulledRecord, values: unknown[], at: number, rejections: boolean): Outcome {
    const { table, row, version } = record;
    const statements = this.statements[table];
    // A row new to this database, the usual case, is simply inserted: the primary key's uniqueness
    // check is the lookup. Only a row that exists is read, under this transaction's write lock.
    if (statements.insertNew.run(values).changes === 1) return 'applied';
    const local = statements.get.get({ id: row.id }) as LocalRow;
    const fields = stampedFields(table);
    const absent = new Set(record.absent);
    const base = local.dirty ? local.baseStamps : {};
    const merge = mergeFields(
      { values: local, stamps: expandStamps(local, fields, () => true) },
      base,
      { values: row, stamps: expandStamps(row, fields, (field) => !absent.has(field)) },
    );
    const remainingBase = Object.fromEntries(Object.entries(base).filter(([field]) => !merge.otherWon.includes(field)));
    // A row whose every local edit lost is what the server holds: nothing is left to send.
    const dirty = local.dirty && !(Object.keys(base).length > 0 && Object.keys(remainingBase).length === 0);
    // Our own version coming back is written too: the server's copy is canonical (it normalises
    // records, e.g. trims text), and replicas must agree byte for byte, not just by stamp.
    const merged = { ...merge.state.values, ...compactStamps(merge.state.stamps), id: local.id, createdAt: local.createdAt };
    statements.upsert.run(statements.shape.fillEncoded(merged, { dirty, serverVersion: version, baseStamps: remainingBase }));
    if (!dirty && rejections) this.ledger.clearRejection(table, row.id);
    const lost = merge.conflicts.filter((conflict) => conflict.loser === 'pending');
    for (const conflict of lost) {
      const entry = conflictRecord(table, row.id, conflict, this.store.machineId, at);
      this.statements.conflicts.insertNew.run(this.statements.conflicts.shape.fillEncoded(entry, { dirty: true, serverVersion: null, baseStamps: {} }));
    }
    if (lost.length > 0) return lost.length;
    return merge.otherWon.length > 0 || !local.dirty ? 'applied' : 'same';
  }

  /** Applies parked children whose household is now present; returns how many were applied. */
  private releaseParked(at: number): number {
    let released = 0;
    for (const parked of this.allParked.all()) {
      const { version, row, absent } = parked.row as { version: number; row: WireRecord; absent?: string[] };
      if (typeof row.householdId !== 'string' || !this.householdExists.get({ id: row.householdId })) continue;
      this.deleteParked.run({ tableName: parked.tableName, rowId: parked.rowId });
      const record = { table: parked.tableName as SyncedTableName, version, row, ...(absent && { absent }) };
      const [values] = this.encode([record]);
      const outcome = this.applyRecord(record, values!, at);
      if (outcome === 'applied' || typeof outcome === 'number') released++;
    }
    return released;
  }
}

/** applied: a remote write landed; same: nothing remote was new; a number: local edits overwritten. */
type Outcome = 'applied' | 'same' | number;

/** A record from a server of an older schema: the fields it lacks start as never written. */
function withUnwritten(row: WireRecord, absent: readonly string[]): WireRecord {
  return { ...row, fieldStamps: { ...row.fieldStamps, ...Object.fromEntries(absent.map((field) => [field, NEVER_WRITTEN])) } };
}

function tableStatements(store: PullStore, name: SyncedTableName) {
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
    // Compiled, not drizzle-prepared: these run once per pulled row (see src/db/compiled-statement.ts).
    // A new row, the usual case, is inserted without the upsert's conflict handling.
    insertNew: compileRowStatement(
      store.sqlite,
      store.db.insert(table).values(shape.placeholders() as never).onConflictDoNothing({ target: table.id }),
      shape.keys,
    ),
    upsert: compileRowStatement(
      store.sqlite,
      store.db
        .insert(table)
        .values(shape.placeholders() as never)
        .onConflictDoUpdate({ target: table.id, set: overwrite as never }),
      shape.keys,
    ),
  };
}
