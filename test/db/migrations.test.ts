import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openSqlite } from '../../src/db/connection';
import { openLocalStore } from '../../src/db/local-store';
import { ForeignKeyViolationError, NewerDatabaseError } from '../../src/db/migrate';
import { HOUSEHOLDS_REBUILD, migrationsWithExtra } from '../support/migrations';
import { tempDir } from '../support/temp';

const fileHash = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function seedHouseholdWithPeople(file: string, migrationsFolder?: string) {
  const store = openLocalStore({ file, ...(migrationsFolder ? { migrationsFolder } : {}) });
  const household = store.repos.households.create({ area: 'North', headName: 'Amina' });
  store.repos.people.batchCreate([
    { householdId: household.id, fullName: 'Amina' },
    { householdId: household.id, fullName: 'Yusuf' },
  ]);
  store.repos.visits.create({ householdId: household.id, visitedAt: 1, outcome: 'completed' });
  store.close();
  return household;
}

describe('migrations', () => {
  it('apply to a fresh file, and a second start applies nothing', () => {
    const file = path.join(tempDir(), 'app.db');
    const first = openLocalStore({ file });
    expect(first.migration.applied).toBeGreaterThan(0);
    expect(first.migration.backupFile).toBeNull();
    first.close();
    const second = openLocalStore({ file });
    expect(second.migration).toEqual({ applied: 0, backupFile: null });
    second.close();
  });

  it('give every synced table every sync column (read from the migrated file)', () => {
    const file = path.join(tempDir(), 'app.db');
    openLocalStore({ file }).close();
    const sqlite = openSqlite(file);
    const expected = {
      id: { type: 'TEXT', pk: 1 },
      created_at: { type: 'INTEGER', notnull: 1 },
      updated_at: { type: 'INTEGER', notnull: 1 },
      machine_id: { type: 'TEXT', notnull: 1 },
      deleted_at: { type: 'INTEGER', notnull: 0 },
      server_version: { type: 'INTEGER', notnull: 0 },
      dirty: { type: 'INTEGER', notnull: 1 },
    };
    for (const table of ['households', 'people', 'visits']) {
      const columns = sqlite.pragma(`table_info(${table})`) as { name: string; type: string; notnull: number; pk: number }[];
      for (const [name, shape] of Object.entries(expected)) {
        expect({ table, ...columns.find((c) => c.name === name) }).toMatchObject({ table, name, ...shape });
      }
      const indexes = sqlite.pragma(`index_list(${table})`) as { name: string; partial: number }[];
      expect(indexes).toContainEqual(expect.objectContaining({ name: `${table}_dirty_idx`, partial: 1 }));
    }
    sqlite.close();
  });

  it('refuse a database migrated by a newer app version and leave it untouched', () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.db');
    const newer = migrationsWithExtra('0099_future', ['CREATE TABLE `future_things` (`id` text PRIMARY KEY);']);
    seedHouseholdWithPeople(file, newer);
    const before = fileHash(file);

    expect(() => openLocalStore({ file })).toThrow(NewerDatabaseError);
    expect(() => openLocalStore({ file })).toThrow(/newer version of the app.*left untouched/s);
    expect(fileHash(file)).toBe(before);
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });

  it('back up the file before migrating an existing database', () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.db');
    seedHouseholdWithPeople(file);
    const next = migrationsWithExtra('0001_add_index', ['CREATE INDEX `people_name_idx` ON `people` (`full_name`);']);

    const store = openLocalStore({ file, migrationsFolder: next });
    expect(store.migration.applied).toBe(1);
    expect(store.migration.backupFile).not.toBeNull();
    store.close();

    const backup = openSqlite(store.migration.backupFile!, { readonly: true });
    expect(backup.prepare('SELECT COUNT(*) FROM people').pluck().get()).toBe(2);
    expect(backup.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'people_name_idx'").pluck().get()).toBe(0);
    backup.close();
  });

  it('keep the child rows when a parent table is rebuilt', () => {
    const file = path.join(tempDir(), 'app.db');
    const household = seedHouseholdWithPeople(file);
    const store = openLocalStore({ file, migrationsFolder: migrationsWithExtra('0001_rebuild', HOUSEHOLDS_REBUILD) });
    expect(store.migration.applied).toBe(1);
    const count = (table: string) => store.sqlite.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get();
    expect([count('households'), count('people'), count('visits')]).toEqual([1, 2, 1]);
    expect(store.sqlite.prepare('SELECT household_id FROM people').pluck().all()).toEqual([household.id, household.id]);
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    store.close();
  });

  it('refuse a migration that breaks references, restoring the file from its backup', () => {
    const file = path.join(tempDir(), 'app.db');
    seedHouseholdWithPeople(file);
    const breaking = migrationsWithExtra('0001_lose_parents', ['DELETE FROM `households`;']);
    expect(() => openLocalStore({ file, migrationsFolder: breaking })).toThrow(ForeignKeyViolationError);

    const store = openLocalStore({ file });
    expect(store.repos.households.list().total).toBe(1);
    expect(store.repos.people.list().total).toBe(2);
    store.close();
  });
});
