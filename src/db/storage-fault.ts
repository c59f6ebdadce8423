import path from 'node:path';
import { backupsFolder, newestBackup } from './backups';

/**
 * What went wrong with the disk or the database file, in the terms of what a person can do about it:
 * - `disk-full`: the disk is full (the change was not saved; free space),
 * - `write-failed`: the disk refused a write (full, a file-size limit, failing or removed hardware),
 * - `damaged`: the file is not a readable database (a corrupt header, a truncated copy, damaged pages),
 * - `not-writable`: the file or its folder is read-only or belongs to someone else.
 */
export type StorageFaultKind = 'disk-full' | 'write-failed' | 'damaged' | 'not-writable';

/** SQLite's result codes (better-sqlite3's `code`, extended codes included) and Node's errno codes. */
function kindOf(code: string): StorageFaultKind | null {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'disk-full';
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_') || code === 'SQLITE_NOTADB') return 'damaged';
  if (code === 'SQLITE_READONLY' || code.startsWith('SQLITE_READONLY_') || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN_')) return 'not-writable';
  if (code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'not-writable';
  if (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_') || code === 'EIO' || code === 'EFBIG') return 'write-failed';
  return null;
}

/**
 * The fault named by the code of `error` or of one of its causes (a step such as encrypting the file
 * on upgrade wraps what SQLite said), or null when none is about the disk or the file.
 */
function faultyKind(error: unknown): StorageFaultKind | null {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    const kind = typeof code === 'string' ? kindOf(code) : null;
    if (kind) return kind;
  }
  return null;
}

/** The fault an error stands for, or null for anything that is not about the disk or the file. */
export function storageFaultKind(error: unknown): StorageFaultKind | null {
  if (error instanceof StorageFaultError) return error.kind;
  return faultyKind(error);
}

/** The command that puts a backup of `file` back (docs: README, "Restoring a backup"). */
export function restoreCommand(file: string): string {
  const resolved = path.resolve(file);
  return path.basename(resolved) === 'blos.db'
    ? `npm run db:restore -- --data "${path.dirname(resolved)}"`
    : `npm run db:restore -- --db "${resolved}"`;
}

function whatToDoWithDamaged(file: string): string {
  const backup = newestBackup(file);
  if (backup) {
    return `Restore the newest backup, ${backup}: close every program using it, then run ${restoreCommand(file)} (the damaged file is kept aside, not deleted).`;
  }
  return (
    `There is no backup of it in ${backupsFolder(file)}. Move the file aside (keep it: it may hold changes found nowhere else) ` +
    `and start again with a new one; a new app database pulls every synced record from the sync server.`
  );
}

function messageFor(kind: StorageFaultKind, file: string, detail: string): string {
  switch (kind) {
    case 'disk-full':
      return `The change was not saved: the disk holding ${file} is full. Free some space on that disk, then try again. Everything saved before is safe.`;
    case 'write-failed':
      return (
        `The change was not saved: writing to ${file} failed (${detail}). The disk may be full, over a file-size limit, ` +
        `failing or disconnected: check it, then try again. Everything saved before is safe.`
      );
    case 'damaged':
      return `The database ${file} is damaged (${detail}): the app makes no changes to it. ${whatToDoWithDamaged(file)}`;
    case 'not-writable':
      return (
        `The database ${file} cannot be opened for writing (${detail}): the file or its folder ${path.dirname(file)} is read-only ` +
        `or belongs to another user. Make both writable for the account running the app (or choose another data folder), then start again.`
      );
  }
}

/** A fault of the disk or the database file, with a message that names the file and what to do. */
export class StorageFaultError extends Error {
  constructor(
    readonly kind: StorageFaultKind,
    readonly file: string,
    cause: unknown,
  ) {
    super(messageFor(kind, file, cause instanceof Error ? cause.message : String(cause)), { cause });
    this.name = 'StorageFaultError';
  }
}

/** `error` as a StorageFaultError about `file` when it is one of those faults, else null. */
export function asStorageFault(error: unknown, file: string): StorageFaultError | null {
  if (error instanceof StorageFaultError) return error;
  const kind = storageFaultKind(error);
  // The outer error's text: it says which step met the fault (and quotes SQLite's words).
  return kind ? new StorageFaultError(kind, path.resolve(file), error) : null;
}
