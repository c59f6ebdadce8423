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
  const lock = new Database(`${file}.open-lock`, { timeout: WAIT_MS });
  try {
    lock.exec('BEGIN EXCLUSIVE');
    try {
      return work();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
