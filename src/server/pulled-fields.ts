import { RECORD_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import { fieldsAt } from '../protocol/schema-history';
import type { Dialect } from './push-rules';

/**
 * Which fields of a table a pull in `protocol` serves, shared by every storage: version 2 every
 * column; version 1 the record tables only, with the fields of schema 1 (docs/sync-protocol.md 14).
 * Null: the table is not served at all.
 */
export function pulledFields(table: SyncedTableName, keys: readonly string[], protocol: Dialect['protocol']): string[] | null {
  if (protocol === 2) return [...keys];
  if (!(RECORD_TABLE_NAMES as readonly string[]).includes(table)) return null;
  const v1 = new Set<string>([...fieldsAt(1)[table as (typeof RECORD_TABLE_NAMES)[number]], 'id', 'createdAt', 'updatedAt', 'machineId', 'deletedAt']);
  return keys.filter((key) => v1.has(key));
}
