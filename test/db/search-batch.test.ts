import path from 'node:path';
import { openLocalStore, type LocalStore } from '../../src/db/local-store';
import { searchBatch, searchMergeStep } from '../../src/db/search-batch';
import { searchIndexProblems } from '../support/search-index';
import { tempDir } from '../support/temp';

/** The same edits, made one by one (indexed by the triggers) or inside search batches. */
function edits(store: LocalStore, step: (write: () => void) => void) {
  const { households, people } = store.repos;
  const heads = (search: string) => households.list({ search }).items.map((h) => h.headName);
  let amina!: { id: string };
  let yusuf!: { id: string };
  let halima!: { id: string };
  step(() => {
    amina = households.create({ headName: 'Amina Bello', area: 'North', phone: '0803 123-4567' });
    yusuf = households.create({ headName: 'Yusuf Okafor', area: 'South' });
    halima = people.create({ householdId: yusuf.id, fullName: 'Halima Okafor', phone: '(0701) 555.1234' });
    people.create({ householdId: yusuf.id, fullName: 'Fatima Okafor' });
    people.create({ householdId: amina.id, fullName: 'Zainab Bello' });
  });
  expect(heads('halima south')).toEqual(['Yusuf Okafor']);
  expect(heads('08031234567')).toEqual(['Amina Bello']);
  step(() => {
    households.update(amina.id, { headName: 'Aminat Bello', area: 'Riverside' });
    people.update(halima.id, { householdId: amina.id, fullName: 'Halima Bello' });
  });
  expect(heads('halima riverside')).toEqual(['Aminat Bello']);
  expect(heads('halima south')).toEqual([]);
  expect(heads('amina')).toEqual(['Aminat Bello']);
  step(() => {
    people.softDelete(halima.id);
    households.softDelete(yusuf.id);
  });
  expect(heads('halima')).toEqual([]);
  expect(heads('fatima')).toEqual([]);
  step(() => households.restore(yusuf.id));
  expect(heads('fatima')).toEqual(['Yusuf Okafor']);
  step(() => {
    const newer = households.create({ headName: 'Grace Eze', area: 'Riverside' });
    people.create({ householdId: newer.id, fullName: 'Maryam Eze' });
    people.restore(halima.id);
    people.update(halima.id, { fullName: 'Halima B.' });
  });
  // Newest household first, as the triggers number them.
  expect(heads('riverside')).toEqual(['Grace Eze', 'Aminat Bello']);
  expect(heads('halima')).toEqual(['Aminat Bello']);
}

describe('a search batch (many rows written, the index brought up to date once)', () => {
  it('leaves the index the row-by-row triggers leave, through new records, edits, moves, deletes and restores', () => {
    const dir = tempDir();
    const byRow = openLocalStore({ file: path.join(dir, 'by-row.db') });
    const batched = openLocalStore({ file: path.join(dir, 'batched.db') });
    const inBatch = searchBatch(batched.sqlite);
    edits(byRow, (write) => write());
    edits(batched, (write) => batched.sqlite.transaction(() => inBatch(write))());
    for (const store of [byRow, batched]) {
      expect(searchIndexProblems(store.sqlite)).toEqual({ missing: [], extra: [] });
      expect(store.sqlite.prepare('SELECT count(*) FROM search_pending').pluck().get()).toBe(0);
    }
    // Household by household in the index's order; ids differ between the two files, and the order of
    // a household's people among themselves means nothing.
    const documents = (store: LocalStore) => store.sqlite.prepare(`SELECT body FROM record_search ORDER BY rowid / ${2 ** 20}, body`).pluck().all();
    expect(documents(batched)).toEqual(documents(byRow));
    byRow.close();
    batched.close();
  });

  it('refuses to run outside a transaction, where its mark would leave every later write unindexed', () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    expect(() => searchBatch(store.sqlite)(() => store.repos.households.create({ headName: 'Amina Bello', area: 'North' }))).toThrow('inside a write transaction');
    expect(store.repos.households.list({}).items).toEqual([]);
    store.close();
  });

  it('is undone with its transaction: a failed batch leaves the rows and the index as they were, and later writes indexed', () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    const inBatch = searchBatch(store.sqlite);
    expect(() =>
      store.sqlite.transaction(() =>
        inBatch(() => {
          store.repos.households.create({ headName: 'Amina Bello', area: 'North' });
          throw new Error('the disk is full');
        }),
      )(),
    ).toThrow('the disk is full');
    expect(store.sqlite.prepare('SELECT count(*) FROM search_pending').pluck().get()).toBe(0);
    store.repos.households.create({ headName: 'Yusuf Okafor', area: 'South' });
    expect(store.repos.households.list({ search: 'yusuf' }).items.map((h) => h.headName)).toEqual(['Yusuf Okafor']);
    expect(searchIndexProblems(store.sqlite)).toEqual({ missing: [], extra: [] });
    store.close();
  });
});

describe('merging the search index a step at a time', () => {
  it('is left to the steps (FTS5 would merge in a write\'s commit), which merge until nothing is left, the index whole', () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    const automerge = store.sqlite.prepare("SELECT v FROM record_search_config WHERE k = 'automerge'").pluck().get();
    expect(automerge).toBe(0);
    // Forty saves, forty commits: FTS5 alone would have merged them four at a time along the way.
    for (let i = 0; i < 40; i++) store.repos.households.create({ headName: `Head ${i}`, area: 'North' });
    const step = searchMergeStep(store.sqlite);
    let steps = 0;
    while (step()) steps++;
    expect(steps).toBeGreaterThan(0);
    expect(step()).toBe(false);
    expect(store.repos.households.list({ search: 'head north' }).total).toBe(40);
    expect(searchIndexProblems(store.sqlite)).toEqual({ missing: [], extra: [] });
    store.close();
  });
});
