import type { Statement } from 'better-sqlite3';
import type { SqliteSyncStorage } from '../../src/server/sqlite-storage';
import type { SyncStorage } from '../../src/server/storage';
import type { PullChange } from '../../src/protocol/wire';
import { storageKinds, testDatabase, type TestDatabase } from '../support/test-databases';
import { household, machineB, person, visit } from './helpers';

let database: TestDatabase;
let storage: SyncStorage;

async function openSeeded(kind: Parameters<typeof testDatabase>[0]) {
  database = testDatabase(kind);
  storage = await database.open();
  // Two households, each followed by its children: versions 1-6 alternate between the tables.
  for (let i = 0; i < 2; i++) {
    const h = household();
    await storage.applyPush(machineB, [
      { table: 'households', row: h },
      { table: 'people', row: person(h.id) },
      { table: 'visits', row: visit(h.id) },
    ]);
  }
}
afterEach(async () => {
  await storage.close();
  await database.drop();
});

async function pageOf(since: number, limit: number) {
  const page = await storage.pull(since, limit);
  const changes = JSON.parse(page.changes.toString('utf8')) as PullChange[];
  return { ...page, changes: changes.map((c) => `${c.version}:${c.table}`) };
}

describe.each(storageKinds())("a pull page read from the server's database (%s)", (kind) => {
  beforeEach(() => openSeeded(kind));

  it('holds the changes of every table in version order, with its count, cursor and whether more remain', async () => {
    expect(await pageOf(0, 4)).toMatchObject({ changes: ['1:households', '2:people', '3:visits', '4:households'], count: 4, cursor: 4, hasMore: true });
    expect(await pageOf(4, 2)).toMatchObject({ changes: ['5:people', '6:visits'], count: 2, cursor: 6, hasMore: false });
    expect(await pageOf(6, 10)).toMatchObject({ changes: [], count: 0, cursor: 6, hasMore: false });
  });
});

describe("a pull page read from the server's SQLite database", () => {
  beforeEach(() => openSeeded('sqlite'));

  it('is read again, sorted by SQLite, if the joined rows ever come out of version order', async () => {
    const sqliteStorage = storage as SqliteSyncStorage;
    const internals = sqliteStorage as unknown as { pages: Record<number, { page: Statement }> };
    // The joining statement, made to hand its rows over backwards.
    const v2 = internals.pages[2]!;
    const backwards = v2.page.source.replace(/group_concat\((\w+), ','\)/g, "group_concat($1, ',' ORDER BY v DESC)");
    expect(backwards).not.toBe(v2.page.source);
    v2.page = sqliteStorage.sqlite.prepare(backwards);
    expect(await pageOf(0, 4)).toMatchObject({ changes: ['1:households', '2:people', '3:visits', '4:households'], count: 4, cursor: 4, hasMore: true });
  });
});
