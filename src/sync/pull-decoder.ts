import { SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import { pulledRecords, pullResponseSchema, stampedFields, type PullChange, type PullResponse, type WireRecord } from '../protocol/wire';
import { readAnswer } from './transport';

/** Turns a pull answer into validated records, cut into the chunks the applier commits one by one. */

export class InvalidPullError extends Error {
  override name = 'InvalidPullError';
}

/** A pulled record that passed its table's wire schema, at the server version it was pulled at. */
export interface PulledRecord {
  table: SyncedTableName;
  version: number;
  row: WireRecord;
  /** Fields of the table the record lacks (sent by a server of an older schema): they stay as they are here. */
  absent?: string[];
}

const STAMPED = Object.fromEntries(SYNCED_TABLE_NAMES.map((table) => [table, stampedFields(table)])) as Record<SyncedTableName, string[]>;

/** What one transaction applies: a page, or a chunk of one, with the cursor it reaches. */
export interface PulledChunk {
  /**
   * In the order to apply them: table by table, households first (so children find a household that
   * arrives in the same chunk), each table in version order; writing one table at a time touches
   * fewer database pages per commit than the interleaved version order.
   */
  records: PulledRecord[];
  cursor: number;
  hasMore: boolean;
  serverTime: number;
}

const TABLE_ORDER = Object.fromEntries(SYNCED_TABLE_NAMES.map((table, i) => [table, i])) as Record<SyncedTableName, number>;

/**
 * Parses a pull answer's bytes and checks its envelope; throws a transient SyncError when the answer
 * is garbled. The cursor is known from here on, before the records are validated (decodeRecords).
 */
export function readPullAnswer(body: Uint8Array): PullResponse {
  return readAnswer(body, pullResponseSchema);
}

/**
 * Validates every record of a page pulled from `since` and cuts it into chunks of at most
 * `chunkRows`, each applied in its own transaction. A chunk ends at its last version and the next
 * starts above it, so a chunk's cursor (its last version) is safe to store: every version up to it
 * has been applied. Throws InvalidPullError when a record breaks the rules or the versions are out
 * of order (then nothing of the page may be applied).
 */
export function decodeRecords(page: PullResponse, since: number, chunkRows: number): PulledChunk[] {
  let previous = since;
  for (const change of page.changes) {
    if (change.version <= previous || change.version > page.cursor) {
      throw new InvalidPullError(`The server sent version ${change.version} out of order (after ${previous}, cursor ${page.cursor}); nothing from that page was applied`);
    }
    previous = change.version;
  }
  const records = page.changes.map(validated);
  const chunks: PulledChunk[] = [];
  for (let start = 0; start === 0 || start < records.length; start += chunkRows) {
    const chunk = records.slice(start, start + chunkRows);
    const last = start + chunkRows >= records.length;
    chunks.push({
      records: chunk.sort((a, b) => TABLE_ORDER[a.table] - TABLE_ORDER[b.table] || a.version - b.version),
      cursor: last ? page.cursor : records[start + chunkRows - 1]!.version,
      hasMore: last ? page.hasMore : true,
      serverTime: page.serverTime,
    });
  }
  return chunks;
}

function validated(change: PullChange): PulledRecord {
  const parsed = pulledRecords[change.table].safeParse(change.row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidPullError(
      `The server sent an invalid ${change.table} record at version ${change.version} (${issue?.path.join('.')}: ${issue?.message}); nothing from that page was applied`,
    );
  }
  const absent = STAMPED[change.table].filter((field) => !(field in change.row));
  return { table: change.table, version: change.version, row: parsed.data, ...(absent.length > 0 && { absent }) };
}
