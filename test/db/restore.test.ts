import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { newBackupPath } from '../../src/db/backups';
import { openLocalStore } from '../../src/db/local-store';
import { restoreDatabase } from '../../src/db/restore';
import { runEntryPoint } from '../support/node-child';
import { tempDir } from '../support/temp';

/** A data folder with two backups (after 10 and 20 households), then 30 households in blos.db, then its header destroyed. */
function damagedDataFolder() {
  const dir = tempDir('blos-restore-');
  const file = path.join(dir, 'blos.db');
  const store = openLocalStore({ file });
  const ids: string[] = [];
  const backups: string[] = [];
  for (let i = 0; i < 30; i++) {
    ids.push(store.repos.households.create({ area: `Area ${i}` }).id);
    if (i === 9 || i === 19) {
      const backup = newBackupPath(file, 1, new Date(Date.UTC(2026, 4, 1 + i)));
      store.sqlite.prepare('VACUUM INTO ?').run(backup);
      backups.push(backup);
    }
  }
  store.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
  fs.closeSync(fd);
  return { dir, file, ids, older: backups[0]!, newest: backups[1]!, damaged: fs.readFileSync(file) };
}

function householdIds(file: string): string[] {
  const store = openLocalStore({ file });
  try {
    return store.repos.households.list({ limit: 1000 }).items.map((row) => row.id).sort();
  } finally {
    store.close();
  }
}

const restoreCli = (args: string[]) => runEntryPoint('src/db/restore-cli.ts', args);

describe('npm run db:restore', () => {
  it('puts the newest backup in place, keeps the damaged file aside, and the app opens it again', async () => {
    const { dir, file, ids, newest, damaged } = damagedDataFolder();
    const result = await restoreCli(['--data', dir]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`restored ${file} from ${newest} (it passed the integrity check)`);
    const aside = /kept as (\S+)/.exec(result.stdout)![1]!;
    expect(path.dirname(aside)).toBe(dir);
    expect(fs.readFileSync(aside).equals(damaged)).toBe(true);
    expect(householdIds(file)).toEqual(ids.slice(0, 20).sort());
  });

  it('--backup FILE restores that backup instead', async () => {
    const { dir, file, ids, older } = damagedDataFolder();
    const result = await restoreCli(['--data', dir, '--backup', older]);
    expect(result.code).toBe(0);
    expect(householdIds(file)).toEqual(ids.slice(0, 10).sort());
  });

  it('refuses a backup that fails the integrity check, changing nothing', () => {
    const { file, newest, damaged } = damagedDataFolder();
    // Garbage over the pages after the schema: the file opens, its tables do not add up.
    const size = fs.statSync(newest).size;
    const fd = fs.openSync(newest, 'r+');
    fs.writeSync(fd, Buffer.alloc(size - 8192, 0x5a), 0, size - 8192, 8192);
    fs.closeSync(fd);
    expect(() => restoreDatabase(file)).toThrow(new RegExp(`^The backup ${newest} cannot be used: .*Nothing was changed; choose another with --backup FILE\\.$`));
    expect(fs.readFileSync(file).equals(damaged)).toBe(true);
    expect(fs.readdirSync(path.dirname(file)).filter((name) => /before-restore|restoring/.test(name))).toEqual([]);
  });

  it('refuses while another process has the database open, changing nothing', async () => {
    const dir = tempDir('blos-restore-open-');
    const file = path.join(dir, 'blos.db');
    const store = openLocalStore({ file });
    store.repos.households.create({ area: 'North' });
    store.sqlite.prepare('VACUUM INTO ?').run(newBackupPath(file, 1));
    const before = fs.readFileSync(file);
    try {
      const result = await restoreCli(['--data', dir]);
      expect(result.stderr).toBe(`${file} is open in another program (the app, the browser host or the sync CLI). Close it, then try again.\n`);
      expect(result.code).toBe(1);
      expect(fs.readFileSync(file).equals(before)).toBe(true);
    } finally {
      store.close();
    }
    expect((await restoreCli(['--data', dir])).code).toBe(0);
  });

  it('says clearly when there is no backup or the arguments are wrong', async () => {
    const dir = tempDir('blos-restore-none-');
    openLocalStore({ file: path.join(dir, 'blos.db') }).close();
    expect((await restoreCli(['--data', dir])).stderr).toBe(
      `There is no backup of ${path.join(dir, 'blos.db')} in ${path.join(dir, 'backups')}. Name one with --backup FILE.\n`,
    );
    const both = await restoreCli(['--data', dir, '--db', path.join(dir, 'blos.db')]);
    expect(both.stderr).toMatch(/^give either --data DIR or --db FILE\nusage: npm run db:restore/);
    expect(both.code).toBe(1);
  });

  it('--db FILE restores a database of another name from the backups beside it', () => {
    const dir = tempDir('blos-restore-db-');
    const file = path.join(dir, 'client.db');
    const store = openLocalStore({ file });
    const id = store.repos.households.create({ area: 'North' }).id;
    store.sqlite.prepare('VACUUM INTO ?').run(newBackupPath(file, 1));
    store.repos.households.create({ area: 'South' });
    store.close();
    expect(restoreDatabase(file).backup).toMatch(/backups\/client-schema1-.*\.db$/);
    const restored = new Database(file, { readonly: true });
    expect(restored.prepare('SELECT id FROM households').all()).toEqual([{ id }]);
    restored.close();
  });
});
