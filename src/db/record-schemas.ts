import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import type { JsonObject } from './domain-columns';
import { isJsonObject, JSON_OBJECT_LIMITS } from './json-object';
import { households, people, syncedTables, visits, type SyncedTableName } from './schema';

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
} as const;

const text = (max: number) => (s: z.ZodString) => s.trim().max(max, `at most ${max} characters`);
const required = (max: number) => (s: z.ZodString) =>
  s.trim().min(1, 'required').max(max, `at most ${max} characters`);
const JSON_OBJECT_RULE = `a JSON object (keys of at most ${JSON_OBJECT_LIMITS.keyLength} characters, nesting of at most ${JSON_OBJECT_LIMITS.depth} levels, at most ${JSON_OBJECT_LIMITS.bytes / 1024} KiB)`;
const jsonObject = z.custom<JsonObject>(isJsonObject, JSON_OBJECT_RULE).meta({ type: 'object', description: JSON_OBJECT_RULE });

export const householdInput = createInsertSchema(households, {
  area: required(100),
  address: text(300),
  headName: text(200),
  phone: text(40),
  geoLat: (s) => s.min(-90).max(90),
  geoLng: (s) => s.min(-180).max(180),
  notes: text(4000),
  enteredBy: text(100),
})
  .omit(SYNC_KEYS)
  .strict();

export const personInput = createInsertSchema(people, {
  householdId: (s) => s.uuid(),
  fullName: required(200),
  dateOfBirth: (s) => s.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  phone: text(40),
  idDocument: text(100),
  // A schema (not a callback) replaces drizzle-zod's column schema whole, default-optional included.
  attributes: jsonObject.optional(),
  enteredBy: text(100),
})
  .omit(SYNC_KEYS)
  .strict();

export const visitInput = createInsertSchema(visits, {
  householdId: (s) => s.uuid(),
  visitedAt: (s) => s.int().nonnegative(),
  notes: text(4000),
  answers: jsonObject.optional(),
  enteredBy: text(100),
})
  .omit(SYNC_KEYS)
  .strict();

export const recordInputs = { households: householdInput, people: personInput, visits: visitInput } as const;

/** What a caller supplies for a new record: the table's insert type without the sync columns. */
export type RecordInput<T extends SyncedTableName> = Omit<
  (typeof syncedTables)[T]['$inferInsert'],
  keyof typeof SYNC_KEYS
>;
export type HouseholdInput = RecordInput<'households'>;
export type PersonInput = RecordInput<'people'>;
export type VisitInput = RecordInput<'visits'>;
