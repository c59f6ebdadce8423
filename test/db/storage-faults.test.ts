import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createAppCore } from '../../src/core';
import { newBackupPath } from '../../src/db/backups';
import { openSqlite } from '../../src/db/connection';
import { knownKeys } from '../../src/db/database-key';
import { openLocalStore } from '../../src/db/local-store';
import { handToUnprivileged, runEntryPoint, runNodeChild } from '../support/node-child';
import { tempDir } from '../support/temp';

/** A data folder whose blos.db holds `count` households, with a backup taken after the first `backedUp`. */
function dataFolder(count: number, backedUp = count) {
  const dir = tempDir('blos-faults-');
  const file = path.join(dir, 'blos.db');
  const store = openLocalStore({ file });
  const ids: string[] = [];
  let backup = '';
  for (let i = 0; i < count; i++) {
    if (i === backedUp) backup = takeBackup(store.sqlite, file);
    ids.push(store.repos.households.create({ area: `Area ${i}`, notes: 'n'.repeat(300) }).id);
  }
  if (backedUp === count) backup = takeBackup(store.sqlite, file);
  store.close();
  return { dir, file, ids, backup };
}

function takeBackup(sqlite: Database.Database, file: string): string {
  const backup = newBackupPath(file, 1);
  sqlite.prepare('VACUUM INTO ?').run(backup);
  return backup;
}

/** The app's database is encrypted: read with the key beside it (a plain one has none). */
function householdIds(file: string): string[] {
  const sqlite = openSqlite(file, { readonly: true, key: knownKeys(file, { env: {} })[0] ?? null });
  try {
    return (sqlite.prepare('SELECT id FROM households ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  } finally {
    sqlite.close();
  }
}

/** What the core logged (the details of failures); the messages under test are what the person sees. */
const logged: string[] = [];
const startApp = (dataDir: string) =>
  createAppCore({
    dataDir,
    version: '1.0.0',
    env: {},
    startSync: false,
    osMachineId: () => 'this-pc',
    log: (message) => logged.push(message),
    testOverrides: { accountPolicy: { bcryptCost: 4 } },
  });

function startError(dataDir: string): string {
  try {
    const core = startApp(dataDir);
    void core.close();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the app started');
}

describe('a damaged database', () => {
  const damages = {
    'a corrupt header': (file: string) => {
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.from('this is no longer a database.'), 0, 29, 0);
      fs.closeSync(fd);
    },
    'a truncated file': (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)),
  };

  it.each(Object.keys(damages) as (keyof typeof damages)[])('with %s: the app refuses it unchanged, naming the file, the newest backup and the restore command', (damage) => {
    const { dir, file, backup } = dataFolder(200);
    damages[damage](file);
    const damaged = fs.readFileSync(file);

    const message = startError(dir);
    expect(message).toContain(`The database ${file} is damaged`);
    expect(message).toContain(`Restore the newest backup, ${backup}`);
    expect(message).toContain(`npm run db:restore -- --data "${dir}"`);
    expect(message).not.toMatch(/^(database disk image is malformed|file is not a database)$/);
    expect(fs.readFileSync(file).equals(damaged)).toBe(true);
  });

  it('without a backup: says there is none and what to do instead', () => {
    const { dir, file } = dataFolder(50);
    fs.rmSync(path.join(dir, 'backups'), { recursive: true });
    damages['a corrupt header'](file);
    expect(startError(dir)).toMatch(/There is no backup of it in .*backups\. Move the file aside \(keep it/);
  });

  it('the sync CLI and the sync server say the same, without a stack trace', async () => {
    const { file, backup } = dataFolder(20);
    damages['a truncated file'](file);
    const env = { ...process.env, SYNC_SERVER_URL: 'http://127.0.0.1:9', SYNC_API_KEY: 'a'.repeat(64), SYNC_SERVER_DB: file };
    const sync = await runEntryPoint('src/sync/cli.ts', ['--db', file, '--once'], { env });
    expect(sync.stderr).toContain(`The database ${file} is damaged`);
    expect(sync.stderr).toContain(backup);
    expect(sync.stderr).not.toMatch(/\n\s+at /);
    expect(sync.code).toBe(1);

    const server = await runEntryPoint('src/server/cli.ts', [], { env });
    expect(server.stderr).toContain(`The database ${file} is damaged`);
    expect(server.stderr).not.toMatch(/\n\s+at /);
    expect(server.code).toBe(1);
  });
});

describe('a database the app may not write', () => {
  it('in a read-only data folder: refused at start-up with a message saying so; the records are all there', async () => {
    const { dir, file, ids } = dataFolder(30);
    handToUnprivileged(dir);
    fs.chmodSync(dir, 0o555);
    const result = await runNodeChild(`
      const { createAppCore } = require('./src/core');
      try { createAppCore({ dataDir: ${JSON.stringify(dir)}, version: '1', env: {}, startSync: false }); console.log('started'); }
      catch (error) { console.log(error.message); }`, { unprivileged: true });
    fs.chmodSync(dir, 0o755);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`The database ${file} cannot be opened for writing`);
    expect(result.stdout).toContain(`its folder ${dir} is read-only`);
    expect(householdIds(file)).toEqual([...ids].sort());
  });

  it('a read-only database file: refused at start-up, not at the first change', async () => {
    const { dir, file, ids } = dataFolder(30);
    handToUnprivileged(dir);
    fs.chmodSync(file, 0o444);
    const result = await runNodeChild(`
      const { createAppCore } = require('./src/core');
      try { createAppCore({ dataDir: ${JSON.stringify(dir)}, version: '1', env: {}, startSync: false }); console.log('started'); }
      catch (error) { console.log(error.message); }`, { unprivileged: true });
    expect(result.stdout).toMatch(new RegExp(`^The database ${file} cannot be opened for writing \\(the file is read-only for this account\\)`));
    expect(householdIds(file)).toEqual([...ids].sort());
  });
});

describe('a disk that fills up during entry', () => {
  it('keeps every record the app acknowledged, says the change was not saved and what to do, and the app lives on', async () => {
    const dir = tempDir('blos-full-');
    // Each acknowledged id is printed as it comes back; the first refusal ends the loop.
    const result = await runNodeChild(`
      const { createAppCore } = require('./src/core');
      (async () => {
        const core = createAppCore({ dataDir: ${JSON.stringify(dir)}, version: '1', env: {}, startSync: false,
          testOverrides: { accountPolicy: { bcryptCost: 4 } } });
        const setup = await core.call('w', 'session.setupAdmin', { username: 'admin', displayName: 'Ada', password: 'admin password 1' });
        if (!setup.ok) throw new Error(JSON.stringify(setup));
        for (let i = 0; ; i++) {
          const result = await core.call('w', 'records.create', { table: 'households', values: { area: 'Area ' + i, notes: 'n'.repeat(3000) } });
          if (!result.ok) { console.log('refused ' + result.error.message); break; }
          console.log('saved ' + result.value.id);
        }
        const later = await core.call('w', 'records.list', { table: 'households' });
        console.log('still answering: ' + (later.ok ? 'ok' : later.error.message));
        await core.close().catch((error) => console.log('closed: ' + error.message));
      })();`, { fileSizeLimitKb: 1024 });
    // The details go to the core's log (stderr here); the process neither crashes nor stops answering.
    expect(result.stderr).not.toMatch(/Unhandled|uncaught/i);
    expect(result.code).toBe(0);
    const saved = [...result.stdout.matchAll(/^saved (\S+)$/gm)].map((m) => m[1]!);
    expect(saved.length).toBeGreaterThan(10);
    expect(result.stdout).toMatch(new RegExp(`^refused The change was not saved: writing to ${path.join(dir, 'blos.db')} failed .*The disk may be full.*Everything saved before is safe\\.$`, 'm'));
    // The next call gets an answer, not a crash: refused the same way when its session's renewal
    // needs a page the full disk cannot give, served when the renewal fits where the file already is.
    expect(result.stdout).toMatch(/^still answering: (ok|The change was not saved: .*)$/m);

    // With room again, the app opens the same file and every acknowledged record is there.
    const store = openLocalStore({ file: path.join(dir, 'blos.db'), key: { env: {} } });
    const kept = new Set(store.repos.households.list({ limit: 1000 }).items.map((row) => row.id));
    store.close();
    expect(saved.filter((id) => !kept.has(id))).toEqual([]);
  });
});

describe('two processes writing one database at once', () => {
  it('both succeed and every acknowledged record is in the file', async () => {
    const dir = tempDir('blos-two-writers-');
    const file = path.join(dir, 'blos.db');
    openLocalStore({ file }).close();
    const writer = (name: string) =>
      runNodeChild(`
        const { openLocalStore } = require('./src/db/local-store');
        const store = openLocalStore({ file: ${JSON.stringify(file)} });
        for (let i = 0; i < 400; i++) console.log('saved ' + store.repos.households.create({ area: '${name} ' + i }).id);
        store.close();`);
    const results = await Promise.all([writer('A'), writer('B')]);
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const saved = results.flatMap((r) => [...r.stdout.matchAll(/^saved (\S+)$/gm)].map((m) => m[1]!));
    expect(saved).toHaveLength(800);
    expect(householdIds(file)).toEqual([...saved].sort());
  });
});

describe('a database that reaches its size limit (SQLite reports it as a full disk)', () => {
  it('refuses the change with the full-disk message, and keeps what was acknowledged', async () => {
    const dir = tempDir('blos-limit-');
    const core = startApp(dir);
    const setup = await core.call('w', 'session.setupAdmin', { username: 'admin', displayName: 'Ada', password: 'admin password 1' });
    expect(setup.ok).toBe(true);
    const pages = core.store.sqlite.pragma('page_count', { simple: true }) as number;
    core.store.sqlite.pragma(`max_page_count = ${pages + 40}`);
    const saved: string[] = [];
    let refusal = '';
    while (!refusal) {
      const result = await core.call('w', 'records.create', { table: 'households', values: { area: 'North', notes: 'n'.repeat(3000) } });
      if (result.ok) saved.push((result.value as { id: string }).id);
      else refusal = result.error.message;
    }
    expect(refusal).toBe(
      `The change was not saved: the disk holding ${path.join(dir, 'blos.db')} is full. Free some space on that disk, then try again. Everything saved before is safe.`,
    );
    await core.close();
    expect(householdIds(path.join(dir, 'blos.db'))).toEqual([...saved].sort());
  });
});

describe('damage found while the app runs', () => {
  it('answers with the damaged-file message, and later changes are refused with it, leaving the file as it was', async () => {
    const dir = tempDir('blos-damage-late-');
    const file = path.join(dir, 'blos.db');
    const seeding = startApp(dir);
    seeding.store.repos.households.batchCreate(Array.from({ length: 3000 }, (_, i) => ({ area: `Area ${String(i).padStart(4, '0')}` })));
    await seeding.close();
    // The area index is read by a list sorted by area, not by opening the file.
    const inspect = openSqlite(file, { readonly: true, key: knownKeys(file, { env: {} })[0] ?? null });
    const pageSize = inspect.pragma('page_size', { simple: true }) as number;
    const indexPages = (inspect.prepare("SELECT pageno FROM dbstat WHERE name = 'households_area_idx' AND pagetype = 'leaf'").all() as { pageno: number }[]).map((r) => r.pageno);
    inspect.close();
    const fd = fs.openSync(file, 'r+');
    for (const page of indexPages) fs.writeSync(fd, Buffer.alloc(pageSize, 0xee), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);

    const core = startApp(dir);
    try {
      expect((await core.call('w', 'session.setupAdmin', { username: 'admin', displayName: 'Ada', password: 'admin password 1' })).ok).toBe(true);
      const listed = await core.call('w', 'records.list', { table: 'households', sort: { by: 'area' } });
      expect(listed).toEqual({ ok: false, error: { code: 'failed', message: expect.stringContaining(`The database ${file} is damaged`) } });
      // A digest: Jest compares large buffers byte by byte, slowly.
      const snapshot = () => ['', '-wal'].map((suffix) => (fs.existsSync(file + suffix) ? crypto.createHash('sha256').update(fs.readFileSync(file + suffix)).digest('hex') : 'none'));
      const before = snapshot();
      const created = await core.call('w', 'records.create', { table: 'households', values: { area: 'North' } });
      expect(created).toEqual({ ok: false, error: { code: 'failed', message: (listed as { error: { message: string } }).error.message } });
      expect(snapshot()).toEqual(before);
    } finally {
      await core.close().catch(() => {});
    }
  });
});
