import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import Database from 'better-sqlite3';
import { newBackupPath } from './backups';
import { backupFiles, DatabaseKeyError, fileFormat, KEY_BYTES, keyConnection, newDatabaseKey, recoveryHint, recryptFile } from './encryption';

/**
 * Where the database key lives (docs/encryption.md). The key is random and never typed. It is read,
 * first found first:
 *   1. the environment variable BLOS_DATABASE_KEY (64 hex characters), for servers and scripts;
 *   2. under Electron, `FILE.keyring.json`'s copy wrapped by the operating system's keychain;
 *   3. the key file `FILE.key` beside the database, readable only by its owner (the browser host, the
 *      CLIs, and a key just recovered, which Electron then moves into the keychain).
 * `FILE.keyring.json` also holds the key wrapped with a key derived (scrypt) from the recovery code.
 */

/** The operating system's keychain (Electron's safeStorage); tests use a fake one. */
export interface Keychain {
  /** For messages: "the operating system's keychain", say. */
  readonly name: string;
  wrap(secret: Buffer): Buffer;
  /** Throws when this keychain cannot unwrap it (another user, a reinstalled system). */
  unwrap(wrapped: Buffer): Buffer;
}

export interface KeySources {
  env?: NodeJS.ProcessEnv;
  keychain?: Keychain | null;
}

export const KEY_ENV = 'BLOS_DATABASE_KEY';
const hexKey = z.string().regex(/^[0-9a-f]{64}$/i, `${KEY_ENV}: expected 64 hexadecimal characters (0-9, a-f)`);

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const recoveryEnvelope = z.object({ salt: base64, iv: base64, tag: base64, wrapped: base64, N: z.number().int(), r: z.number().int(), p: z.number().int() });
const keyringSchema = z.object({ keychain: base64.optional(), recovery: recoveryEnvelope.optional() });
type Keyring = z.infer<typeof keyringSchema>;
type RecoveryEnvelope = z.infer<typeof recoveryEnvelope>;

export const keyFilePath = (file: string) => `${file}.key`;
/** A key being changed to: written before the database is re-encrypted, so a crash in between loses nothing. */
const pendingKeyPath = (file: string) => `${file}.key.new`;
export const keyringPath = (file: string) => `${file}.keyring.json`;

function writePrivate(file: string, content: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temp, content, { mode: 0o600 });
  fs.renameSync(temp, file);
}

function readKeyring(file: string): Keyring {
  const at = keyringPath(file);
  if (!fs.existsSync(at)) return {};
  const parsed = keyringSchema.safeParse(JSON.parse(fs.readFileSync(at, 'utf8')));
  if (!parsed.success) throw new Error(`${at} is damaged (${parsed.error.issues[0]?.message}). ${recoveryHint(file)}`);
  return parsed.data;
}

function writeKeyring(file: string, keyring: Keyring): void {
  writePrivate(keyringPath(file), `${JSON.stringify(keyring, null, 2)}\n`);
}

function readKeyFile(at: string): Buffer | null {
  if (!fs.existsSync(at)) return null;
  // POSIX mode bits only: on Windows the data folder's ACL (the user's profile) does this job.
  if (process.platform !== 'win32' && (fs.statSync(at).mode & 0o077) !== 0) {
    throw new DatabaseKeyError('missing', `The key file ${at} can be read by other users of this computer. Make it readable only by you (chmod 600 "${at}") and start again.`);
  }
  const parsed = hexKey.safeParse(fs.readFileSync(at, 'utf8').trim());
  if (!parsed.success) throw new DatabaseKeyError('missing', `The key file ${at} is damaged: it should hold 64 hexadecimal characters. ${recoveryHint(at.replace(/\.key(\.new)?$/, ''))}`);
  return Buffer.from(parsed.data, 'hex');
}

function keyFromEnv(env: NodeJS.ProcessEnv): Buffer | null {
  const value = env[KEY_ENV];
  if (value === undefined || value === '') return null;
  const parsed = hexKey.safeParse(value.trim());
  if (!parsed.success) throw new DatabaseKeyError('missing', parsed.error.issues[0]!.message);
  return Buffer.from(parsed.data, 'hex');
}

interface Candidate {
  key: Buffer;
  from: 'environment' | 'keychain' | 'key file' | 'pending key file';
}

function candidates(file: string, sources: KeySources): { found: Candidate[]; keychainFailed: boolean } {
  const found: Candidate[] = [];
  const fromEnv = keyFromEnv(sources.env ?? {});
  if (fromEnv) found.push({ key: fromEnv, from: 'environment' });
  let keychainFailed = false;
  const wrapped = readKeyring(file).keychain;
  if (sources.keychain && wrapped) {
    try {
      found.push({ key: sources.keychain.unwrap(Buffer.from(wrapped, 'base64')), from: 'keychain' });
    } catch {
      keychainFailed = true;
    }
  }
  const fromFile = readKeyFile(keyFilePath(file));
  if (fromFile) found.push({ key: fromFile, from: 'key file' });
  const pending = readKeyFile(pendingKeyPath(file));
  if (pending) found.push({ key: pending, from: 'pending key file' });
  return { found, keychainFailed };
}

/** Every key this host has for `file` (environment, keychain, key files), whether or not one fits. */
export function knownKeys(file: string, sources: KeySources): Buffer[] {
  return candidates(file, sources).found.map((candidate) => candidate.key);
}

function opens(file: string, key: Buffer): boolean {
  const sqlite = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    keyConnection(sqlite, key);
    return true;
  } catch (error) {
    if (error instanceof DatabaseKeyError) return false;
    throw error;
  } finally {
    sqlite.close();
  }
}

/**
 * Keeps `key` where this host reads it: wrapped by the keychain when there is one (and then no key
 * file), else in the owner-only key file. A key from the environment stays there only.
 */
function storeKey(file: string, key: Buffer, sources: KeySources): void {
  if (keyFromEnv(sources.env ?? {})?.equals(key)) {
    if (!fs.existsSync(keyringPath(file))) writeKeyring(file, {});
    return;
  }
  // The keyring is written even when it holds nothing yet: it marks the database as encrypted, so a
  // garbled plain file without one reads as damaged rather than as missing its key.
  if (sources.keychain) {
    writeKeyring(file, { ...readKeyring(file), keychain: sources.keychain.wrap(key).toString('base64') });
    fs.rmSync(keyFilePath(file), { force: true });
  } else {
    writeKeyring(file, readKeyring(file));
    writePrivate(keyFilePath(file), key.toString('hex'));
  }
  fs.rmSync(pendingKeyPath(file), { force: true });
}

/** How many migrations a plain database has had: its backup is named by its schema, as the migrator names its own. */
function appliedMigrations(file: string): number {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const migrated = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
    return migrated ? (sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number) : 0;
  } finally {
    sqlite.close();
  }
}

/** As SQLite reports a damaged file, so the storage-fault message (restore the newest backup) follows. */
function damaged(why: string): Error {
  return Object.assign(new Error(`file is not a database: ${why}`), { code: 'SQLITE_NOTADB' });
}

function missingKeyMessage(file: string, sources: KeySources, keychainFailed: boolean): string {
  const looked = [
    ...(sources.keychain ? [keychainFailed ? `${sources.keychain.name} (it holds a key it can no longer read: a reinstalled system or another user)` : sources.keychain.name] : []),
    `the key file ${keyFilePath(file)}`,
    `the environment variable ${KEY_ENV}`,
  ];
  return `The database ${file} is encrypted and this computer has no key for it (looked in ${looked.join(', ')}). ${recoveryHint(file)}`;
}

/**
 * The key `file` opens with, made on first use. A plain database (from before encryption) and its
 * plain backups are encrypted first: copied, checked row for row, backed up, then replaced, so a
 * failure leaves them as they were. The caller holds the open lock, so one process does this.
 */
export function unlockDatabase(file: string, sources: KeySources): Buffer {
  const format = fileFormat(file);
  const { found, keychainFailed } = candidates(file, sources);
  if (format === 'encrypted') {
    if (found.length === 0) {
      if (!fs.existsSync(keyringPath(file))) throw damaged('it is neither a SQLite database nor one this app encrypted');
      throw new DatabaseKeyError('missing', missingKeyMessage(file, sources, keychainFailed));
    }
    const fitting = found.find((candidate) => opens(file, candidate.key));
    if (!fitting) {
      if (backupFiles(file).some((backup) => fileFormat(backup) === 'encrypted' && found.some((candidate) => opens(backup, candidate.key)))) {
        throw damaged('its backups open with the key this computer has, but it does not');
      }
      throw new DatabaseKeyError('wrong', `The database ${file} does not open with the key from the ${found[0]!.from}: it belongs to another database. ${recoveryHint(file)}`);
    }
    // A recovered key (key file) moves into the keychain; a key change interrupted by a crash completes.
    if ((sources.keychain && fitting.from === 'key file') || fitting.from === 'pending key file') storeKey(file, fitting.key, sources);
    return fitting.key;
  }
  const key = found[0]?.key ?? newDatabaseKey();
  // Stored before anything is encrypted with it: a crash later finds the key and finishes the job.
  storeKey(file, key, sources);
  if (format === 'plain') recryptFile(file, null, key, { backupTo: newBackupPath(file, appliedMigrations(file)) });
  for (const backup of backupFiles(file)) if (fileFormat(backup) === 'plain') recryptFile(backup, null, key);
  return key;
}

// ---- recovery code ----

/** Crockford's base32: no I, L, O or U to misread. 25 symbols carry 125 random bits. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 25;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 };
const WRAP_AAD = Buffer.from('blos database key v1');

function newRecoveryCode(): string {
  const symbols = Array.from({ length: CODE_LENGTH }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]);
  return symbols.join('').match(/.{5}/g)!.join('-');
}

/** What a person typed, as the code: case, spaces and dashes ignored, O read as 0 and I or L as 1. */
function normaliseCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

function codeKey(code: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return crypto.scryptSync(normaliseCode(code), salt, KEY_BYTES, { ...params, maxmem: 256 * params.N * params.r });
}

function wrapWithCode(key: Buffer, code: string): RecoveryEnvelope {
  const salt = crypto.randomBytes(16);
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', codeKey(code, salt, SCRYPT), iv).setAAD(WRAP_AAD);
  const wrapped = Buffer.concat([cipher.update(key), cipher.final()]);
  const b64 = (b: Buffer) => b.toString('base64');
  return { ...SCRYPT, salt: b64(salt), iv: b64(iv), tag: b64(cipher.getAuthTag()), wrapped: b64(wrapped) };
}

function unwrapWithCode(envelope: RecoveryEnvelope, code: string): Buffer | null {
  const from = (s: string) => Buffer.from(s, 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', codeKey(code, from(envelope.salt), envelope), from(envelope.iv)).setAAD(WRAP_AAD);
  decipher.setAuthTag(from(envelope.tag));
  try {
    return Buffer.concat([decipher.update(from(envelope.wrapped)), decipher.final()]);
  } catch {
    return null;
  }
}

/** Makes a new recovery code for `key` and keeps the key wrapped with it; the code is shown once and never stored. */
export function issueRecoveryCode(file: string, key: Buffer): string {
  const code = newRecoveryCode();
  writeKeyring(file, { ...readKeyring(file), recovery: wrapWithCode(key, code) });
  return code;
}

export function hasRecoveryCode(file: string): boolean {
  return readKeyring(file).recovery !== undefined;
}

/**
 * Opens `file` with its recovery code: unwraps the key kept in `FILE.keyring.json`, checks it opens
 * the database, and writes it to the owner-only key file, where the next start finds it (under
 * Electron the app then moves it into the keychain).
 */
export function recoverWithCode(file: string, code: string): Buffer {
  const envelope = readKeyring(file).recovery;
  if (!envelope) {
    throw new DatabaseKeyError('recovery', `There is no recovery key for ${file}: ${keyringPath(file)} is missing or holds none. Copy it from the database's original folder (it travels with the database) and try again.`);
  }
  const key = unwrapWithCode(envelope, code);
  if (!key) throw new DatabaseKeyError('recovery', 'That recovery code is not the one for this database. Check it (letters and digits in groups of five) and try again.');
  if (fileFormat(file) === 'encrypted' && !opens(file, key)) {
    throw new DatabaseKeyError('recovery', `The recovery code is right but ${file} does not open with its key: ${keyringPath(file)} belongs to another database.`);
  }
  writePrivate(keyFilePath(file), key.toString('hex'));
  return key;
}

/**
 * Re-encrypts `file` and its backups with a new random key and issues a new recovery code (the old
 * one stops working). The new key is written to the pending key file first and promoted after, so a
 * crash at any point leaves a key that opens the database. The caller holds the open lock.
 */
export function changeDatabaseKey(file: string, currentKey: Buffer, sources: KeySources): { key: Buffer; recoveryCode: string } {
  if (keyFromEnv(sources.env ?? {})) throw new DatabaseKeyError('wrong', `The key comes from ${KEY_ENV}: change it by running this without ${KEY_ENV} set, then set the new key there.`);
  const key = newDatabaseKey();
  writePrivate(pendingKeyPath(file), key.toString('hex'));
  recryptFile(file, currentKey, key);
  storeKey(file, key, sources);
  const recoveryCode = issueRecoveryCode(file, key);
  for (const backup of backupFiles(file)) {
    if (fileFormat(backup) === 'encrypted' && opens(backup, currentKey)) recryptFile(backup, currentKey, key);
  }
  return { key, recoveryCode };
}
