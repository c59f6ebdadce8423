import { z } from 'zod';
import { householdInput, personInput, uuidSchema, visitInput } from '../db/record-schemas';
import { SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';

/**
 * The sync protocol's shared vocabulary: paths, headers, limits, and the schemas of every body.
 * The reference server and the client engine both validate with these; docs/sync-protocol.md is the
 * human-readable spec of the same thing.
 */

export const PROTOCOL_VERSION = 1;

export const PATHS = {
  push: '/push.php',
  pull: '/pull.php',
  health: '/health.php',
  status: '/status.php',
} as const;

export const HEADERS = {
  machineId: 'x-machine-id',
  protocolVersion: 'x-protocol-version',
  /** On a pull answer: its cursor and hasMore, readable before the body (docs/sync-protocol.md 7.2). */
  pullCursor: 'x-pull-cursor',
  pullHasMore: 'x-pull-has-more',
} as const;

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

/** The sync columns every record carries on the wire. */
const replicated = {
  id: uuidSchema,
  createdAt: stamp,
  updatedAt: stamp,
  machineId: machineIdSchema,
  deletedAt: stamp.nullable(),
};

/** A full record of each synced table as it travels (camelCase keys, JSON columns as JSON). */
export const wireRecords = {
  households: householdInput.extend(replicated).strict(),
  people: personInput.extend(replicated).strict(),
  visits: visitInput.extend(replicated).strict(),
} satisfies Record<SyncedTableName, z.ZodType>;

export type WireRecord<T extends SyncedTableName = SyncedTableName> = z.output<(typeof wireRecords)[T]>;

export const tableNameSchema = z.enum(SYNCED_TABLE_NAMES as [SyncedTableName, ...SyncedTableName[]]);

// ---- push ----

/** One change in a push. The row is validated per record against its table (see pushResult). */
export const pushChangeSchema = z.object({
  table: z.string(),
  row: z.record(z.string(), z.unknown()),
});

export const pushRequestSchema = z.object({
  changes: z.array(pushChangeSchema).max(LIMITS.pushRows, `at most ${LIMITS.pushRows} changes per push`),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export const REJECT_REASONS = ['unknown_table', 'invalid_record', 'future_timestamp', 'duplicate_in_batch'] as const;
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
  serverTime: stamp,
});
