import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { keyConnection } from './encryption';

export type SqliteDatabase = Database.Database;

/**
 * Opens a SQLite file with the durability settings every connection needs (ARCHITECTURE 4).
 * better-sqlite3's bundled SQLite defaults WAL connections to synchronous=NORMAL, which can lose the
 * last commits on power loss, so FULL is set on every open, not once per file.
 */
export function openSqlite(file: string, options: { readonly?: boolean; key?: Buffer | null } = {}): SqliteDatabase {
  createFolderFor(file);
  // The busy timeout is set at open, before anything else: switching a new file to WAL while another
  // process does the same must wait its turn, not fail with SQLITE_BUSY.
  const sqlite = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false, timeout: 5000 });
  // The key goes first: nothing can read an encrypted file before it (src/db/encryption.ts).
  if (options.key) {
    try {
      keyConnection(sqlite, options.key);
    } catch (error) {
      sqlite.close();
      throw error;
    }
  }
  if (!options.readonly) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  return sqlite;
}

/** Creates the folder a database file goes in, so a first start in a new data folder works. */
export function createFolderFor(file: string): void {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
}

/**
 * Runs `work` with its commits left to the next durable one (synchronous = NORMAL): for writes that
 * may be lost in a power cut but must never be torn, since WAL keeps commits whole and in order.
 */
export function withoutFsync<T>(sqlite: SqliteDatabase, work: () => T): T {
  sqlite.pragma('synchronous = NORMAL');
  try {
    return work();
  } finally {
    sqlite.pragma('synchronous = FULL');
  }
}

/** Runs `work` with this connection's automatic checkpoints off (another connection checkpoints). */
export async function withoutAutocheckpoint<T>(sqlite: SqliteDatabase, work: () => Promise<T>): Promise<T> {
  const previous = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  sqlite.pragma('wal_autocheckpoint = 0');
  try {
    return await work();
  } finally {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${previous}`);
  }
}
