import Database from 'better-sqlite3';
import { createFolderFor } from './connection';

/** Long enough for another process to back up and migrate a large database before this one may. */
const WAIT_MS = 120_000;

/**
 * Runs `work` while holding a lock that every process opening `file` takes first (the app, the sync
 * CLI and the tools on one data folder): migrating a new database from two processes at once failed
 * ("table already exists"), and each wrote an identity of its own. The lock is an exclusive
 * transaction on a small SQLite file beside the database (`FILE.open-lock`): SQLite waits for it
 * portably, and the operating system drops it if its holder dies.
 */
export function withOpenLock<T>(file: string, work: () => T): T {
  if (file === ':memory:') return work();
  createFolderFor(file);
  return withExclusive(`${file}.open-lock`, WAIT_MS, work);
}

/**
 * Marks `file` as open in this process until the returned function is called: a shared lock (a read
 * transaction) on `FILE.in-use`, which any number of processes hold together and which keeps a
 * restore (`whileNotInUse`) from replacing the file under them. The operating system drops it with
 * a process that dies.
 */
export function holdInUse(file: string): () => void {
  if (file === ':memory:') return () => {};
  const marker = new Database(`${file}.in-use`, { timeout: WAIT_MS });
  try {
    marker.exec('BEGIN');
    marker.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    marker.close();
    throw error;
  }
  return () => {
    if (!marker.open) return;
    marker.exec('COMMIT');
    marker.close();
  };
}

export class DatabaseInUseError extends Error {
  constructor(file: string) {
    super(`${file} is open in another program (the app, the browser host or the sync CLI). Close it, then try again.`);
    this.name = 'DatabaseInUseError';
  }
}

/**
 * Runs `work` with the open lock held and no process holding `file` open (else DatabaseInUseError, at
 * once): nobody can open the file while `work` replaces it.
 */
export function whileNotInUse<T>(file: string, work: () => T): T {
  return withOpenLock(file, () =>
    withExclusive(`${file}.in-use`, 0, work, (error) => ((error as { code?: unknown }).code === 'SQLITE_BUSY' ? new DatabaseInUseError(file) : error)),
  );
}

/** `work` inside an exclusive transaction on `lockFile`; `refused` maps a failure to take it. */
function withExclusive<T>(lockFile: string, waitMs: number, work: () => T, refused: (error: unknown) => unknown = (error) => error): T {
  const lock = new Database(lockFile, { timeout: waitMs });
  try {
    try {
      lock.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      throw refused(error);
    }
    try {
      return work();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
