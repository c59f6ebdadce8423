import { getTableColumns, sql } from 'drizzle-orm';
import path from 'node:path';
import { compileRowStatement } from '../../src/db/compiled-statement';
import { openLocalStore } from '../../src/db/local-store';
import { RowShape } from '../../src/db/row-shape';
import { people } from '../../src/db/schema';
import { tempDir } from '../support/temp';

describe('row shapes', () => {
  const shape = new RowShape('people');

  it('encodes a complete row as SQLite stores it, in column order', () => {
    const row = shape.fill({ id: 'p1', householdId: 'h1', fullName: 'Awa', attributes: { tags: ['a'] } }, { dirty: true, serverVersion: null, createdAt: 1, updatedAt: 2, machineId: 'm', deletedAt: null });
    const values = shape.encode(row);
    expect(values).toHaveLength(Object.keys(getTableColumns(people)).length);
    expect(values[shape.keys.indexOf('attributes')]).toBe('{"tags":["a"]}');
    expect(values[shape.keys.indexOf('dirty')]).toBe(1);
  });

  it('fills and encodes in one pass exactly as fill then encode', () => {
    const partial = { id: 'p2', householdId: 'h1', fullName: 'Binta', dateOfBirth: null, attributes: { n: 1 } };
    const overrides = { dirty: false, serverVersion: 7 };
    expect(shape.fillEncoded(partial, overrides)).toEqual(shape.encode(shape.fill(partial, overrides)));
  });

  it('binds encoded rows through a statement compiled for exactly its columns', () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    try {
      const household = store.repos.households.create({ area: 'North' });
      const insert = compileRowStatement(store.sqlite, store.db.insert(people).values(shape.placeholders() as never), shape.keys);
      const row = shape.fill({ id: 'p1', householdId: household.id, fullName: 'Awa' }, { createdAt: 1, updatedAt: 2, machineId: 'm', deletedAt: null, serverVersion: 7, dirty: false });
      insert.run(shape.encode(row));
      expect(store.repos.people.get('p1')).toEqual(row);
    } finally {
      store.close();
    }
  });

  it('refuses to compile a query whose parameters are not the row columns in order', () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    try {
      const [first, second, ...rest] = shape.keys;
      const swapped = [second!, first!, ...rest];
      const query = store.db.insert(people).values(Object.fromEntries(swapped.map((k) => [k, sql.placeholder(k)])) as never);
      expect(() => compileRowStatement(store.sqlite, query, swapped)).toThrow(/binds/);
    } finally {
      store.close();
    }
  });
});
