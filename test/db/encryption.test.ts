import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { main as keyCli } from '../../src/db/key-cli';
import { main as restoreCli } from '../../src/db/restore-cli';
import { keyFilePath, keyringPath, KEY_ENV } from '../../src/db/database-key';
import { fileFormat, newDatabaseKey } from '../../src/db/encryption';
import { openLocalStore } from '../../src/db/local-store';
import { ADMIN, startCore } from '../core/harness';
import { fakeKeychain } from '../support/fake-keychain';
import { tempDir } from '../support/temp';

const KNOWN = 'Zanele Mthembu-7731';

/** Every file of a data folder that holds data: the database, its WAL and each backup. */
function dataFiles(dataDir: string): string[] {
  const backups = path.join(dataDir, 'backups');
  return [
    path.join(dataDir, 'blos.db'),
    path.join(dataDir, 'blos.db-wal'),
    ...(fs.existsSync(backups) ? fs.readdirSync(backups).map((name) => path.join(backups, name)) : []),
  ].filter((file) => fs.existsSync(file));
}

const holds = (file: string, text: string) => fs.readFileSync(file).includes(Buffer.from(text));

async function keyCliWithCode(args: string[], code: string, env: NodeJS.ProcessEnv = {}) {
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
  try {
    return { exit: await keyCli(args, env, Readable.from([`${code}\n`])), printed: printed.join('\n') };
  } finally {
    log.mockRestore();
  }
}

/** A data folder as an app from before encryption left it: a plain database with a record, and a plain backup. */
function plainDataFolder(value: string): string {
  const dataDir = tempDir('blos-plain-');
  const file = path.join(dataDir, 'blos.db');
  const store = openLocalStore({ file, osMachineId: () => 'old-pc' });
  store.repos.households.create({ area: 'North', headName: value });
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  fs.mkdirSync(path.join(dataDir, 'backups'));
  fs.copyFileSync(file, path.join(dataDir, 'backups', 'blos-schema3-old.db'));
  store.close();
  return dataDir;
}

describe('encryption at rest', () => {
  it('a value entered through the app is in no byte of the database, its WAL or any backup (while the same search finds it in a plain one)', async () => {
    const dataDir = plainDataFolder(`${KNOWN} (before)`);
    expect(dataFiles(dataDir).filter((file) => holds(file, `${KNOWN} (before)`))).toHaveLength(2);

    const h = startCore({ dataDir });
    await h.ok('w', 'session.setupAdmin', ADMIN);
    await h.ok('w', 'records.create', { table: 'households', values: { area: 'South', headName: KNOWN } });
    const files = dataFiles(dataDir);
    const names = files.map((file) => path.relative(dataDir, file));
    expect(names).toHaveLength(4);
    expect(names).toEqual(expect.arrayContaining(['backups/blos-schema3-old.db', expect.stringMatching(/^backups\/blos-schema\d+-[\dT-]+Z\.db$/), 'blos.db', 'blos.db-wal']));
    expect(fs.statSync(path.join(dataDir, 'blos.db-wal')).size).toBeGreaterThan(0);
    for (const file of files) {
      expect([file, holds(file, KNOWN), holds(file, 'SQLite format 3')]).toEqual([file, false, false]);
    }
    // The records of the plain database came across, row for row.
    const heads = await h.ok('w', 'records.list', { table: 'households' });
    expect(heads.items.map((row) => ('headName' in row ? row.headName : null)).sort()).toEqual([KNOWN, `${KNOWN} (before)`]);
    await h.core.close();
    expect(fs.statSync(keyFilePath(path.join(dataDir, 'blos.db'))).mode & 0o777).toBe(0o600);
  });

  it('a missing key and a wrong key say so and point to the recovery code', () => {
    const dataDir = tempDir();
    const file = path.join(dataDir, 'blos.db');
    openLocalStore({ file, key: { env: {} } }).close();
    fs.renameSync(keyFilePath(file), `${file}.elsewhere`);

    expect(() => startCore({ dataDir })).toThrow(
      new RegExp(`${file} is encrypted and this computer has no key for it.*recovery code.*npm run db:key -- recover --db "${file}"`),
    );
    const wrong = { [KEY_ENV]: newDatabaseKey().toString('hex') };
    expect(() => startCore({ dataDir, env: wrong })).toThrow(/does not open with the key from the environment.*recovery code.*db:key -- recover/);
    expect(() => openLocalStore({ file })).toThrow(/is encrypted and no key was given.*recovery code/);
    // Nothing was changed by the failed opens: the key, put back, opens it.
    fs.renameSync(`${file}.elsewhere`, keyFilePath(file));
    openLocalStore({ file, key: { env: {} } }).close();
  });

  it('an encrypted database damaged at its start, whose backup opens with the key, reads as damaged: restore, not recover', async () => {
    const dataDir = plainDataFolder(KNOWN);
    const file = path.join(dataDir, 'blos.db');
    await startCore({ dataDir }).core.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(64, 0x41), 0, 64, 0);
    fs.closeSync(fd);
    expect(() => startCore({ dataDir })).toThrow(new RegExp(`The database ${file} is damaged .*npm run db:restore -- --data "${dataDir}"`));
  });

  it('refuses a key file other users can read', () => {
    const file = path.join(tempDir(), 'blos.db');
    openLocalStore({ file, key: { env: {} } }).close();
    fs.chmodSync(keyFilePath(file), 0o644);
    expect(() => openLocalStore({ file, key: { env: {} } })).toThrow(`can be read by other users of this computer. Make it readable only by you (chmod 600 "${keyFilePath(file)}")`);
  });

  it('recovers with the recovery code on a copy moved to another data folder, with no keychain, key file or variable', async () => {
    const keychain = fakeKeychain();
    const h = startCore({ keychain });
    const { recoveryCode } = await h.ok('w', 'session.setupAdmin', ADMIN);
    await h.ok('w', 'records.create', { table: 'households', values: { area: 'North', headName: KNOWN } });
    await h.core.close();
    const source = path.join(h.dataDir, 'blos.db');
    expect([fs.existsSync(keyFilePath(source)), keychain.wrapped]).toEqual([false, 1]);
    expect(recoveryCode).toMatch(/^(\w{5}-){4}\w{5}$/);

    const moved = tempDir('blos-moved-');
    const file = path.join(moved, 'blos.db');
    fs.copyFileSync(source, file);
    fs.copyFileSync(keyringPath(source), keyringPath(file));
    const reinstalled = fakeKeychain();
    expect(() => startCore({ dataDir: moved, keychain: reinstalled })).toThrow(/test keychain \(it holds a key it can no longer read.*recovery code/);

    const mistyped = await keyCliWithCode(['recover', '--db', file], recoveryCode!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))).catch((error: Error) => error);
    expect(mistyped).toEqual(new Error('That recovery code is not the one for this database. Check it (letters and digits in groups of five) and try again.'));
    // Typed in lower case, without dashes: still the code.
    expect((await keyCliWithCode(['recover', '--db', file], recoveryCode!.toLowerCase().replaceAll('-', ' '))).exit).toBe(0);

    const after = startCore({ dataDir: moved, keychain: reinstalled });
    await after.ok('w', 'session.login', { username: ADMIN.username, password: ADMIN.password });
    const listed = await after.ok('w', 'records.list', { table: 'households' });
    expect(listed.items.map((row) => ('headName' in row ? row.headName : null))).toEqual([KNOWN]);
    // The recovered key moved into this system's keychain; no key file is left behind.
    expect([fs.existsSync(keyFilePath(file)), reinstalled.wrapped]).toEqual([false, 1]);
  });

  it('changes the key: the database and its backups open with the new key only, and only the new recovery code works', async () => {
    const dataDir = plainDataFolder(KNOWN);
    const file = path.join(dataDir, 'blos.db');
    const h = startCore({ dataDir });
    const { recoveryCode: oldCode } = await h.ok('w', 'session.setupAdmin', ADMIN);
    await expect(keyCliWithCode(['change', '--db', file], '')).rejects.toThrow(`${file} is open in another program (the app, the browser host or the sync CLI). Close it, then try again.`);
    await h.core.close();
    const oldKey = fs.readFileSync(keyFilePath(file), 'utf8');

    const changed = await keyCliWithCode(['change', '--db', file], '');
    expect(changed.exit).toBe(0);
    const newCode = /New recovery code.*\n\n\s+(\S+)/.exec(changed.printed)![1]!;
    const newKey = fs.readFileSync(keyFilePath(file), 'utf8');
    expect(newKey).not.toBe(oldKey);

    const backups = dataFiles(dataDir).filter((f) => f.includes('backups'));
    expect(backups).toHaveLength(2);
    for (const f of [file, ...backups]) {
      expect(() => openLocalStore({ file: f, key: Buffer.from(oldKey, 'hex') })).toThrow(/does not open with the key/);
      const store = openLocalStore({ file: f, key: Buffer.from(newKey, 'hex'), osMachineId: () => 'old-pc' });
      expect(store.repos.households.list({}).items.map((row) => row.headName)).toEqual([KNOWN]);
      store.close();
    }
    await expect(keyCliWithCode(['recover', '--db', file], oldCode!)).rejects.toThrow('That recovery code is not the one for this database.');
    fs.rmSync(keyFilePath(file));
    expect((await keyCliWithCode(['recover', '--db', file], newCode)).exit).toBe(0);
    expect(fs.readFileSync(keyFilePath(file), 'utf8')).toBe(newKey);
  });

  it('db:restore puts an encrypted backup back with the key this computer has for the database', async () => {
    const dataDir = plainDataFolder(KNOWN);
    const file = path.join(dataDir, 'blos.db');
    await startCore({ dataDir }).core.close();
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(restoreCli(['--data', dataDir], {})).toBe(0);
    } finally {
      log.mockRestore();
    }
    const store = openLocalStore({ file, key: { env: {} }, osMachineId: () => 'old-pc' });
    expect(store.repos.households.list({}).items.map((row) => row.headName)).toEqual([KNOWN]);
    store.close();
    fs.rmSync(keyFilePath(file));
    expect(() => restoreCli(['--data', dataDir], {})).toThrow(/is encrypted and does not open with this database's key.*recovery code/);
  });

  it('a plain database that cannot be encrypted is left byte for byte as it was, with no copy beside it', () => {
    const dataDir = plainDataFolder(KNOWN);
    const file = path.join(dataDir, 'blos.db');
    // Damage a page in the middle of the file: the copy cannot be checked row for row.
    const store = openLocalStore({ file, osMachineId: () => 'old-pc' });
    store.repos.households.batchCreate(Array.from({ length: 2000 }, (_, i) => ({ area: 'East', headName: `filler ${i}` })));
    store.close();
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, bytes.length / 2, bytes.length / 2 + 4096);
    fs.writeFileSync(file, bytes);

    expect(() => openLocalStore({ file, key: { env: {} } })).toThrow(`Could not encrypt ${file}; it was left as it was.`);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fileFormat(file)).toBe('plain');
    expect(fs.readdirSync(dataDir).filter((name) => name.includes('recrypt'))).toEqual([]);
  });
});
