import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import { openSqliteSyncStorage, type SqliteSyncStorage } from '../../src/server/sqlite-storage';
import type { PullChange } from '../../src/protocol/wire';
import { tempDir } from '../support/temp';
import { household, machineB, person, visit } from './helpers';

let storage: SqliteSyncStorage;

beforeEach(() => {
  storage = openSqliteSyncStorage({ file: path.join(tempDir(), 'server.db') });
  // Two households, each followed by its children: versions 1-6 alternate between the tables.
  for (let i = 0; i < 2; i++) {
    const h = household();
    storage.applyPush(machineB, [
      { table: 'households', row: h },
      { table: 'people', row: person(h.id) },
      { table: 'visits', row: visit(h.id) },
    ]);
  }
});
afterEach(() => storage.close());

function pageOf(since: number, limit: number) {
  const page = storage.pull(since, limit);
  const changes = JSON.parse(page.changes.toString('utf8')) as PullChange[];
  return { ...page, changes: changes.map((c) => `${c.version}:${c.table}`) };
}

describe("a pull page read from the server's database", () => {
  it('holds the changes of every table in version order, with its count, cursor and whether more remain', () => {
    expect(pageOf(0, 4)).toMatchObject({ changes: ['1:households', '2:people', '3:visits', '4:households'], count: 4, cursor: 4, hasMore: true });
    expect(pageOf(4, 2)).toMatchObject({ changes: ['5:people', '6:visits'], count: 2, cursor: 6, hasMore: false });
    expect(pageOf(6, 10)).toMatchObject({ changes: [], count: 0, cursor: 6, hasMore: false });
  });

  it('is read again, sorted by SQLite, if the joined rows ever come out of version order', () => {
    const internals = storage as unknown as { pages: Record<number, { page: Statement }> };
    // The joining statement, made to hand its rows over backwards.
    const v2 = internals.pages[2]!;
    const backwards = v2.page.source.replace(/group_concat\((\w+), ','\)/g, "group_concat($1, ',' ORDER BY v DESC)");
    expect(backwards).not.toBe(v2.page.source);
    v2.page = storage.sqlite.prepare(backwards);
    expect(pageOf(0, 4)).toMatchObject({ changes: ['1:households', '2:people', '3:visits', '4:households'], count: 4, cursor: 4, hasMore: true });
  });
});
