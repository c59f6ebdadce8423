import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { openSqlite } from '../../src/db/connection';
import { openLocalStore } from '../../src/db/local-store';
import { LOCAL_MIGRATIONS, migrateDatabase } from '../../src/db/migrate';
import { tempDir } from '../support/temp';

/** The app's migrations as an older version shipped them: those before `tag`. */
function migrationsBefore(tag: string): string {
  const folder = path.join(tempDir('blos-migrations-'), 'local');
  fs.cpSync(LOCAL_MIGRATIONS, folder, { recursive: true });
  const journalFile = path.join(folder, 'meta/_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8'));
  const cut = journal.entries.findIndex((entry: { tag: string }) => entry.tag === tag);
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(journalFile, JSON.stringify(journal, null, 2));
  return folder;
}

describe('the full-text index migration', () => {
  it('indexes the households and people a PC already holds, live ones only', () => {
    const file = path.join(tempDir(), 'app.db');
    // The rows an older version wrote, in the tables as its migrations left them.
    const old = openSqlite(file);
    migrateDatabase(drizzle({ client: old }), old, migrationsBefore('0004_record_search'));
    const machine = 'a'.repeat(64);
    const kept = { id: uuidv7() };
    const gone = { id: uuidv7() };
    const household = old.prepare(`INSERT INTO households (id, created_at, updated_at, machine_id, deleted_at, area, head_name) VALUES (?, 1, 1, '${machine}', ?, 'North', ?)`);
    household.run(kept.id, null, 'Amina Bello');
    household.run(gone.id, 2, 'Gone Household');
    const person = old.prepare(`INSERT INTO people (id, created_at, updated_at, machine_id, deleted_at, household_id, full_name) VALUES (?, 1, 1, '${machine}', ?, ?, ?)`);
    person.run(uuidv7(), null, kept.id, 'Halima');
    person.run(uuidv7(), null, kept.id, 'Fatima');
    person.run(uuidv7(), 2, gone.id, 'Zainab');
    old.close();

    const store = openLocalStore({ file });
    const heads = (search: string) => store.repos.households.list({ search }).items.map((h) => h.headName);
    expect(heads('fatima')).toEqual(['Amina Bello']);
    expect(heads('north')).toEqual(['Amina Bello']);
    expect(heads('fatima bello')).toEqual(['Amina Bello']);
    expect(heads('zainab')).toEqual([]);
    // Indexing goes on from there: a new person of an existing household gets a document of its own.
    store.repos.people.create({ householdId: kept.id, fullName: 'Maryam' });
    expect(heads('maryam north')).toEqual(['Amina Bello']);
    store.close();
  });
});
