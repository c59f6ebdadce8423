import { and, count, eq, gt, isNull, ne, or, sql } from 'drizzle-orm';
import { getTableColumns } from 'drizzle-orm';
import type { LocalStore } from '../db/local-store';
import * as schema from '../db/schema';
import { SYNCED_TABLE_NAMES, syncRejections, type SyncedTableName } from '../db/schema';
import { LIMITS, type OutgoingBase, type WireRecord } from '../protocol/wire';
import { outgoingBase, toWireRow, type LocalRow } from './wire-rows';

/** One record on its way to the server, with its serialised form (measured for the byte budget). */
export interface OutgoingChange {
  table: SyncedTableName;
  row: WireRecord;
  base?: OutgoingBase | undefined;
  /** `{"table":...,"row":...,"base":...}` exactly as it goes into the push body. */
  json: string;
}

export interface BatchLimits {
  maxRows: number;
  /** Budget for the uncompressed body (bytes). */
  maxBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  // A quarter of the server's limit: a batch's answers are recorded in one transaction, and a local
  // write made meanwhile waits for it.
  maxRows: LIMITS.pushRows / 4,
  // Half the server's limit: leaves room for the envelope and keeps one request short.
  maxBytes: LIMITS.pushBytes / 2,
};

const BODY_ENVELOPE_BYTES = '{"changes":[]}'.length;

/** Rows read per query: memory stays bounded by a batch, however many rows are due. */
const READ_PAGE_ROWS = 100;

export function pushBody(batch: readonly OutgoingChange[]): string {
  return `{"changes":[${batch.map((c) => c.json).join(',')}]}`;
}

/**
 * The buffered queue of local changes: every dirty row is the outbox, so entry only sets a flag and
 * never waits for the network. Read with prepared statements (ARCHITECTURE 7), parents first.
 */
export class Outbox {
  private readonly dirtyPage;
  private readonly pendingCount;

  constructor(store: Pick<LocalStore, 'db'>) {
    this.dirtyPage = Object.fromEntries(SYNCED_TABLE_NAMES.map((name) => [name, dirtyPageQuery(store, name)])) as Record<
      SyncedTableName,
      ReturnType<typeof dirtyPageQuery>
    >;
    this.pendingCount = Object.fromEntries(
      SYNCED_TABLE_NAMES.map((name) => {
        const table = schema.syncedTables[name] as typeof schema.households;
        return [name, store.db.select({ n: count() }).from(table).where(eq(table.dirty, true)).prepare()];
      }),
    ) as unknown as Record<SyncedTableName, { get(): { n: number } | undefined }>;
  }

  /** Dirty rows per table, rejected ones included: they are still waiting. */
  pending(): Record<SyncedTableName, number> {
    return Object.fromEntries(SYNCED_TABLE_NAMES.map((name) => [name, this.pendingCount[name].get()?.n ?? 0])) as Record<
      SyncedTableName,
      number
    >;
  }

  /**
   * Every row due for a push, parents first, each at most once per call (keyset paging by id), so a
   * push run always ends even while the user keeps editing. A rejected row is due again only once it
   * changed, except a future-stamp refusal, which the server may accept later as its clock advances.
   */
  *changes(): Generator<OutgoingChange> {
    for (const table of SYNCED_TABLE_NAMES) {
      let after = '';
      for (;;) {
        const rows = this.dirtyPage[table].all({ after, limit: READ_PAGE_ROWS }) as LocalRow[];
        for (const local of rows) {
          const row = toWireRow(local);
          const base = outgoingBase(local);
          yield { table, row, base, json: JSON.stringify({ table, row, base }) };
        }
        if (rows.length < READ_PAGE_ROWS) break;
        after = rows.at(-1)!.id;
      }
    }
  }

  /** The due changes packed into batches bounded by rows and bytes. */
  *batches(limits: BatchLimits = DEFAULT_BATCH_LIMITS): Generator<OutgoingChange[]> {
    let batch: OutgoingChange[] = [];
    let bytes = BODY_ENVELOPE_BYTES;
    for (const change of this.changes()) {
      const size = Buffer.byteLength(change.json) + 1;
      if (batch.length > 0 && (batch.length >= limits.maxRows || bytes + size > limits.maxBytes)) {
        yield batch;
        batch = [];
        bytes = BODY_ENVELOPE_BYTES;
      }
      batch.push(change);
      bytes += size;
    }
    if (batch.length > 0) yield batch;
  }
}

/** One page of a table's due rows after the id `after`, in id order. */
export function dirtyPageQuery(store: Pick<LocalStore, 'db'>, name: SyncedTableName) {
  const table = schema.syncedTables[name] as typeof schema.households;
  return store.db
    .select(getTableColumns(table))
    .from(table)
    .leftJoin(syncRejections, and(eq(syncRejections.tableName, name), eq(syncRejections.rowId, table.id)))
    .where(
      and(
        eq(table.dirty, true),
        gt(table.id, sql.placeholder('after')),
        or(
          isNull(syncRejections.rowId),
          ne(syncRejections.updatedAt, table.updatedAt),
          eq(syncRejections.reason, 'future_timestamp'),
        ),
      ),
    )
    .orderBy(table.id)
    .limit(sql.placeholder('limit'))
    .prepare();
}
