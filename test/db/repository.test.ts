import path from 'node:path';
import { openLocalStore, type LocalStore } from '../../src/db/local-store';
import { COUNT_LIMIT, RecordNotFoundError, SEARCH_COUNT_LIMIT } from '../../src/db/repository';
import { tempDir } from '../support/temp';

let now: number;
let store: LocalStore;
let writes: string[];

beforeEach(() => {
  now = 1_700_000_000_000;
  store = openLocalStore({ file: path.join(tempDir(), 'app.db'), wallClock: () => now });
  writes = [];
  store.onLocalWrite((table) => writes.push(table));
});
afterEach(() => store.close());

const dirtyFlag = (table: string, id: string) =>
  store.sqlite.prepare(`SELECT dirty FROM ${table} WHERE id = ?`).pluck().get(id);

describe('repositories', () => {
  it('create stamps id, updated_at, machine_id and dirty, and keeps JSON typed', () => {
    const household = store.repos.households.create({ area: 'North', headName: 'Amina' });
    expect(household).toMatchObject({
      area: 'North',
      address: '',
      updatedAt: now,
      createdAt: now,
      machineId: store.machineId,
      dirty: true,
      deletedAt: null,
      serverVersion: null,
    });
    expect(household.id).toMatch(/^[0-9a-f-]{36}$/);
    const person = store.repos.people.create({
      householdId: household.id,
      fullName: 'Yusuf',
      attributes: { languages: ['ha', 'en'], disability: false },
    });
    expect(store.repos.people.get(person.id)?.attributes).toEqual({ languages: ['ha', 'en'], disability: false });
    expect(dirtyFlag('people', person.id)).toBe(1);
    expect(writes).toEqual(['households', 'people']);
  });

  it('update stamps a later updated_at, this machine and dirty again', () => {
    const household = store.repos.households.create({ area: 'North' });
    store.sqlite.prepare('UPDATE households SET dirty = 0, machine_id = ? WHERE id = ?').run('other', household.id);
    now -= 60_000; // the wall clock went back a minute
    const updated = store.repos.households.update(household.id, { notes: 'dog in the yard' });
    expect(updated.updatedAt).toBeGreaterThan(household.updatedAt);
    expect(updated).toMatchObject({ notes: 'dog in the yard', machineId: store.machineId, dirty: true, area: 'North' });
  });

  it('soft-delete tombstones the record and what belongs to it; it is gone from lists but syncs', () => {
    const household = store.repos.households.create({ area: 'North' });
    const person = store.repos.people.create({ householdId: household.id, fullName: 'Yusuf' });
    const visit = store.repos.visits.create({ householdId: household.id, visitedAt: now, outcome: 'not_home' });
    now += 1000;
    const deleted = store.repos.households.softDelete(household.id);
    expect(deleted).toMatchObject({ deletedAt: now, updatedAt: now, dirty: true });
    expect(store.repos.people.get(person.id)).toMatchObject({ deletedAt: now, dirty: true });
    expect(store.repos.visits.get(visit.id)).toMatchObject({ deletedAt: now, dirty: true });
    expect(store.repos.households.list().total).toBe(0);
    expect(store.repos.households.list({ includeDeleted: true }).total).toBe(1);
    expect(() => store.repos.households.update(household.id, { notes: 'x' })).toThrow(RecordNotFoundError);
    expect(() => store.repos.households.softDelete(household.id)).toThrow(RecordNotFoundError);
  });

  it('edits and tombstones are stamped after the version they replace, even one the clock has not seen', () => {
    // As the sync worker writes a row on its own connection, a moment before the clock hears of it.
    const household = store.repos.households.create({ area: 'North' });
    const person = store.repos.people.create({ householdId: household.id, fullName: 'Yusuf' });
    const pulledAt = now + 60_000;
    for (const table of ['households', 'people']) store.sqlite.prepare(`UPDATE ${table} SET updated_at = ?, dirty = 0`).run(pulledAt);

    const edit = store.repos.households.update(household.id, { notes: 'after' });
    expect(edit.updatedAt).toBe(pulledAt + 1);
    const tombstone = store.repos.households.softDelete(household.id);
    expect(tombstone.updatedAt).toBe(pulledAt + 2);
    expect(store.repos.people.get(person.id)).toMatchObject({ updatedAt: pulledAt + 2, deletedAt: tombstone.deletedAt, dirty: true });
    // The clock has caught up: the next new record is stamped after all of them.
    expect(store.repos.households.create({ area: 'South' }).updatedAt).toBeGreaterThan(pulledAt + 2);
  });

  it('batch-create saves all records in one transaction with one stamp', () => {
    const household = store.repos.households.create({ area: 'North' });
    const inputs = Array.from({ length: 250 }, (_, i) => ({
      householdId: household.id,
      visitedAt: now + i,
      outcome: 'completed' as const,
      answers: { q1: i },
    }));
    const saved = store.repos.visits.batchCreate(inputs);
    expect(saved).toHaveLength(250);
    expect(new Set(saved.map((v) => v.id)).size).toBe(250);
    expect(new Set(saved.map((v) => v.updatedAt)).size).toBe(1);
    expect(saved[0]!.updatedAt).toBeGreaterThan(household.updatedAt);
    expect(store.sqlite.prepare('SELECT COUNT(*) FROM visits WHERE dirty = 1 AND machine_id = ?').pluck().get(store.machineId)).toBe(250);
  });

  it('batch-create is all-or-nothing: one bad record saves none', () => {
    const household = store.repos.households.create({ area: 'North' });
    const good = { householdId: household.id, fullName: 'Good' };
    const orphan = { householdId: '01900000-0000-7000-8000-000000000000', fullName: 'Orphan' };
    expect(() => store.repos.people.batchCreate([good, good, orphan, good])).toThrow(/FOREIGN KEY/);
    expect(store.repos.people.list().total).toBe(0);
    expect(writes).toEqual(['households']);
  });

  it('lists newest first with keyset paging, filters and search', () => {
    const areas = ['North', 'South'];
    const created = store.repos.households.batchCreate(
      Array.from({ length: 120 }, (_, i) => ({ area: areas[i % 2]!, headName: `Head ${i}`, phone: i === 7 ? '555_%' : '' })),
    );
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = store.repos.households.list({ filters: { area: 'North' }, limit: 25, after });
      expect(page.total).toBe(60);
      seen.push(...page.items.map((h) => h.id));
      after = page.nextAfter;
    } while (after);
    expect(seen).toEqual(created.filter((h) => h.area === 'North').map((h) => h.id).reverse());

    expect(store.repos.households.list({ search: 'head 11' }).items.map((h) => h.headName).sort()).toEqual([
      'Head 11',
      'Head 110',
      'Head 111',
      'Head 112',
      'Head 113',
      'Head 114',
      'Head 115',
      'Head 116',
      'Head 117',
      'Head 118',
      'Head 119',
    ]);
    expect(() => store.repos.households.list({ filters: { notes: 'x' } })).toThrow(/cannot be filtered by "notes"/);
  });

  it('restore undoes a tombstone with a newer stamp, bringing back what was deleted with it, not what was deleted before', () => {
    const household = store.repos.households.create({ area: 'North' });
    const earlier = store.repos.people.create({ householdId: household.id, fullName: 'Left before' });
    const person = store.repos.people.create({ householdId: household.id, fullName: 'Yusuf' });
    now += 1000;
    store.repos.people.softDelete(earlier.id);
    now += 1000;
    const tombstone = store.repos.households.softDelete(household.id);
    store.sqlite.prepare('UPDATE households SET dirty = 0').run(); // the tombstone reached the server

    now += 1000;
    const restored = store.repos.households.restore(household.id);
    expect(restored).toMatchObject({ deletedAt: null, dirty: true, machineId: store.machineId });
    expect(restored.updatedAt).toBeGreaterThan(tombstone.updatedAt);
    expect(store.repos.people.get(person.id)).toMatchObject({ deletedAt: null, dirty: true });
    expect(store.repos.people.get(earlier.id)?.deletedAt).not.toBeNull();
    expect(() => store.repos.households.restore(household.id)).toThrow(RecordNotFoundError);
  });
});

describe('the households list at scale: search, filters, sort', () => {
  const seed = () => {
    const [amina, yusuf, grace] = store.repos.households.batchCreate([
      { area: 'North', headName: 'Amina Bello', address: '12 Market Road', phone: '0803 123-4567', enteredBy: 'ada' },
      { area: 'South', headName: 'Yusuf Okafor', address: '4 Mission Lane', enteredBy: 'ben' },
      { area: 'North', headName: 'Grace Ézé', enteredBy: 'ben' },
    ]);
    store.repos.people.batchCreate([
      { householdId: yusuf!.id, fullName: 'Halima Okafor', phone: '0701 555 0000' },
      { householdId: yusuf!.id, fullName: 'Fatima Okafor' },
    ]);
    return { amina: amina!, yusuf: yusuf!, grace: grace! };
  };
  const heads = (query: Parameters<typeof store.repos.households.list>[0]) => store.repos.households.list(query).items.map((h) => h.headName);

  it('finds households by the start of any word of the head, address, area, phone or their people, accents and case aside', () => {
    seed();
    expect(heads({ search: 'ami' })).toEqual(['Amina Bello']);
    expect(heads({ search: 'mark' })).toEqual(['Amina Bello']);
    expect(heads({ search: '08031234567' })).toEqual(['Amina Bello']); // the phone's digits, however it was typed
    expect(heads({ search: 'halima' })).toEqual(['Yusuf Okafor']);
    expect(heads({ search: '0701' })).toEqual(['Yusuf Okafor']);
    expect(heads({ search: 'eze' })).toEqual(['Grace Ézé']);
    expect(heads({ search: 'NORTH' })).toEqual(['Grace Ézé', 'Amina Bello']);
    // Every word must match: in the household's own fields, or in one person's together with them.
    expect(heads({ search: 'south fatima' })).toEqual(['Yusuf Okafor']);
    expect(heads({ search: 'fatima yusuf' })).toEqual(['Yusuf Okafor']);
    expect(heads({ search: 'north fatima' })).toEqual([]);
  });

  it('takes the search text literally: FTS syntax neither fails nor widens the search', () => {
    seed();
    for (const search of ['"', 'ami"', 'NEAR(ami', 'ami OR yusuf', 'head_name:ami', '-ami', '*', 'ami*', '^ami']) {
      expect(() => store.repos.households.list({ search })).not.toThrow();
    }
    expect(heads({ search: 'ami OR yusuf' })).toEqual([]);
    expect(heads({ search: '*' })).toEqual([]);
    expect(heads({ search: 'ami*' })).toEqual(['Amina Bello']);
  });

  it('keeps the index true through edits, deletes, undo and moves of people, including rows written without the repository', () => {
    const { amina, yusuf } = seed();
    store.repos.households.update(amina.id, { headName: 'Aminat Bello' });
    expect(heads({ search: 'aminat' })).toEqual(['Aminat Bello']);
    const halima = store.repos.people.list({ search: 'Halima' }).items[0]!;
    store.repos.people.update(halima.id, { householdId: amina.id });
    expect(heads({ search: 'halima' })).toEqual(['Aminat Bello']);
    expect(heads({ search: 'halima aminat' })).toEqual(['Aminat Bello']);
    // A household's new fields reach its people's documents.
    store.repos.households.update(amina.id, { area: 'Riverside' });
    expect(heads({ search: 'halima riverside' })).toEqual(['Aminat Bello']);
    expect(heads({ search: 'halima north' })).toEqual([]);
    store.repos.people.softDelete(halima.id);
    expect(heads({ search: 'halima' })).toEqual([]);
    store.repos.people.restore(halima.id);
    expect(heads({ search: 'halima' })).toEqual(['Aminat Bello']);
    store.repos.households.softDelete(yusuf.id);
    expect(heads({ search: 'fatima' })).toEqual([]);
    store.repos.households.restore(yusuf.id);
    expect(heads({ search: 'fatima' })).toEqual(['Yusuf Okafor']);
    // As the sync worker writes: plain SQL on the tables, no repository involved.
    store.sqlite.prepare("UPDATE households SET head_name = 'Pulled Name', dirty = 0 WHERE id = ?").run(yusuf.id);
    expect(heads({ search: 'pulled' })).toEqual(['Pulled Name']);
    store.sqlite.prepare('DELETE FROM people WHERE household_id = ?').run(yusuf.id);
    expect(heads({ search: 'fatima' })).toEqual([]);
    expect(store.sqlite.prepare('SELECT count(*) FROM search_people').pluck().get()).toBe(1);
  });

  it('pages through many matches without repeating a household, counting up to the limit', () => {
    const created = store.repos.households.batchCreate(Array.from({ length: 1030 }, (_, i) => ({ area: 'North', headName: `Head ${i}` })));
    store.repos.people.batchCreate(created.map((h) => ({ householdId: h.id, fullName: 'Same Name' })));
    const seen: string[] = [];
    let after: string | null = null;
    let first = true;
    do {
      const page = store.repos.households.list({ search: 'same', limit: 400, after });
      if (first) expect(page).toMatchObject({ total: SEARCH_COUNT_LIMIT, totalIsLowerBound: true });
      first = false;
      seen.push(...page.items.map((h) => h.id));
      after = page.nextAfter;
    } while (after);
    expect(seen).toEqual(created.map((h) => h.id).reverse());
    expect(store.repos.households.list({ search: 'head 7' }).total).toBe(1 + 10 + 100); // 7, 70-79, 700-799
    expect(store.repos.households.list({ filters: { area: 'North' } })).toMatchObject({ total: COUNT_LIMIT, totalIsLowerBound: true });
    expect(store.repos.households.list({ search: 'same', sort: { by: 'headName' } })).toMatchObject({ total: SEARCH_COUNT_LIMIT, totalIsLowerBound: true });
  });

  it('filters by area, who entered it and a visit of an outcome within dates', () => {
    const { amina, yusuf, grace } = seed();
    store.repos.visits.create({ householdId: amina.id, visitedAt: 1_000, outcome: 'follow_up' });
    store.repos.visits.create({ householdId: grace.id, visitedAt: 5_000, outcome: 'follow_up' });
    const deleted = store.repos.visits.create({ householdId: yusuf.id, visitedAt: 5_000, outcome: 'follow_up' });
    store.repos.visits.softDelete(deleted.id);
    expect(heads({ filters: { area: 'North', enteredBy: 'ben' } })).toEqual(['Grace Ézé']);
    expect(heads({ visited: { outcome: 'follow_up' } })).toEqual(['Grace Ézé', 'Amina Bello']);
    expect(heads({ visited: { outcome: 'follow_up', from: 2_000, to: 9_000 } })).toEqual(['Grace Ézé']);
    expect(heads({ visited: { outcome: 'completed' } })).toEqual([]);
    expect(heads({ search: 'north', visited: { to: 2_000 } })).toEqual(['Amina Bello']);
    // A search checks each hit's visits itself: the deleted visit does not count there either.
    expect(heads({ search: 'north', visited: { outcome: 'follow_up', from: 2_000 } })).toEqual(['Grace Ézé']);
    expect(heads({ search: 'north', filters: { area: 'North', enteredBy: 'ben' }, visited: { outcome: 'follow_up' } })).toEqual(['Grace Ézé']);
  });

  it('filters by area however it is capitalised, matching every stored spelling of it and no other area', () => {
    const { amina, grace } = seed();
    const [lower] = store.repos.households.batchCreate([{ area: 'north', headName: 'Musa Ali' }, { area: 'North East', headName: 'Ngozi Eke' }]);
    store.repos.visits.create({ householdId: grace.id, visitedAt: 5_000, outcome: 'follow_up' });
    expect(heads({ filters: { area: 'NORTH' } })).toEqual(['Musa Ali', 'Grace Ézé', 'Amina Bello']);
    expect(heads({ filters: { area: ' north ', enteredBy: 'ben' } })).toEqual(['Grace Ézé']);
    expect(heads({ search: 'a', filters: { area: 'nORTH' } })).toEqual(['Musa Ali', 'Amina Bello']);
    expect(heads({ filters: { area: 'north' }, visited: { outcome: 'follow_up' } })).toEqual(['Grace Ézé']);
    expect(heads({ filters: { area: 'north' }, sort: { by: 'headName' } })).toEqual(['Amina Bello', 'Grace Ézé', 'Musa Ali']);
    expect(heads({ filters: { area: 'Nowhere' } })).toEqual([]);
    expect(heads({ filters: { area: 'Nort' } })).toEqual([]);
    // Capitals aside, not accents: "Nörth" is another place.
    expect(heads({ filters: { area: 'Nörth' } })).toEqual([]);
    // An export reads the same households.
    expect([...store.repos.households.matchingIds({ filters: { area: 'NORTH' } }, 2)].flat()).toEqual([lower!.id, grace.id, amina.id]);
  });

  it('lists the areas of live households once each, in the order a person reads them, for the area filter to suggest', () => {
    const { yusuf } = seed();
    store.repos.households.batchCreate([{ area: 'north', headName: 'Musa Ali' }, { area: 'Area 10' }, { area: 'Area 9' }, { area: 'Zaria' }]);
    expect(store.repos.households.liveValues('area')).toEqual(['Area 9', 'Area 10', 'north', 'North', 'South', 'Zaria']);
    store.repos.households.softDelete(yusuf.id);
    expect(store.repos.households.liveValues('area')).not.toContain('South');
    expect(() => store.repos.households.liveValues('notes')).toThrow(/cannot be filtered by "notes"/);
  });

  it('sorts by a column either way, paging by keyset through ties', () => {
    const created = store.repos.households.batchCreate(
      Array.from({ length: 30 }, (_, i) => ({ area: ['North', 'South', 'East'][i % 3]!, headName: `Head ${String(i % 10).padStart(2, '0')}` })),
    );
    const walk = (sort: { by: string; descending?: boolean }, search?: string) => {
      const rows: string[] = [];
      let after: string | null = null;
      do {
        const page = store.repos.households.list({ sort, search, limit: 7, after });
        rows.push(...page.items.map((h) => `${h.area}/${h.headName}/${h.id}`));
        after = page.nextAfter;
      } while (after);
      return rows;
    };
    const key = (h: (typeof created)[number], by: 'area' | 'headName') => `${h[by]}\u0000${h.id}`;
    const expected = (by: 'area' | 'headName', descending: boolean) =>
      [...created].sort((a, b) => (key(a, by) < key(b, by) ? -1 : 1) * (descending ? -1 : 1)).map((h) => `${h.area}/${h.headName}/${h.id}`);
    expect(walk({ by: 'area' })).toEqual(expected('area', false));
    expect(walk({ by: 'headName', descending: true })).toEqual(expected('headName', true));
    expect(walk({ by: 'area' }, 'north')).toEqual(expected('area', false).filter((r) => r.startsWith('North/')));
    expect(() => store.repos.households.list({ sort: { by: 'notes' } })).toThrow(/cannot be sorted by "notes"/);
  });

  it('offers the households a new one may duplicate: the same phone anywhere, a similar name in the same area', () => {
    const { amina } = seed();
    const likely = (typed: { area: string; names: string[]; phone: string }) =>
      store.repos.households.likelyDuplicates(typed).map(({ row, reason }) => [row.headName, reason]);
    expect(likely({ area: 'Elsewhere', names: [], phone: '(0803) 123 4567' })).toEqual([['Amina Bello', 'phone']]);
    expect(likely({ area: 'North', names: ['amina b'], phone: '' })).toEqual([['Amina Bello', 'name']]);
    // A person's name counts as much as the head's; another area does not match.
    expect(likely({ area: 'South', names: ['', 'Halima Oka'], phone: '' })).toEqual([['Yusuf Okafor', 'name']]);
    expect(likely({ area: 'North', names: ['Halima'], phone: '' })).toEqual([]);
    // Another spelling of a name already there: a letter added, dropped, changed or two swapped, accents aside.
    for (const variant of ['Aminah Bello', 'Amina Belo', 'Amnia Bello', 'amina bellu', 'Grace Eze', 'Graçe']) {
      expect([variant, likely({ area: 'North', names: [variant], phone: '' })]).toEqual([variant, [[variant.startsWith('Gra') ? 'Grace Ézé' : 'Amina Bello', 'name']]]);
    }
    expect(likely({ area: 'South', names: ['Fatimah Okafor'], phone: '' })).toEqual([['Yusuf Okafor', 'name']]);
    // Two slips are another name (long words excepted); so is a variant in another area.
    expect(likely({ area: 'North', names: ['Aminata Bello'], phone: '' })).toEqual([]);
    expect(likely({ area: 'South', names: ['Aminah Bello'], phone: '' })).toEqual([]);
    // The area as typed, capitals aside.
    expect(likely({ area: 'north', names: ['Aminah Belo'], phone: '' })).toEqual([['Amina Bello', 'name']]);
    // Too few digits to mean anything; a deleted household is no duplicate.
    expect(likely({ area: 'North', names: [], phone: '0803' })).toEqual([]);
    store.repos.households.softDelete(amina.id);
    expect(likely({ area: 'North', names: ['Amina'], phone: '08031234567' })).toEqual([]);
  });
});

