import type { z } from 'zod';
import { RowShape } from '../db/row-shape';
import { SYNCED_TABLE_NAMES, type RecordTableName, type SyncedTableName } from '../db/schema';
import { fieldsAt, SCHEMA_VERSION } from '../protocol/schema-history';
import { conflictRecord } from '../protocol/conflict-record';
import { compactStamps, compareStamps, expandStamps, NEVER_WRITTEN, type Stamp } from '../db/field-stamps';
import { mergeFields, type Base, type FieldState } from '../protocol/merge';
import {
  baseSchema,
  LIMITS,
  PROTOCOL_VERSION,
  stampedFields,
  v1Records,
  wireRecords,
  type ProtocolVersion,
  type PushRequest,
  type PushResult,
  type RejectReason,
  type WireRecord,
} from '../protocol/wire';

/**
 * The protocol's per-record rules for a push, independent of the database: which changes are
 * refused (and why) and which go on to last-write-wins. Shared by every SyncStorage implementation.
 */

export interface AcceptedChange {
  /** Position in the push, so the result lands in the same slot. */
  index: number;
  table: SyncedTableName;
  row: WireRecord;
  /** The fields the sender changed and the stamps they replaced (v2; empty for v1). */
  base: Base;
  /** Fields of the table the record left out (a sender of an older schema): they stay as stored. */
  absent: string[];
}

export interface ClassifiedPush {
  /** Final results of refused changes; null where the change was accepted for LWW. */
  results: (PushResult | null)[];
  accepted: AcceptedChange[];
}

/** What a push's sender speaks: the protocol version and, in v2, its record schema version. */
export interface Dialect {
  protocol: ProtocolVersion;
  schema: number;
}

/**
 * Each table's column defaults by wire key: the client's (RowShape), whose columns come from the
 * factories the server's tables are built from, so one definition serves the client, both server
 * storages and the rules below.
 */
const COLUMN_DEFAULTS = Object.fromEntries(SYNCED_TABLE_NAMES.map((table) => [table, new RowShape(table).defaults])) as Record<
  SyncedTableName,
  Readonly<Record<string, unknown>>
>;

/** What a storage binds for a column a record leaves out: its default (JSON columns as JSON text), else null. */
export function storedDefault(table: SyncedTableName, key: string, json: boolean): unknown {
  const value = COLUMN_DEFAULTS[table][key] ?? null;
  return json && value !== null ? JSON.stringify(value) : value;
}

/** The defaults of the fields a version 1 record may leave out: what it writes for them. */
const V1_DEFAULTS = Object.fromEntries(
  SYNCED_TABLE_NAMES.map((table) => [
    table,
    Object.fromEntries(stampedFields(table).flatMap((key) => (COLUMN_DEFAULTS[table][key] == null ? [] : [[key, COLUMN_DEFAULTS[table][key]]]))),
  ]),
) as Record<SyncedTableName, Record<string, unknown>>;

/** What this build speaks. */
export const CURRENT_DIALECT: Dialect = { protocol: PROTOCOL_VERSION, schema: SCHEMA_VERSION };

function recordSchemas(dialect: Dialect) {
  return dialect.protocol === 1 ? v1Records : wireRecords;
}

function isSyncedTable(table: string, dialect: Dialect): table is SyncedTableName {
  return Object.hasOwn(recordSchemas(dialect), table);
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

export function classifyPush(changes: PushRequest['changes'], now: number, dialect: Dialect): ClassifiedPush {
  const schemas = recordSchemas(dialect) as Record<string, z.ZodType<WireRecord, unknown>>;
  const occurrences = new Map<string, number>();
  const key = (table: string, id: string) => `${table}\u0000${id}`;
  for (const { table, row } of changes) {
    const id = rowId(row);
    if (id) occurrences.set(key(table, id), (occurrences.get(key(table, id)) ?? 0) + 1);
  }

  const latestAllowed = now + LIMITS.futureSkewMs;
  const results: (PushResult | null)[] = [];
  const accepted: AcceptedChange[] = [];
  changes.forEach(({ table, row, base }, index) => {
    const id = rowId(row);
    if (!isSyncedTable(table, dialect)) {
      results.push(rejected(table, id, 'unknown_table', `unknown table; expected one of ${Object.keys(schemas).join(', ')}`));
      return;
    }
    const count = occurrences.get(key(table, id)) ?? 0;
    if (count > 1) {
      // Which copy is meant is ambiguous, so none is applied; the client sends each row once.
      results.push(rejected(table, id, 'duplicate_in_batch', `this record appears ${count} times in the push; send it once`));
      return;
    }
    const parsed = schemas[table]!.safeParse(row);
    const parsedBase = baseSchema.optional().safeParse(base);
    const issues = [
      ...(parsed.error?.issues ?? []),
      ...(parsedBase.error?.issues.map((issue) => ({ ...issue, path: ['base', ...issue.path] })) ?? []),
    ];
    if (!parsed.success || !parsedBase.success || issues.length > 0) {
      results.push(rejected(table, id, 'invalid_record', describeIssues(issues)));
      return;
    }
    const record = parsed.data;
    const fields = stampedFields(table);
    const later = Object.entries(record.fieldStamps ?? {}).filter(([, stamp]) => compareStamps(stamp, { ...record, updatedBy: '' }) > 0);
    const unknownBase = Object.keys(parsedBase.data ?? {}).filter((field) => !fields.includes(field));
    if (later.length > 0 || unknownBase.length > 0) {
      const message = [
        ...later.map(([field]) => `fieldStamps.${field}: later than the record's own stamp (updatedAt, machineId)`),
        ...unknownBase.map((field) => `base.${field}: not a field of this table`),
      ].join('; ');
      results.push(rejected(table, id, 'invalid_record', message));
      return;
    }
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
    // Version 1 writes whole rows of schema 1: a field it leaves out is written with its default. In
    // version 2 a field left out is one the sender does not know, and stays as stored.
    const v1 = dialect.protocol === 1;
    const known = new Set(v1 ? [...fieldsAt(1)[table as RecordTableName], 'deletedAt'] : Object.keys(row));
    accepted.push({
      index,
      table,
      row: { ...(v1 && V1_DEFAULTS[table]), ...record, updatedBy: record.updatedBy ?? '', fieldStamps: record.fieldStamps ?? {} },
      base: parsedBase.data ?? {},
      absent: fields.filter((field) => !known.has(field)),
    });
  });
  return { results, accepted };
}

/** A stored record as the merge sees it: every field's value and stamp. */
export function storedState(table: SyncedTableName, stored: WireRecord): FieldState {
  return { values: stored, stamps: expandStamps(stored, stampedFields(table), () => true) };
}

/** The conflicts and the record a push leaves behind, decided by the rules every storage shares. */
export interface PushDecision {
  /** The record to store under a fresh version; null when nothing changes. */
  write: WireRecord | null;
  /** superseded: none of the record's writes won (nothing changes). */
  status: 'applied' | 'superseded';
  conflicts: WireRecord[];
}

/**
 * Merges an accepted change into the stored record (or none) field by field (section 6): the record
 * to write, if any, and a conflict record for every value a concurrent write overwrote.
 */
export function decidePush(change: AcceptedChange, stored: WireRecord | undefined, decidedBy: string, now: number): PushDecision {
  const { table, row, base, absent } = change;
  const fields = stampedFields(table);
  const stamps = expandStamps(row, fields, (field) => !absent.includes(field));
  if (!stored) {
    for (const field of absent) stamps[field] = NEVER_WRITTEN;
    return { write: withStamps(row, row, stamps), status: 'applied', conflicts: [] };
  }
  const merge = mergeFields({ values: row, stamps }, base, storedState(table, stored));
  const conflicts = merge.conflicts.map((conflict) => conflictRecord(table, row.id, conflict, decidedBy, now));
  if (merge.pendingWon.length === 0) {
    // Nothing of it won: a replay of the stored writes (applied) or writes that lost (superseded).
    return { write: null, status: merge.otherWon.length === 0 ? 'applied' : 'superseded', conflicts };
  }
  return { write: withStamps(stored, merge.state.values, merge.state.stamps), status: 'applied', conflicts };
}

/** A record as stored, and the version it was stored under. */
export interface StoredRecord {
  record: WireRecord;
  version: number;
}

/** A write a push makes, under the version it takes. */
export interface PlannedWrite {
  table: SyncedTableName;
  row: WireRecord;
  version: number;
}

export interface PushPlan {
  /** In version order; each version above the one before. */
  writes: PlannedWrite[];
  /** The last version the plan hands out (`lastVersion` when it writes nothing). */
  version: number;
  /** Records written (conflict records aside): the registry's rowsPushed. */
  stored: number;
}

/**
 * Decides every accepted change against what is stored (read under the push's lock, so nothing
 * changes it meanwhile), filling its slot in `results`, and hands out versions from `lastVersion`:
 * the record first, then the conflicts it recorded. Changes of one push never touch the same row
 * (a record sent twice is refused), so each is decided against the stored state alone.
 */
export function planPush(
  accepted: readonly AcceptedChange[],
  results: (PushResult | null)[],
  storedRecord: (table: SyncedTableName, id: string) => StoredRecord | undefined,
  decidedBy: string,
  now: number,
  lastVersion: number,
): PushPlan {
  const writes: PlannedWrite[] = [];
  let version = lastVersion;
  let stored = 0;
  const write = (table: SyncedTableName, row: WireRecord) => writes.push({ table, row, version: ++version });
  for (const change of accepted) {
    const { index, table, row } = change;
    const current = storedRecord(table, row.id);
    const decision = decidePush(change, current?.record, decidedBy, now);
    if (decision.write) {
      write(table, decision.write);
      stored += 1;
    }
    // The record's version, taken before the conflicts recorded with it take theirs.
    const recordVersion = decision.write ? version : current!.version;
    for (const conflict of decision.conflicts) write('conflicts', conflict);
    results[index] = { table, id: row.id, status: decision.status, version: recordVersion };
  }
  return { writes, version, stored };
}

function withStamps(identity: WireRecord, values: Record<string, unknown>, stamps: Record<string, Stamp>): WireRecord {
  return { ...values, ...compactStamps(stamps), id: identity.id, createdAt: identity.createdAt, deletedAt: (values.deletedAt as number | null) ?? null };
}
