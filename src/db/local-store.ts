import fs from 'node:fs';
import { max } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { HybridClock } from './clock';
import { openSqlite, type SqliteDatabase } from './connection';
import { readMeta, writeMeta } from './instance-meta';
import { loadMachineIdentity, systemMachineId, type OsMachineId } from './machine-identity';
import { ForeignKeyViolationError, LOCAL_MIGRATIONS, migrateDatabase, type MigrationResult } from './migrate';
import { withOpenLock } from './open-lock';
import { createRepositories, type LocalDrizzle, type Repositories } from './repository';
import * as schema from './schema';
import { conflictLog, syncedTables, type SyncedTableName } from './schema';

export interface LocalStoreOptions {
  file: string;
  /** The OS machine ID source; tests pass their own to simulate another PC. */
  osMachineId?: OsMachineId;
  /** The wall clock the hybrid clock follows; tests pass a skewed one. */
  wallClock?: () => number;
  migrationsFolder?: string;
}

export interface LocalStore {
  readonly file: string;
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
    db.select({ at: max(conflictLog.lostUpdatedAt) }).from(conflictLog).get()?.at,
    Number(readMeta(db, CLOCK_KEY) ?? 0),
  ];
  return Math.max(0, ...stamps.map((at) => at ?? 0));
}

function restoreBackup(file: string, backupFile: string): void {
  for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.copyFileSync(backupFile, file);
}

/** Opens (creating and migrating as needed) the app's local database. */
export function openLocalStore(options: LocalStoreOptions): LocalStore {
  // Migrating and settling the identity happen once per file, whoever opens it first.
  const { sqlite, db, migration, machineId } = withOpenLock(options.file, () => {
    const connection = openSqlite(options.file);
    const drizzleDb = drizzle({ client: connection, schema });
    try {
      const applied = migrateDatabase(drizzleDb, connection, options.migrationsFolder ?? LOCAL_MIGRATIONS);
      return { sqlite: connection, db: drizzleDb, migration: applied, machineId: loadMachineIdentity(drizzleDb, options.osMachineId ?? systemMachineId) };
    } catch (error) {
      connection.close();
      if (error instanceof ForeignKeyViolationError && error.backupFile) restoreBackup(options.file, error.backupFile);
      throw error;
    }
  });
  const clock = new HybridClock(options.wallClock, clockHighWater(db));
  const listeners = new Set<(table: SyncedTableName) => void>();
  const repos = createRepositories({
    sqlite,
    db,
    clock,
    machineId,
    onLocalWrite: (table) => listeners.forEach((listener) => listener(table)),
  });

  return {
    file: options.file,
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
      writeMeta(db, CLOCK_KEY, String(clock.peek()));
      listeners.clear();
      sqlite.close();
    },
  };
}
