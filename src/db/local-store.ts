import fs from 'node:fs';
import { max } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { HybridClock } from './clock';
import { openSqlite, type SqliteDatabase } from './connection';
import { unlockDatabase, type KeySources } from './database-key';
import { DatabaseKeyError, fileFormat, recoveryHint } from './encryption';
import { readMeta, writeMeta } from './instance-meta';
import { loadMachineIdentity, systemMachineId, type OsMachineId } from './machine-identity';
import { ForeignKeyViolationError, LOCAL_MIGRATIONS, migrateDatabase, type MigrationResult } from './migrate';
import { holdInUse, withOpenLock } from './open-lock';
import type { SearchLimits } from './household-search';
import { createRepositories, type LocalDrizzle, type Repositories } from './repository';
import * as schema from './schema';
import { asStorageFault } from './storage-fault';
import { syncedTables, type SyncedTableName } from './schema';

export interface LocalStoreOptions {
  file: string;
  /** The OS machine ID source; tests pass their own to simulate another PC. */
  osMachineId?: OsMachineId;
  /** The wall clock the hybrid clock follows; tests pass a skewed one. */
  wallClock?: () => number;
  migrationsFolder?: string;
  /**
   * The database key, or where this host keeps it (src/db/database-key.ts: made on first use, and a
   * plain database is encrypted). Absent: a plain database, for tests and tools that make their own.
   */
  key?: Buffer | KeySources;
  /** How a search with filters is run; tests pass small limits to take every way on a small table. */
  searchLimits?: SearchLimits;
}

export interface LocalStore {
  readonly file: string;
  /** The key the file is encrypted with (null: a plain database); other connections to it need it. */
  readonly key: Buffer | null;
  readonly sqlite: SqliteDatabase;
  readonly db: LocalDrizzle;
  readonly clock: HybridClock;
  readonly machineId: string;
  readonly repos: Repositories;
  readonly migration: MigrationResult;
  /** Subscribes to committed local writes; returns the unsubscribe function. */
  onLocalWrite(listener: (table: SyncedTableName) => void): () => void;
  close(): void;
}

const CLOCK_KEY = 'clock.high_water';

/** The highest stamp this database has made or seen, so a restart never stamps below it. */
function clockHighWater(db: LocalDrizzle): number {
  const stamps = [
    ...Object.values(syncedTables).map((table) => db.select({ at: max(table.updatedAt) }).from(table).get()?.at),
    Number(readMeta(db, CLOCK_KEY) ?? 0),
  ];
  return Math.max(0, ...stamps.map((at) => at ?? 0));
}

function restoreBackup(file: string, backupFile: string): void {
  for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.copyFileSync(backupFile, file);
}

function databaseKey(file: string, key: LocalStoreOptions['key']): Buffer | null {
  if (Buffer.isBuffer(key)) return key;
  if (key) return unlockDatabase(file, key);
  if (fileFormat(file) === 'encrypted') throw new DatabaseKeyError('missing', `The database ${file} is encrypted and no key was given to open it. ${recoveryHint(file)}`);
  return null;
}

/**
 * Refuses a file that exists but cannot be written: SQLite would open it read-only without a word,
 * and every change would fail later, so say so at start-up instead.
 */
function confirmWritable(file: string): void {
  if (file === ':memory:' || !fs.existsSync(file)) return;
  try {
    fs.accessSync(file, fs.constants.W_OK);
  } catch (error) {
    throw Object.assign(new Error('the file is read-only for this account'), { code: (error as NodeJS.ErrnoException).code });
  }
}

/**
 * Opens (creating and migrating as needed) the app's local database. A full disk, a damaged file or
 * one that cannot be written fails with a StorageFaultError that says which file and what to do; a
 * damaged file is refused before anything is written to it.
 */
export function openLocalStore(options: LocalStoreOptions): LocalStore {
  try {
    return openMigrated(options);
  } catch (error) {
    throw asStorageFault(error, options.file) ?? error;
  }
}

function openMigrated(options: LocalStoreOptions): LocalStore {
  // Migrating and settling the identity happen once per file, whoever opens it first.
  const { key, sqlite, db, migration, machineId, highWater, releaseInUse } = withOpenLock(options.file, () => {
    confirmWritable(options.file);
    const fileKey = options.file === ':memory:' ? null : databaseKey(options.file, options.key);
    const connection = openSqlite(options.file, { key: fileKey });
    const drizzleDb = drizzle({ client: connection, schema });
    try {
      // Pulls skipped the fields this build adds (a client ignores what it does not know): pull everything again.
      const pullAgain = () => connection.prepare('UPDATE sync_state SET pull_cursor = 0').run();
      const applied = migrateDatabase(drizzleDb, connection, options.migrationsFolder ?? LOCAL_MIGRATIONS, pullAgain);
      // Reading every table's newest stamp also finds a damaged table before the identity is written.
      const highWater = clockHighWater(drizzleDb);
      const identity = loadMachineIdentity(drizzleDb, options.osMachineId ?? systemMachineId);
      return { key: fileKey, sqlite: connection, db: drizzleDb, migration: applied, machineId: identity, highWater, releaseInUse: holdInUse(options.file) };
    } catch (error) {
      connection.close();
      if (error instanceof ForeignKeyViolationError && error.backupFile) restoreBackup(options.file, error.backupFile);
      throw error;
    }
  });
  const clock = new HybridClock(options.wallClock, highWater);
  const listeners = new Set<(table: SyncedTableName) => void>();
  const repos = createRepositories({
    sqlite,
    db,
    clock,
    machineId,
    onLocalWrite: (table) => listeners.forEach((listener) => listener(table)),
    searchLimits: options.searchLimits,
  });

  return {
    file: options.file,
    key,
    sqlite,
    db,
    clock,
    machineId,
    repos,
    migration,
    onLocalWrite(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (!sqlite.open) return;
      listeners.clear();
      try {
        writeMeta(db, CLOCK_KEY, String(clock.peek()));
      } finally {
        // Closed even when saving the clock fails (a full disk): the stamps in the tables still bound it.
        sqlite.close();
        releaseInUse();
      }
    },
  };
}
