import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { backupsFolder } from './backups';

type SqliteDatabase = Database.Database;

/**
 * Encryption at rest with SQLite3 Multiple Ciphers (the `better-sqlite3` dependency is an alias of
 * better-sqlite3-multiple-ciphers): the SQLCipher 4 scheme, AES-256-CBC with an HMAC-SHA512 per page,
 * so the database, its WAL and every `VACUUM INTO` backup are encrypted and a changed page is
 * detected. The key is 32 random bytes passed raw (`x'…'`): it needs no password stretching, which
 * would cost every connection the sync worker opens.
 */

export const KEY_BYTES = 32;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export function newDatabaseKey(): Buffer {
  return crypto.randomBytes(KEY_BYTES);
}

/** What is on disk at `file`: nothing (or an empty file), a plain SQLite database, or anything else (encrypted). */
export function fileFormat(file: string): 'missing' | 'plain' | 'encrypted' {
  let handle: number;
  try {
    handle = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const read = fs.readSync(handle, head, 0, head.length, 0);
    if (read === 0) return 'missing';
    return head.equals(SQLITE_HEADER) ? 'plain' : 'encrypted';
  } finally {
    fs.closeSync(handle);
  }
}

/** The database cannot be opened with the key this computer has (or it has none). */
export class DatabaseKeyError extends Error {
  constructor(
    readonly reason: 'missing' | 'wrong' | 'recovery',
    message: string,
  ) {
    super(message);
    this.name = 'DatabaseKeyError';
  }
}

/** Where to turn when the key is missing or wrong: every such message ends with it. */
export function recoveryHint(file: string): string {
  return (
    `To open it, use the recovery code shown once to the first administrator: ` +
    `npm run db:key -- recover --db "${file}" (see docs/encryption.md).`
  );
}

/** Sets the cipher and key on a new connection, before anything reads the file, and checks the key fits. */
export function keyConnection(sqlite: SqliteDatabase, key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`A database key has ${KEY_BYTES} bytes, not ${key.length}.`);
  sqlite.pragma("cipher = 'sqlcipher'");
  sqlite.pragma(`key = "x'${key.toString('hex')}'"`);
  try {
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_NOTADB') throw error;
    throw new DatabaseKeyError('wrong', `The database ${sqlite.name} does not open with the key this computer has: the key belongs to another database, or the file is damaged. ${recoveryHint(sqlite.name)}`);
  }
}

function openWith(file: string, key: Buffer | null, options: { readonly?: boolean } = {}): SqliteDatabase {
  const sqlite = new Database(file, { readonly: options.readonly ?? false, fileMustExist: true, timeout: 5000 });
  try {
    if (key) keyConnection(sqlite, key);
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

function tables(sqlite: SqliteDatabase): string[] {
  return sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
}

/**
 * Fails unless `copy` holds exactly what `original` holds: the same schema, user_version and, table by
 * table, the same rows in the same order. Both are copies of one page layout, so a plain scan reads
 * them in one order.
 */
function verifySameRows(original: SqliteDatabase, copy: SqliteDatabase): void {
  const schema = (db: SqliteDatabase) => JSON.stringify(db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all());
  if (schema(original) !== schema(copy)) throw new Error('the copy has a different schema');
  if (original.pragma('user_version', { simple: true }) !== copy.pragma('user_version', { simple: true })) throw new Error('the copy has a different user_version');
  for (const table of tables(original)) {
    const query = `SELECT * FROM "${table.replaceAll('"', '""')}"`;
    const left = original.prepare(query).raw().iterate() as IterableIterator<unknown[]>;
    const right = copy.prepare(query).raw().iterate() as IterableIterator<unknown[]>;
    for (let row = 1; ; row++) {
      const a = left.next();
      const b = right.next();
      if (a.done && b.done) break;
      if (a.done !== b.done || !sameRow(a.value as unknown[], b.value as unknown[])) {
        left.return?.();
        right.return?.();
        throw new Error(`row ${row} of ${table} differs in the copy`);
      }
    }
  }
}

function sameRow(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => (Buffer.isBuffer(value) ? Buffer.isBuffer(b[i]) && value.equals(b[i]) : value === b[i]));
}

function syncFile(file: string): void {
  const handle = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
}

/**
 * Replaces `file` (plain when `from` is null, else encrypted with `from`) by a copy encrypted with
 * `to`: the WAL is checkpointed into the file, the file copied beside it, the copy re-keyed, checked
 * row for row against the original, made durable (and copied to `backupTo`, when given), and only
 * then renamed over it. Any failure before the rename removes the copy and leaves the original as it
 * was. The caller holds the open lock.
 */
export function recryptFile(file: string, from: Buffer | null, to: Buffer, options: { backupTo?: string } = {}): void {
  const original = openWith(file, from);
  const copyFile = `${file}.recrypt-${process.pid}`;
  try {
    original.pragma('wal_checkpoint(TRUNCATE)');
    fs.copyFileSync(file, copyFile);
    const copy = openWith(copyFile, from);
    try {
      // Re-keying rewrites every page through a rollback journal; the copy returns to WAL afterwards.
      copy.pragma('journal_mode = DELETE');
      if (!from) copy.pragma("cipher = 'sqlcipher'");
      copy.pragma(`rekey = "x'${to.toString('hex')}'"`);
    } finally {
      copy.close();
    }
    const check = openWith(copyFile, to);
    try {
      verifySameRows(original, check);
      check.pragma('journal_mode = WAL');
    } finally {
      check.close();
    }
    syncFile(copyFile);
    if (options.backupTo) {
      fs.mkdirSync(path.dirname(options.backupTo), { recursive: true });
      fs.copyFileSync(copyFile, options.backupTo);
      syncFile(options.backupTo);
    }
  } catch (error) {
    original.close();
    for (const suffix of ['', '-journal', '-wal', '-shm']) fs.rmSync(copyFile + suffix, { force: true });
    throw new Error(`Could not encrypt ${file}; it was left as it was. (${(error as Error).message})`, { cause: error });
  }
  original.close();
  for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  fs.renameSync(copyFile, file);
  for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(copyFile + suffix, { force: true });
}

/** Every database file in the backups folder beside `file`, whatever its name: a plain copy anywhere there is a leak. */
export function backupFiles(file: string): string[] {
  const folder = backupsFolder(file);
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder)
    .filter((name) => name.endsWith('.db'))
    .map((name) => path.join(folder, name));
}
