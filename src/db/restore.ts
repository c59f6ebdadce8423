import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { backupsFolder, newestBackup } from './backups';
import { DatabaseKeyError, fileFormat, keyConnection, recoveryHint } from './encryption';
import { whileNotInUse } from './open-lock';

/** Why a restore did not happen, for the person who asked; nothing was changed. */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

export interface RestoreResult {
  file: string;
  backup: string;
  /** Where the file that was replaced now is (null when there was none). */
  keptAside: string | null;
}

/** `candidate` opened read-only: a plain file as it is, an encrypted one with the first of `keys` that fits. */
function openWithAnyKey(candidate: string, keys: readonly Buffer[]): Database.Database {
  const plain = fileFormat(candidate) !== 'encrypted';
  for (const key of plain ? [null] : keys) {
    const sqlite = new Database(candidate, { readonly: true, fileMustExist: true });
    try {
      if (key) keyConnection(sqlite, key);
      return sqlite;
    } catch (error) {
      sqlite.close();
      if (!(error instanceof DatabaseKeyError)) throw error;
    }
  }
  throw new Error(`it is encrypted and does not open with this database's key (${recoveryHint(candidate)})`);
}

/**
 * Throws unless `candidate` opens (plain, or with one of the database's `keys`) as a database that
 * passes SQLite's integrity check and has migrations applied.
 */
function verify(candidate: string, keys: readonly Buffer[]): void {
  let sqlite: Database.Database | null = null;
  try {
    sqlite = openWithAnyKey(candidate, keys);
    const problems = (sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (problems.join() !== 'ok') throw new Error(`it fails the integrity check: ${problems.slice(0, 3).join('; ')}`);
    const migrated = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
    if (!migrated) throw new Error('it is not a BLOS database (no migrations were ever applied to it)');
  } finally {
    sqlite?.close();
  }
}

/** Moves `file` and its WAL files beside it under a new name (SQLite pairs `X-wal` with `X`): nothing is deleted. */
function setAside(file: string, stamp: string): string | null {
  if (!fs.existsSync(file)) return null;
  const aside = `${file}.before-restore-${stamp}`;
  fs.renameSync(file, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  }
  return aside;
}

/**
 * Replaces `file` with a verified copy of `backup` (default: the newest in `backups/` beside it),
 * keeping the replaced file aside. Refuses while any process has `file` open, and holds the open lock
 * throughout, so nobody opens it half-restored. A backup that fails verification changes nothing.
 */
export function restoreDatabase(fileName: string, backupName?: string, keys: readonly Buffer[] = []): RestoreResult {
  const file = path.resolve(fileName);
  const backup = backupName ? path.resolve(backupName) : newestBackup(file);
  if (!backup) throw new RestoreError(`There is no backup of ${file} in ${backupsFolder(file)}. Name one with --backup FILE.`);
  if (!fs.existsSync(backup)) throw new RestoreError(`There is no backup file at ${backup}.`);
  try {
    verify(backup, keys);
  } catch (error) {
    throw new RestoreError(`The backup ${backup} cannot be used: ${(error as Error).message}. Nothing was changed; choose another with --backup FILE.`);
  }

  return whileNotInUse(file, () => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const copy = `${file}.restoring-${stamp}`;
    fs.copyFileSync(backup, copy);
    try {
      verify(copy, keys);
    } catch (error) {
      fs.rmSync(copy, { force: true });
      throw new RestoreError(`The copy of ${backup} did not verify (${(error as Error).message}); nothing was changed. Check the disk, then try again.`);
    }
    const keptAside = setAside(file, stamp);
    fs.renameSync(copy, file);
    return { file, backup, keptAside };
  });
}
