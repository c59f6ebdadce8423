import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { openSqlite } from '../../src/db/connection';
import { migrateDatabase } from '../../src/db/migrate';
import { SYNCED_TABLE_NAMES } from '../../src/db/schema';
import { openSqliteSyncStorage, SERVER_MIGRATIONS } from '../../src/server/sqlite-storage';
import { changeJson, serverTables } from '../../src/server/schema';
import { tempDir } from '../support/temp';
import { household, machineB, person, visit } from './helpers';

/** The server's migrations up to (not including) `tag`, as an older server shipped them. */
function migrationsBefore(tag: string): string {
  const folder = path.join(tempDir('blos-server-migrations-'), 'server');
  fs.cpSync(SERVER_MIGRATIONS, folder, { recursive: true });
  const journalFile = path.join(folder, 'meta/_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === tag));
  fs.writeFileSync(journalFile, JSON.stringify(journal, null, 2));
  return folder;
}

describe('the change a pull serves, stored with each row', () => {
  it('is written for the rows of a server database from before it existed, which serves them as before', () => {
    const file = path.join(tempDir(), 'server.db');
    const old = openSqlite(file);
    migrateDatabase(drizzle({ client: old }), old, migrationsBefore('0002_pulled_change'));
    const h = household({ notes: 'x' });
    const p = person(h.id, { attributes: { languages: ['wo'], literate: true } });
    const v = visit(h.id, { deletedAt: 5 });
    old.prepare("INSERT INTO households (id, created_at, updated_at, machine_id, deleted_at, server_version, area, address, head_name, phone, geo_lat, geo_lng, notes, entered_by) VALUES (@id, @createdAt, @updatedAt, @machineId, @deletedAt, 1, @area, @address, @headName, @phone, @geoLat, @geoLng, @notes, @enteredBy)").run(h);
    old.prepare("INSERT INTO people (id, created_at, updated_at, machine_id, deleted_at, server_version, household_id, full_name, date_of_birth, gender, phone, id_document, attributes, entered_by) VALUES (@id, @createdAt, @updatedAt, @machineId, @deletedAt, 2, @householdId, @fullName, @dateOfBirth, @gender, @phone, @idDocument, @attributes, @enteredBy)").run({ ...p, attributes: JSON.stringify(p.attributes) });
    old.prepare("INSERT INTO visits (id, created_at, updated_at, machine_id, deleted_at, server_version, household_id, visited_at, outcome, notes, answers, entered_by) VALUES (@id, @createdAt, @updatedAt, @machineId, @deletedAt, 3, @householdId, @visitedAt, @outcome, @notes, @answers, @enteredBy)").run({ ...v, answers: JSON.stringify(v.answers) });
    old.prepare('INSERT INTO version_counter (id, version) VALUES (1, 3)').run();
    old.close();

    const storage = openSqliteSyncStorage({ file });
    try {
      const page = storage.pull(0, 10);
      expect(JSON.parse(page.changes.toString())).toEqual([
        { table: 'households', version: 1, row: h },
        { table: 'people', version: 2, row: p },
        { table: 'visits', version: 3, row: v },
      ]);
      expect(page).toMatchObject({ cursor: 3, hasMore: false });
    } finally {
      storage.close();
    }
  });

  it('is the JSON the schema describes, column for column (drizzle-kit does not diff generated columns)', () => {
    const storage = openSqliteSyncStorage({ file: path.join(tempDir(), 'server.db') });
    try {
      // Doubles that need 17 significant digits: json_object alone writes 15.
      const h = household({ geoLat: 0.30000000000000004, geoLng: 179.99999999999997 });
      storage.applyPush(machineB, [
        { table: 'households', row: h },
        { table: 'people', row: person(h.id, { attributes: { n: 1.5 } }) },
        { table: 'visits', row: visit(h.id) },
      ]);
      const dialect = new SQLiteSyncDialect();
      for (const table of SYNCED_TABLE_NAMES) {
        const expression = dialect.sqlToQuery(changeJson(table, serverTables[table])).sql;
        const rows = storage.sqlite.prepare(`SELECT change, ${expression} AS fresh FROM "${table}"`).all() as { change: string; fresh: string }[];
        expect(rows).toHaveLength(1);
        expect(rows[0]!.change).toBe(rows[0]!.fresh);
      }
    } finally {
      storage.close();
    }
  });

  it('serves every double exactly as it was pushed, however many digits it needs', () => {
    const storage = openSqliteSyncStorage({ file: path.join(tempDir(), 'server.db') });
    try {
      const geo = [[0.30000000000000004, 179.99999999999997], [-89.99999999999999, -1e-300], [14.69, null]] as const;
      const sent = geo.map(([geoLat, geoLng]) => household({ geoLat, geoLng }));
      storage.applyPush(machineB, sent.map((row) => ({ table: 'households', row })));
      const served = (JSON.parse(storage.pull(0, 10).changes.toString()) as { row: { geoLat: number; geoLng: number | null } }[]).map((c) => [c.row.geoLat, c.row.geoLng]);
      expect(served).toEqual(geo);
    } finally {
      storage.close();
    }
  });
});
