import fs from 'node:fs';
import path from 'node:path';
import { openLocalStore } from '../../src/db/local-store';
import { LOCAL_MIGRATIONS } from '../../src/db/migrate';
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
    const old = openLocalStore({ file, migrationsFolder: migrationsBefore('0004_record_search') });
    const [kept, gone] = old.repos.households.batchCreate([
      { area: 'North', headName: 'Amina Bello' },
      { area: 'North', headName: 'Gone Household' },
    ]);
    old.repos.people.batchCreate([
      { householdId: kept!.id, fullName: 'Halima' },
      { householdId: kept!.id, fullName: 'Fatima' },
      { householdId: gone!.id, fullName: 'Zainab' },
    ]);
    old.repos.households.softDelete(gone!.id);
    old.close();

    const store = openLocalStore({ file });
    const heads = (search: string) => store.repos.households.list({ search }).items.map((h) => h.headName);
    expect(heads('fatima')).toEqual(['Amina Bello']);
    expect(heads('north')).toEqual(['Amina Bello']);
    expect(heads('fatima bello')).toEqual(['Amina Bello']);
    expect(heads('zainab')).toEqual([]);
    // Indexing goes on from there: a new person of an existing household gets a document of its own.
    store.repos.people.create({ householdId: kept!.id, fullName: 'Maryam' });
    expect(heads('maryam north')).toEqual(['Amina Bello']);
    store.close();
  });
});
