import type { z } from 'zod';
import type { SyncedTableName } from '../db/schema';
import { LIMITS, wireRecords, type PushRequest, type PushResult, type RejectReason, type WireRecord } from '../protocol/wire';

/**
 * The protocol's per-record rules for a push, independent of the database: which changes are
 * refused (and why) and which go on to last-write-wins. Shared by every SyncStorage implementation.
 */

export interface AcceptedChange {
  /** Position in the push, so the result lands in the same slot. */
  index: number;
  table: SyncedTableName;
  row: WireRecord;
}

export interface ClassifiedPush {
  /** Final results of refused changes; null where the change was accepted for LWW. */
  results: (PushResult | null)[];
  accepted: AcceptedChange[];
}

function isSyncedTable(table: string): table is SyncedTableName {
  return Object.hasOwn(wireRecords, table);
}

const MAX_MESSAGE = 500;

/** Where and what, never the offending values: a rejected record may carry personal data. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const parts = issues.slice(0, 10).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'record';
    return `${where}: ${issue.message}`;
  });
  if (issues.length > 10) parts.push(`and ${issues.length - 10} more`);
  const message = parts.join('; ');
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
}

function rowId(row: Record<string, unknown>): string {
  return typeof row.id === 'string' ? row.id : '';
}

function rejected(table: string, id: string, reason: RejectReason, message: string): PushResult {
  return { table, id, status: 'rejected', reason, message };
}

export function classifyPush(changes: PushRequest['changes'], now: number): ClassifiedPush {
  const occurrences = new Map<string, number>();
  const key = (table: string, id: string) => `${table}\u0000${id}`;
  for (const { table, row } of changes) {
    const id = rowId(row);
    if (id) occurrences.set(key(table, id), (occurrences.get(key(table, id)) ?? 0) + 1);
  }

  const latestAllowed = now + LIMITS.futureSkewMs;
  const results: (PushResult | null)[] = [];
  const accepted: AcceptedChange[] = [];
  changes.forEach(({ table, row }, index) => {
    const id = rowId(row);
    if (!isSyncedTable(table)) {
      results.push(rejected(table, id, 'unknown_table', `unknown table; expected one of ${Object.keys(wireRecords).join(', ')}`));
      return;
    }
    const count = occurrences.get(key(table, id)) ?? 0;
    if (count > 1) {
      // Which copy is meant is ambiguous, so none is applied; the client sends each row once.
      results.push(rejected(table, id, 'duplicate_in_batch', `this record appears ${count} times in the push; send it once`));
      return;
    }
    const parsed = wireRecords[table].safeParse(row);
    if (!parsed.success) {
      results.push(rejected(table, id, 'invalid_record', describeIssues(parsed.error.issues)));
      return;
    }
    const record = parsed.data as WireRecord;
    const ahead = (['createdAt', 'updatedAt', 'deletedAt'] as const).filter((k) => (record[k] ?? 0) > latestAllowed);
    if (ahead.length > 0) {
      results.push(
        rejected(
          table,
          id,
          'future_timestamp',
          `${ahead.join(', ')} more than ${LIMITS.futureSkewMs / 1000} s ahead of the server clock; check this computer's clock`,
        ),
      );
      return;
    }
    results.push(null);
    accepted.push({ index, table, row: record });
  });
  return { results, accepted };
}
