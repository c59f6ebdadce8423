import { eq } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { instanceMeta } from './schema';

/** The local database, or a transaction on it. */
export type MetaDatabase = BaseSQLiteDatabase<'sync', unknown, Record<string, unknown>>;

/** One fact about this installation (see `instanceMeta`), or undefined when never written. */
export function readMeta(db: MetaDatabase, key: string): string | undefined {
  return db.select({ value: instanceMeta.value }).from(instanceMeta).where(eq(instanceMeta.key, key)).get()?.value;
}

export function writeMeta(db: MetaDatabase, key: string, value: string): void {
  db.insert(instanceMeta).values({ key, value }).onConflictDoUpdate({ target: instanceMeta.key, set: { value } }).run();
}
