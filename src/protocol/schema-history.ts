import type { RecordTableName } from '../db/schema';

/**
 * The record schema's history: which fields each table's records have had, version by version. A
 * request says which version it speaks (`X-Schema-Version`), so PCs updated days apart keep syncing
 * (docs/sync-protocol.md section 4.3, docs/adding-a-field.md). Append an entry when a synced table
 * gains a field; never edit an entry a release has shipped. test/protocol/schema-history.test.ts
 * checks that the last entry matches the tables.
 */
export const SCHEMA_HISTORY = [
  {
    version: 1,
    fields: {
      households: ['area', 'address', 'headName', 'phone', 'geoLat', 'geoLng', 'notes', 'enteredBy'],
      people: ['householdId', 'fullName', 'dateOfBirth', 'gender', 'phone', 'idDocument', 'attributes', 'enteredBy'],
      visits: ['householdId', 'visitedAt', 'outcome', 'notes', 'answers', 'enteredBy'],
    },
  },
] as const satisfies readonly { version: number; fields: Record<RecordTableName, readonly string[]> }[];

/** The schema version this build speaks. */
export const SCHEMA_VERSION: number = SCHEMA_HISTORY.at(-1)!.version;

/** The domain fields a client of `version` knows, per table. */
export function fieldsAt(version: number): Record<RecordTableName, readonly string[]> {
  return (SCHEMA_HISTORY.find((entry) => entry.version === version) ?? SCHEMA_HISTORY[0]).fields;
}
