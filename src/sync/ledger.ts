import { and, eq, sql } from 'drizzle-orm';
import type { LocalStore } from '../db/local-store';
import * as schema from '../db/schema';
import { SYNCED_TABLE_NAMES, syncRejections, syncState, type SyncedTableName } from '../db/schema';
import { tableNameSchema, type PushResult, type RejectReason } from '../protocol/wire';
import type { RejectedRecord } from './status';
import type { OutgoingChange } from './outbox';

const STATE_ID = 1;

export interface PushTally {
  applied: number;
  superseded: number;
  rejected: number;
}

/**
 * The client's sync bookkeeping in its own database: the pull cursor and exchange times
 * (sync_state), refused records (sync_rejections), and acknowledgements of pushed rows.
 */
export class SyncLedger {
  private readonly acknowledge;
  private readonly upsertRejection;
  private readonly deleteRejection;
  private readonly readState;
  private readonly writePullCursor;
  private readonly anyRejection;

  constructor(private readonly store: Pick<LocalStore, 'db' | 'sqlite'>) {
    store.db.insert(syncState).values({ id: STATE_ID }).onConflictDoNothing().run();
    // Prepared: a large pull reads and moves the cursor, and asks for refusals, once per applied chunk.
    this.readState = store.db.select().from(syncState).where(eq(syncState.id, STATE_ID)).prepare();
    this.anyRejection = store.db.select({ rowId: syncRejections.rowId }).from(syncRejections).limit(1).prepare();
    this.writePullCursor = store.db
      .update(syncState)
      .set({ pullCursor: sql`${sql.placeholder('cursor')}`, lastPullAt: sql`${sql.placeholder('at')}` })
      .where(eq(syncState.id, STATE_ID))
      .prepare();
    this.acknowledge = Object.fromEntries(
      SYNCED_TABLE_NAMES.map((name) => {
        const table = schema.syncedTables[name] as typeof schema.households;
        // Only the exact version that was sent: a row edited while its push was in flight stays dirty.
        const statement = store.db
          .update(table)
          .set({ dirty: false, baseStamps: {}, serverVersion: sql`${sql.placeholder('version')}` })
          .where(
            and(
              eq(table.id, sql.placeholder('id')),
              eq(table.updatedAt, sql.placeholder('updatedAt')),
              eq(table.machineId, sql.placeholder('machineId')),
            ),
          )
          .prepare();
        return [name, statement];
      }),
    ) as unknown as Record<SyncedTableName, { run(values: Record<string, unknown>): unknown }>;
    this.upsertRejection = store.db
      .insert(syncRejections)
      .values({
        tableName: sql.placeholder('tableName'),
        rowId: sql.placeholder('rowId'),
        updatedAt: sql.placeholder('updatedAt'),
        reason: sql.placeholder('reason'),
        message: sql.placeholder('message'),
        at: sql.placeholder('at'),
      })
      .onConflictDoUpdate({
        target: [syncRejections.tableName, syncRejections.rowId],
        set: {
          updatedAt: sql`excluded.updated_at`,
          reason: sql`excluded.reason`,
          message: sql`excluded.message`,
          at: sql`excluded.at`,
        },
      })
      .prepare();
    this.deleteRejection = store.db
      .delete(syncRejections)
      .where(and(eq(syncRejections.tableName, sql.placeholder('tableName')), eq(syncRejections.rowId, sql.placeholder('rowId'))))
      .prepare();
  }

  state() {
    return this.readState.get()!;
  }

  pullCursor(): number {
    return this.state().pullCursor;
  }

  /** Inside the pull transaction: the cursor moves together with the rows it covers. */
  setPullCursor(cursor: number, at: number): void {
    this.writePullCursor.run({ cursor, at });
  }

  recordPush(at: number): void {
    this.store.db.update(syncState).set({ lastPushAt: at }).where(eq(syncState.id, STATE_ID)).run();
  }

  /** Persists the last error; skipped when unchanged (each write costs an fsync, every pull interval). */
  recordError(message: string | null): void {
    if (this.state().lastError === message) return;
    this.store.db.update(syncState).set({ lastError: message }).where(eq(syncState.id, STATE_ID)).run();
  }

  /**
   * Applies the server's per-record answers to a batch, in one transaction. A power cut may lose the
   * last answers (the sync worker commits them without an fsync), never tear them: the rows they would
   * have cleared stay dirty, are pushed again and answered with the same versions (ARCHITECTURE 3.4).
   */
  recordResults(sent: readonly OutgoingChange[], results: readonly PushResult[], at: number): PushTally {
    const byKey = new Map(sent.map((change) => [`${change.table}/${change.row.id}`, change]));
    const tally: PushTally = { applied: 0, superseded: 0, rejected: 0 };
    // Immediate: it reads before it writes, and the app's connection writes meanwhile (a deferred
    // transaction would then fail with SQLITE_BUSY instead of waiting its turn).
    this.store.sqlite.transaction(() => {
      // Asked once: most batches have no refusal on record to forget, and a delete per record costs.
      const rejections = this.hasRejections();
      for (const result of results) {
        const change = byKey.get(`${result.table}/${result.id}`);
        // An answer about a record we did not send is the server's mistake; it changes nothing here.
        if (!change) continue;
        if (result.status === 'rejected') {
          this.reject(change, result.reason, result.message, at);
          tally.rejected++;
          continue;
        }
        const { id, updatedAt, machineId } = change.row;
        if (rejections) this.deleteRejection.run({ tableName: change.table, rowId: id });
        tally[result.status]++;
        // Superseded: later writes of its fields reached the server first. The server has decided
        // (and recorded any conflict); the winners arrive with the next pull.
        this.acknowledge[change.table].run({ id, updatedAt, machineId, version: result.version });
      }
    }).immediate();
    return tally;
  }

  /** Marks a sent record as refused: it stays dirty, visible, and waits until it changes. */
  reject(change: OutgoingChange, reason: RejectReason, message: string, at: number): void {
    this.upsertRejection.run({ tableName: change.table, rowId: change.row.id, updatedAt: change.row.updatedAt, reason, message, at });
  }

  /** Forgets a refusal once the row no longer waits (a pulled winner replaced it). */
  clearRejection(table: SyncedTableName, rowId: string): void {
    this.deleteRejection.run({ tableName: table, rowId });
  }

  hasRejections(): boolean {
    return this.anyRejection.get() !== undefined;
  }

  rejections(): RejectedRecord[] {
    return this.store.db
      .select()
      .from(syncRejections)
      .orderBy(syncRejections.at)
      .all()
      .flatMap((r) => {
        const table = tableNameSchema.safeParse(r.tableName);
        if (!table.success) return [];
        return [{ table: table.data, id: r.rowId, reason: r.reason as RejectReason, message: r.message, at: r.at }];
      });
  }
}
