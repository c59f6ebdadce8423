import fs from 'node:fs';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { openSqlite } from '../../src/db/connection';
import { migrateDatabase } from '../../src/db/migrate';
import { SYNCED_TABLE_NAMES } from '../../src/db/schema';
import { openSqliteSyncStorage, SERVER_MIGRATIONS } from '../../src/server/sqlite-storage';
import { storageKinds, testDatabase } from '../support/test-databases';
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

describe('a server database from protocol v1, upgraded', () => {
  it('serves its rows to v2 clients with whole-row stamps and to v1 clients exactly as before', () => {
    const file = path.join(tempDir(), 'server.db');
    const old = openSqlite(file);
    migrateDatabase(drizzle({ client: old }), old, migrationsBefore('0003_pull_changes_built_when_served'));
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
      const v2 = { updatedBy: '', fieldStamps: {} };
      expect(JSON.parse(storage.pull(0, 10, 2).changes.toString())).toEqual([
        { table: 'households', version: 1, row: { ...h, ...v2 } },
        { table: 'people', version: 2, row: { ...p, ...v2 } },
        { table: 'visits', version: 3, row: { ...v, ...v2 } },
      ]);
      expect(JSON.parse(storage.pull(0, 10, 1).changes.toString())).toEqual([
        { table: 'households', version: 1, row: h },
        { table: 'people', version: 2, row: p },
        { table: 'visits', version: 3, row: v },
      ]);
    } finally {
      storage.close();
    }
  });

  it('writes every stored change again when the format that made it changed (a migration added a column)', () => {
    const file = path.join(tempDir(), 'server.db');
    let storage = openSqliteSyncStorage({ file });
    // Doubles that need 17 significant digits: json_object alone writes 15.
    const h = household({ geoLat: 0.30000000000000004, geoLng: 179.99999999999997 });
    try {
      storage.applyPush(machineB, [{ table: 'households', row: h }]);
      // What a server built before a column was added would have stored: the change without it.
      storage.sqlite.prepare("UPDATE households SET change = json_remove(change, '$.row.notes')").run();
      storage.sqlite.prepare("UPDATE stored_changes SET format = 'before notes existed' WHERE table_name = 'households'").run();
    } finally {
      storage.close();
    }
    storage = openSqliteSyncStorage({ file });
    try {
      expect(JSON.parse(storage.pull(0, 10, 2).changes.toString())[0].row).toEqual({ ...h, updatedBy: '', fieldStamps: {} });
    } finally {
      storage.close();
    }
  });

});

describe.each(storageKinds())('doubles on %s', (kind) => {
  it('serves every double exactly as it was pushed, however many digits it needs', async () => {
    const database = testDatabase(kind);
    const storage = await database.open();
    try {
      const geo = [[0.30000000000000004, 179.99999999999997], [-89.99999999999999, -1e-300], [14.69, null], [1e-7, -5e-324]] as const;
      const sent = geo.map(([geoLat, geoLng]) => household({ geoLat, geoLng }));
      await storage.applyPush(machineB, sent.map((row) => ({ table: 'households', row })));
      const served = (JSON.parse((await storage.pull(0, 10)).changes.toString()) as { row: { geoLat: number; geoLng: number | null } }[]).map((c) => [c.row.geoLat, c.row.geoLng]);
      expect(served).toEqual(geo);
    } finally {
      await storage.close();
      await database.drop();
    }
  });
});
