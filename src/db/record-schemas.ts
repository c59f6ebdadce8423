import { createInsertSchema } from 'drizzle-zod';
import { z } from 'zod';
import { households, people, visits, type SyncedTableName } from './schema';

/**
 * Input schemas for the domain records, derived from the Drizzle tables (one schema source) and
 * tightened with the limits a person entering data needs. The sync columns are never accepted from
 * input: the repository stamps them.
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
const jsonObject = z.record(z.string().max(100), z.json());

export const householdInput = createInsertSchema(households, {
  area: required(100),
  address: text(300),
  headName: text(200),
  phone: text(40),
  geoLat: (s) => s.min(-90).max(90),
  geoLng: (s) => s.min(-180).max(180),
  notes: text(4000),
})
  .omit(SYNC_KEYS)
  .strict();

export const personInput = createInsertSchema(people, {
  householdId: (s) => s.uuid(),
  fullName: required(200),
  dateOfBirth: (s) => s.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
  phone: text(40),
  idDocument: text(100),
  attributes: jsonObject,
})
  .omit(SYNC_KEYS)
  .strict();

export const visitInput = createInsertSchema(visits, {
  householdId: (s) => s.uuid(),
  visitedAt: (s) => s.int().nonnegative(),
  notes: text(4000),
  answers: jsonObject,
  enteredBy: text(100),
})
  .omit(SYNC_KEYS)
  .strict();

export const recordInputs = { households: householdInput, people: personInput, visits: visitInput } as const;

export type HouseholdInput = z.infer<typeof householdInput>;
export type PersonInput = z.infer<typeof personInput>;
export type VisitInput = z.infer<typeof visitInput>;
export type RecordInput<T extends SyncedTableName> = z.infer<(typeof recordInputs)[T]>;
