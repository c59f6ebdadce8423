import fs from 'node:fs';
import path from 'node:path';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { getTableColumns } from 'drizzle-orm';
import { newBackupPath } from './backups';
import type { SqliteDatabase } from './connection';
import { NEVER_WRITTEN } from './field-stamps';
import { stampedFields } from './record-schemas';
import { SYNCED_TABLE_NAMES, syncedTables, type SyncedTableName } from './schema';

/**
 * The nearest `migrations/<set>` above a module: the repository root when run from the sources, the
 * app root (inside app.asar when packaged) when bundled into `dist/main.js`, where a fixed relative
 * path would point one folder above the app.
 */
export function findMigrations(set: 'local' | 'server' | 'server-pg', from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'migrations', set);
    if (fs.existsSync(path.join(candidate, 'meta', '_journal.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`No migrations/${set} folder above ${from}`);
  }
}

export const LOCAL_MIGRATIONS = findMigrations('local', __dirname);

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export class NewerDatabaseError extends Error {
  constructor(file: string, dbVersion: number, appVersion: number) {
    super(
      `The database ${file} was migrated by a newer version of the app (schema ${dbVersion}, this app knows ` +
        `up to ${appVersion}). It was left untouched: install the newer app version to open it.`,
    );
    this.name = 'NewerDatabaseError';
  }
}

export class ForeignKeyViolationError extends Error {
  constructor(
    violations: unknown[],
    /** The pre-migration copy to restore from. */
    readonly backupFile: string | null,
  ) {
    super(
      `A migration left ${violations.length} foreign key violation(s) ` +
        `(first: ${JSON.stringify(violations.slice(0, 3))}); the database is restored from its backup.`,
    );
    this.name = 'ForeignKeyViolationError';
  }
}

export interface MigrationResult {
  /** Migrations applied by this call. */
  applied: number;
  /** Copy of the file taken before migrating (null when there was nothing to protect). */
  backupFile: string | null;
}

export function readJournal(folder: string): JournalEntry[] {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, 'meta/_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

export function appliedMigrationTimes(sqlite: SqliteDatabase): number[] {
  const exists = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!exists) return [];
  return sqlite
    .prepare('SELECT created_at AS t FROM __drizzle_migrations ORDER BY created_at')
    .all()
    .map((r) => Number((r as { t: number }).t));
}

function hasUserTables(sqlite: SqliteDatabase): boolean {
  return !!sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").get();
}

/** The columns of each synced table the database has (tables not created yet are left out). */
function syncedTableColumns(sqlite: SqliteDatabase): Map<SyncedTableName, Set<string>> {
  const found = new Map<SyncedTableName, Set<string>>();
  for (const table of SYNCED_TABLE_NAMES) {
    const columns = sqlite.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[];
    if (columns.length > 0) found.set(table, new Set(columns.map((c) => c.name)));
  }
  return found;
}

/**
 * A field a migration adds to a synced table holds, in the rows already there, a value nobody wrote
 * (its default), and its stamp must say so. Left out of field_stamps it would have the row's own
 * stamp, and that default would beat every real write of the field made before the row's last
 * change, on this replica and, pushed, everywhere (docs/adding-a-field.md). The client and the
 * server both migrate through here, so no migration has to be written by hand for it.
 */
function markAddedFieldsUnwritten(sqlite: SqliteDatabase, before: Map<SyncedTableName, Set<string>>, onFieldsAdded?: () => void): void {
  const never = JSON.stringify(NEVER_WRITTEN);
  const added = addedFields(before);
  sqlite.transaction(() => {
    for (const { table, field } of added) {
      sqlite.prepare(`UPDATE "${table}" SET field_stamps = json_set(field_stamps, ?, json(?))`).run(`$.${field}`, never);
    }
    if (added.length > 0) onFieldsAdded?.();
  })();
}

/**
 * The stamped fields of synced tables whose columns a migration added: `before` holds each table's
 * columns (SQL names) as they were, for the tables that existed then.
 */
export function addedFields(before: ReadonlyMap<string, ReadonlySet<string>>): { table: SyncedTableName; field: string }[] {
  return [...before].flatMap(([name, had]) => {
    const table = name as SyncedTableName;
    const columns = getTableColumns(syncedTables[table]) as Record<string, { name: string }>;
    return stampedFields(table)
      .filter((field) => !had.has(columns[field]!.name))
      .map((field) => ({ table, field }));
  });
}

/**
 * Applies pending drizzle-kit migrations with the guards drizzle's migrator lacks (ARCHITECTURE 4):
 * refuse a database from a newer app, back the file up first, and keep foreign keys off around
 * `migrate()` so table rebuilds cannot cascade-delete child rows, checking them afterwards.
 */
export function migrateDatabase(
  db: BetterSQLite3Database<Record<string, unknown>>,
  sqlite: SqliteDatabase,
  migrationsFolder: string,
  /** Runs in the transaction that stamps fields added to existing synced tables, when there are any. */
  onFieldsAdded?: () => void,
): MigrationResult {
  const known = readJournal(migrationsFolder);
  const newestKnown = known.reduce((max, e) => Math.max(max, e.when), 0);
  const applied = appliedMigrationTimes(sqlite);
  const newestApplied = applied.at(-1) ?? 0;
  if (newestApplied > newestKnown) {
    throw new NewerDatabaseError(sqlite.name, applied.length, known.length);
  }
  const pending = known.filter((e) => e.when > newestApplied).length;
  if (pending === 0) return { applied: 0, backupFile: null };

  let backupFile: string | null = null;
  if (sqlite.name !== ':memory:' && hasUserTables(sqlite)) {
    backupFile = newBackupPath(sqlite.name, applied.length);
    sqlite.prepare('VACUUM INTO ?').run(backupFile);
  }

  const columnsBefore = syncedTableColumns(sqlite);
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db, { migrationsFolder });
    markAddedFieldsUnwritten(sqlite, columnsBefore, onFieldsAdded);
    const violations = sqlite.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) throw new ForeignKeyViolationError(violations, backupFile);
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
  return { applied: pending, backupFile };
}
