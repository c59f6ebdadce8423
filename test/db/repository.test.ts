import path from 'node:path';
import { openLocalStore, type LocalStore } from '../../src/db/local-store';
import { RecordNotFoundError } from '../../src/db/repository';
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
    // As the pull worker writes a row on its own connection, a moment before the clock hears of it.
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
    // LIKE wildcards in the search text are matched literally.
    expect(store.repos.households.list({ search: '_%' }).items.map((h) => h.headName)).toEqual(['Head 7']);
    expect(() => store.repos.households.list({ filters: { notes: 'x' } })).toThrow(/cannot be filtered by "notes"/);
  });
});
