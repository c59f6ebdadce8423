import { z } from 'zod';
import { recordInputs, stampedFields, uuidSchema } from '../db/record-schemas';
import { RECORD_TABLE_NAMES, SYNCED_TABLE_NAMES, type RecordTableName, type SyncedTableName } from '../db/schema';
import { fieldsAt, SCHEMA_VERSION } from './schema-history';

export { stampedFields };

/**
 * The sync protocol's shared vocabulary: paths, headers, limits, and the schemas of every body.
 * The reference server and the client engine both validate with these; docs/sync-protocol.md is the
 * human-readable spec of the same thing.
 */

/** The protocol versions this build speaks; the newest is what the client sends (section 3). */
export const PROTOCOL_VERSIONS = [1, 2] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];
export const PROTOCOL_VERSION: ProtocolVersion = 2;

export const PATHS = {
  push: '/push.php',
  pull: '/pull.php',
  health: '/health.php',
  status: '/status.php',
} as const;

export const HEADERS = {
  machineId: 'x-machine-id',
  protocolVersion: 'x-protocol-version',
  /** The record schema the sender speaks (protocol v2; schema-history.ts). */
  schemaVersion: 'x-schema-version',
  /** On a pull answer: its cursor and hasMore, readable before the body (docs/sync-protocol.md 7.2). */
  pullCursor: 'x-pull-cursor',
  pullHasMore: 'x-pull-has-more',
} as const;

/** What every request of this release's client says of itself: its machine, protocol and record schema. */
export function releaseHeaders(machineId: string): Record<string, string> {
  return {
    [HEADERS.protocolVersion]: String(PROTOCOL_VERSION),
    [HEADERS.schemaVersion]: String(SCHEMA_VERSION),
    [HEADERS.machineId]: machineId,
  };
}

export const LIMITS = {
  /** Most records one push may carry. */
  pushRows: 1000,
  /** Largest push body, after decompression (bytes). */
  pushBytes: 8 * 1024 * 1024,
  /** Largest push body as sent on the wire, compressed or not (bytes). */
  wireBytes: 8 * 1024 * 1024,
  /** Default and largest pull page (rows). A page bounds how long the client applies in one go. */
  pullDefault: 500,
  pullMax: 1000,
  /** Stamps further than this ahead of the server's clock are refused per record (ms). */
  futureSkewMs: 5 * 60 * 1000,
} as const;

export const machineIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hexadecimal characters');
const stamp = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const accountName = z.string().trim().max(100, 'at most 100 characters');

/** Who wrote a field's value, and when: protocol v2 orders writes of each field by it (section 6). */
export const stampSchema = z.strictObject({ updatedAt: stamp, machineId: machineIdSchema, updatedBy: accountName });

/** The sync columns every record carries on the wire in protocol v1. */
const replicatedV1 = {
  id: uuidSchema,
  createdAt: stamp,
  updatedAt: stamp,
  machineId: machineIdSchema,
  deletedAt: stamp.nullable(),
};

/** Protocol v2 adds the account of the last write and the stamps of fields written at another moment. */
const replicatedV2 = {
  ...replicatedV1,
  updatedBy: accountName.default(''),
  fieldStamps: z.record(z.string(), stampSchema).default({}),
};

const stampedFieldSets = Object.fromEntries(SYNCED_TABLE_NAMES.map((t) => [t, new Set(stampedFields(t))])) as Record<
  SyncedTableName,
  Set<string>
>;

function unknownStampedFields(table: SyncedTableName, keys: Iterable<string>): string[] {
  return [...keys].filter((key) => !stampedFieldSets[table].has(key));
}

/**
 * A v2 record of each synced table as a server accepts it: any key it does not know is refused
 * (a newer client is told apart by its schema version first, section 4.3).
 */
export const wireRecords = Object.fromEntries(
  SYNCED_TABLE_NAMES.map((table) => [
    table,
    recordInputs[table]
      .extend(replicatedV2)
      .strict()
      .superRefine((row, ctx) => {
        for (const key of unknownStampedFields(table, Object.keys(row.fieldStamps))) {
          ctx.addIssue({ code: 'custom', path: ['fieldStamps', key], message: 'not a field of this table' });
        }
      }),
  ]),
) as unknown as Record<SyncedTableName, z.ZodType<WireRecord, unknown>>;

/**
 * A v2 record as a client reads it from a pull: keys it does not know (fields a newer server has) are
 * dropped, never refused, so an older client keeps syncing what it knows.
 */
export const pulledRecords = Object.fromEntries(
  SYNCED_TABLE_NAMES.map((table) => [
    table,
    recordInputs[table]
      .extend(replicatedV2)
      .strip()
      .transform((row) => {
        for (const key of unknownStampedFields(table, Object.keys(row.fieldStamps))) delete row.fieldStamps[key];
        return row;
      }),
  ]),
) as unknown as typeof wireRecords;

/** A protocol v1 record: the fields of schema version 1, whole-row stamps, nothing else. */
export const v1Records = Object.fromEntries(
  RECORD_TABLE_NAMES.map((table) => {
    const fields = Object.fromEntries(fieldsAt(1)[table].map((key) => [key, true as const]));
    return [table, (recordInputs[table] as z.ZodObject).pick(fields as never).extend(replicatedV1).strict()];
  }),
) as unknown as Record<RecordTableName, z.ZodType<WireRecord, unknown>>;

/** The sync columns of a record on the wire (v2; a v1 record lacks `updatedBy` and `fieldStamps`). */
export interface WireStamps {
  id: string;
  createdAt: number;
  updatedAt: number;
  machineId: string;
  updatedBy: string;
  fieldStamps: Record<string, z.output<typeof stampSchema>>;
  deletedAt: number | null;
}

/** A record as it travels: its sync columns and its table's fields by their wire keys. */
export type WireRecord = WireStamps & Record<string, unknown>;

/** The stamps of the values a pushed record's changed fields replaced (section 5.1). */
export const baseSchema = z.record(z.string(), stampSchema);

export const tableNameSchema = z.enum(SYNCED_TABLE_NAMES as [SyncedTableName, ...SyncedTableName[]]);

// ---- push ----

/** One change in a push. The row is validated per record against its table (see pushResult). */
export const pushChangeSchema = z.object({
  table: z.string(),
  row: z.record(z.string(), z.unknown()),
  /** v2: the fields this PC changed since the server last acknowledged the record (section 5.1). */
  base: z.unknown().optional(),
});

export const pushRequestSchema = z.object({
  changes: z.array(pushChangeSchema).max(LIMITS.pushRows, `at most ${LIMITS.pushRows} changes per push`),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const REJECT_REASONS = ['unknown_table', 'invalid_record', 'future_timestamp', 'duplicate_in_batch'] as const;
export type OutgoingBase = z.output<typeof baseSchema>;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const pushResultSchema = z.discriminatedUnion('status', [
  /** Stored (or already stored: a replay), with the version the server gave it. */
  z.object({ table: z.string(), id: z.string(), status: z.literal('applied'), version: z.number().int().positive() }),
  /** The server holds a later write of this row; the client clears dirty and pulls the winner. */
  z.object({ table: z.string(), id: z.string(), status: z.literal('superseded'), version: z.number().int().positive() }),
  /** Refused; nothing stored. The client keeps the record queued and shows the reason. */
  z.object({
    table: z.string(),
    id: z.string(),
    status: z.literal('rejected'),
    reason: z.enum(REJECT_REASONS),
    message: z.string(),
  }),
]);
export type PushResult = z.infer<typeof pushResultSchema>;

export const pushResponseSchema = z.object({
  results: z.array(pushResultSchema),
  serverTime: stamp,
});
export type PushResponse = z.infer<typeof pushResponseSchema>;

// ---- pull ----

/** A query parameter as plain decimal digits: no sign, no exponent, no hex, not empty. */
const decimalParameter = () => z.string().regex(/^[0-9]+$/, 'a plain decimal integer').transform(Number);

export const pullQuerySchema = z.object({
  since: decimalParameter().pipe(stamp).default(0),
  limit: decimalParameter().pipe(z.number().int().min(1).max(LIMITS.pullMax)).default(LIMITS.pullDefault),
});
export type PullQuery = z.infer<typeof pullQuerySchema>;

/**
 * A JSON object, checked without being copied: each pulled row is validated (and copied) once, by
 * its table's wire schema, when it is applied. A z.record here copied every row of every page a
 * second time.
 */
const jsonObjectRef = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected a JSON object',
);

export const pullChangeSchema = z.object({
  table: tableNameSchema,
  version: z.number().int().positive(),
  row: jsonObjectRef,
});
export type PullChange = z.infer<typeof pullChangeSchema>;

export const pullResponseSchema = z.object({
  changes: z.array(pullChangeSchema),
  /** Pass as `since` next time: the highest version in this page (or `since` when empty). */
  cursor: z.number().int().nonnegative(),
  hasMore: z.boolean(),
  serverTime: stamp,
});
export type PullResponse = z.infer<typeof pullResponseSchema>;
/**
 * A pull answer's cursor and hasMore as its headers announce them, so the next page can be requested
 * while this one still arrives. Optional: a server that does not send them is answered after parsing.
 */
export const pullAnnouncementSchema = z
  .object({
    [HEADERS.pullCursor]: z.string().regex(/^\d{1,16}$/).transform(Number),
    [HEADERS.pullHasMore]: z.enum(['true', 'false']).transform((value) => value === 'true'),
  })
  .transform((headers) => ({ cursor: headers[HEADERS.pullCursor], hasMore: headers[HEADERS.pullHasMore] }));
export type PullAnnouncement = z.output<typeof pullAnnouncementSchema>;

// ---- errors, health ----

export const ERROR_CODES = [
  'malformed_request',
  'malformed_json',
  'bad_encoding',
  'unauthorized',
  'key_in_url',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'unsupported_protocol',
  'schema_ahead',
  'invalid_batch',
  'server_error',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z.object({
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const healthResponseSchema = z.object({
  ok: z.literal(true),
  protocolVersion: z.number().int(),
  /** v2: every protocol version and the newest record schema the server speaks. */
  protocolVersions: z.array(z.number().int()).optional(),
  schemaVersion: z.number().int().optional(),
  serverTime: stamp,
});
