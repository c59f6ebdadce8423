import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import { TEXT_LIMITS } from '../shared/text-limits';
import { isWellFormedText } from '../shared/unicode';
import { GENDERS, VISIT_OUTCOMES } from '../shared/vocabulary';
import type { JsonObject, JsonValue } from './domain-columns';
import { isJsonObject, JSON_OBJECT_LIMITS } from './json-object';
import { conflicts, households, people, RECORD_TABLE_NAMES, syncedTables, visits, type SyncedTableName } from './schema';

/**
 * Input schemas for the domain records, derived from the Drizzle tables (one schema source) and
 * tightened with the limits a person entering data needs. The sync columns are never accepted from
 * input: the repository stamps them. The sync protocol's record schemas extend these, so the server
 * validates a pushed record by the same rules.
 */

const SYNC_KEYS = {
  id: true,
  createdAt: true,
  updatedAt: true,
  machineId: true,
  deletedAt: true,
  serverVersion: true,
  dirty: true,
  updatedBy: true,
  fieldStamps: true,
  baseStamps: true,
} as const;

/**
 * Every domain string column is trimmed of surrounding whitespace and then checked
 * (docs/sync-protocol.md 4.1). Zod counts a string's length in code points, as the protocol does.
 */
const trimmedText = () => z.string().trim().refine(isWellFormedText, 'not valid Unicode text');
const text = (max: number) => () => trimmedText().max(max, `at most ${max} characters`);
const required = (max: number) => () => trimmedText().min(1, 'required').max(max, `at most ${max} characters`);
/**
 * One of a fixed list, after trimming. Typed as the list itself: callers typing their input from the
 * schema (z.input) see the choices, not any string.
 */
const choice = <T extends z.ZodEnum<Readonly<Record<string, string>>>>(options: T) =>
  z.string().trim().pipe(options).meta({ enum: options.options }) as unknown as T;

/** RFC 9562 layout, versions 1-8, or the nil and max UUIDs; lowercase only, so one row has one id. */
const UUID_PATTERN = /^([0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
const uuid = (s: z.ZodString) => s.regex(UUID_PATTERN, 'a UUID in lowercase').meta({ format: 'uuid' });
/** A row's own id: exact, never trimmed (a trimmed id would name another row than the client's). */
export const uuidSchema = uuid(z.string());

function isCalendarDate(date: string): boolean {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}
/** A real day of the Gregorian calendar (RFC 3339 full-date), years 0000-9999. */
const calendarDate = () =>
  z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date as YYYY-MM-DD', abort: true })
    .refine(isCalendarDate, 'not a real calendar date')
    .meta({ format: 'date' });

const JSON_OBJECT_RULE = `a JSON object (keys of at most ${JSON_OBJECT_LIMITS.keyLength} characters, nesting of at most ${JSON_OBJECT_LIMITS.depth} levels, at most ${JSON_OBJECT_LIMITS.bytes / 1024} KiB)`;
const jsonObject = z.custom<JsonObject>(isJsonObject, JSON_OBJECT_RULE).meta({ type: 'object', description: JSON_OBJECT_RULE });

const HOUSEHOLD = TEXT_LIMITS.households;
export const householdInput = createInsertSchema(households, {
  area: required(HOUSEHOLD.area),
  address: text(HOUSEHOLD.address),
  headName: text(HOUSEHOLD.headName),
  phone: text(HOUSEHOLD.phone),
  geoLat: (s) => s.min(-90, 'between -90 and 90').max(90, 'between -90 and 90'),
  geoLng: (s) => s.min(-180, 'between -180 and 180').max(180, 'between -180 and 180'),
  notes: text(HOUSEHOLD.notes),
  enteredBy: text(HOUSEHOLD.enteredBy),
})
  .omit(SYNC_KEYS)
  .strict();

const PERSON = TEXT_LIMITS.people;
export const personInput = createInsertSchema(people, {
  householdId: () => uuid(z.string().trim()),
  fullName: required(PERSON.fullName),
  dateOfBirth: calendarDate,
  gender: choice(z.enum(GENDERS)).optional(),
  phone: text(PERSON.phone),
  idDocument: text(PERSON.idDocument),
  // A schema (not a callback) replaces drizzle-zod's column schema whole, default-optional included.
  attributes: jsonObject.optional(),
  enteredBy: text(PERSON.enteredBy),
})
  .omit(SYNC_KEYS)
  .strict();

export const visitInput = createInsertSchema(visits, {
  householdId: () => uuid(z.string().trim()),
  visitedAt: (s) => s.int().nonnegative(),
  outcome: choice(z.enum(VISIT_OUTCOMES)),
  notes: text(TEXT_LIMITS.visits.notes),
  answers: jsonObject.optional(),
  enteredBy: text(TEXT_LIMITS.visits.enteredBy),
})
  .omit(SYNC_KEYS)
  .strict();

const stampMs = (s: z.ZodNumber) => s.int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const machineHex = (s: z.ZodString) => s.regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hexadecimal characters');
/** Any JSON value a field can hold, bounded like a JSON column. */
const fieldValue = z.custom<JsonValue>((value) => value === null || isJsonObject({ value }), 'a JSON value of at most 64 KiB');

/** A conflict as the sync engine records it (never entered by hand). */
export const conflictInput = createInsertSchema(conflicts, {
  recordTable: () => z.enum(RECORD_TABLE_NAMES),
  recordId: (s) => s.uuid(),
  field: (s) => s.min(1).max(100),
  lostValue: fieldValue.optional(),
  wonValue: fieldValue.optional(),
  lostAt: stampMs,
  wonAt: stampMs,
  lostMachineId: machineHex,
  wonMachineId: machineHex,
  lostBy: text(100),
  wonBy: text(100),
})
  .omit(SYNC_KEYS)
  .strict();

export const recordInputs = { households: householdInput, people: personInput, visits: visitInput, conflicts: conflictInput } as const;

/** What a caller supplies for a new record: the table's insert type without the sync columns. */
export type RecordInput<T extends SyncedTableName> = Omit<
  (typeof syncedTables)[T]['$inferInsert'],
  keyof typeof SYNC_KEYS
>;
export type HouseholdInput = RecordInput<'households'>;
export type PersonInput = RecordInput<'people'>;
export type VisitInput = RecordInput<'visits'>;

/** The fields of a table that carry a stamp of their own: its domain fields and the tombstone. */
export function stampedFields(table: SyncedTableName): string[] {
  return [...Object.keys(recordInputs[table].shape), 'deletedAt'];
}
