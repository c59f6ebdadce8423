import type { RecordRow } from '../../src/ipc/contract';
import { startCoreWithAccounts, WORKER } from './harness';

const W = 'worker-window';
const MISSING = '01920000-0000-7000-8000-000000000000';

describe('records through the contract', () => {
  it('creates, reads, lists, updates and deletes a household', async () => {
    const h = await startCoreWithAccounts();
    const created = await h.ok(W, 'records.create', { table: 'households', values: { area: ' North ', headName: 'Amina' } });
    expect(created).toMatchObject({ area: 'North', headName: 'Amina', address: '', dirty: true, deletedAt: null });
    expect(await h.ok(W, 'records.get', { table: 'households', id: created.id })).toEqual(created);

    const updated = await h.ok(W, 'records.update', { table: 'households', id: created.id, values: { notes: 'dog at gate' } });
    expect(updated).toMatchObject({ area: 'North', notes: 'dog at gate' });
    expect(updated.updatedAt).toBeGreaterThan(created.updatedAt);

    const page = await h.ok(W, 'records.list', { table: 'households', search: 'amina', filters: { area: 'North' } });
    expect(page).toMatchObject({ total: 1, nextAfter: null });
    expect(page.items.map((r) => r.id)).toEqual([created.id]);

    const deleted = await h.ok(W, 'records.delete', { table: 'households', id: created.id });
    expect(deleted.deletedAt).not.toBeNull();
    expect(await h.fail(W, 'records.get', { table: 'households', id: created.id })).toMatchObject({ code: 'not_found' });
    expect((await h.fail(W, 'records.update', { table: 'households', id: created.id, values: { notes: 'x' } })).code).toBe('not_found');
    expect((await h.fail(W, 'records.delete', { table: 'households', id: created.id })).code).toBe('not_found');
    expect((await h.ok(W, 'records.list', { table: 'households' })).total).toBe(0);
  });

  it('names the areas already on the PC, each once, and finds their households however the area is capitalised', async () => {
    const h = await startCoreWithAccounts();
    for (const area of ['Kano North', 'Agadez', 'Kano North']) await h.ok(W, 'records.create', { table: 'households', values: { area } });
    expect(await h.ok(W, 'records.areas', {})).toEqual(['Agadez', 'Kano North']);
    expect((await h.ok(W, 'records.list', { table: 'households', filters: { area: 'kano north' } })).total).toBe(2);
    expect((await h.fail(W, 'records.areas', { table: 'households' })).code).toBe('invalid_input');
  });

  it('pages a list with the cursor', async () => {
    const h = await startCoreWithAccounts();
    const values = Array.from({ length: 7 }, (_, i) => ({ area: 'East', headName: `Head ${i}` }));
    await h.ok(W, 'records.batchCreate', { table: 'households', values });
    const first = await h.ok(W, 'records.list', { table: 'households', limit: 5 });
    expect(first).toMatchObject({ total: 7 });
    expect(first.items).toHaveLength(5);
    const second = await h.ok(W, 'records.list', { table: 'households', limit: 5, after: first.nextAfter });
    expect(second.items).toHaveLength(2);
    expect(second.nextAfter).toBeNull();
    expect(new Set([...first.items, ...second.items].map((r) => r.id)).size).toBe(7);
  });

  it('stamps every record with the signed-in username: a record knows who entered it', async () => {
    const h = await startCoreWithAccounts();
    const household = await h.ok(W, 'records.create', { table: 'households', values: { area: 'North' } });
    expect(household).toMatchObject({ enteredBy: WORKER.username });
    const person = await h.ok('admin-window', 'records.create', {
      table: 'people',
      values: { householdId: household.id, fullName: 'Awa' },
    });
    expect(person).toMatchObject({ enteredBy: 'admin' });
    const edited = await h.ok('admin-window', 'records.update', { table: 'households', id: household.id, values: { notes: 'x' } });
    expect(edited).toMatchObject({ enteredBy: WORKER.username });
    const visit = await h.ok(W, 'records.create', {
      table: 'visits',
      values: { householdId: household.id, visitedAt: h.clock.now, outcome: 'completed', answers: { water: 'well' } },
    });
    expect(visit).toMatchObject({ enteredBy: WORKER.username, answers: { water: 'well' } });
    const batch = await h.ok('admin-window', 'records.batchCreate', {
      table: 'visits',
      values: [
        { householdId: household.id, visitedAt: 1, outcome: 'not_home' },
        { householdId: household.id, visitedAt: 2, outcome: 'refused' },
      ],
    });
    expect(batch.map((v) => (v as RecordRow & { enteredBy: string }).enteredBy)).toEqual(['admin', 'admin']);
    const mine = await h.ok(W, 'records.list', { table: 'visits', filters: { enteredBy: WORKER.username } });
    expect(mine.items.map((v) => v.id)).toEqual([visit.id]);
  });

  it('refuses people and visits of a missing or deleted household, naming the field', async () => {
    const h = await startCoreWithAccounts();
    const error = await h.fail(W, 'records.create', { table: 'people', values: { householdId: MISSING, fullName: 'Yusuf' } });
    expect(error).toMatchObject({ code: 'invalid_input', fields: { 'values.householdId': expect.stringMatching(/no such household/) } });
    const gone = await h.ok(W, 'records.create', { table: 'households', values: { area: 'North' } });
    await h.ok(W, 'records.delete', { table: 'households', id: gone.id });
    const batch = await h.fail(W, 'records.batchCreate', {
      table: 'visits',
      values: [{ householdId: gone.id, visitedAt: 1, outcome: 'moved' }],
    });
    expect(batch.fields).toEqual({ 'values.0.householdId': expect.any(String) });
  });

  it('saves a batch all or nothing: one bad record refuses the batch and names it', async () => {
    const h = await startCoreWithAccounts();
    const values = [{ area: 'A' }, { area: 'B' }, { area: '' }, { area: 'D', phone: 'x'.repeat(50) }];
    const error = await h.fail(W, 'records.batchCreate', { table: 'households', values });
    expect(error.fields).toEqual({ 'values.2.area': 'required', 'values.3.phone': 'at most 40 characters' });
    expect((await h.ok(W, 'records.list', { table: 'households' })).total).toBe(0);
    expect((await h.fail(W, 'records.batchCreate', { table: 'households', values: [] })).fields).toEqual({ values: 'at least one record' });
  });

  it('lists people of a household and refuses a filter the table does not have', async () => {
    const h = await startCoreWithAccounts();
    const household = await h.ok(W, 'records.create', { table: 'households', values: { area: 'North' } });
    await h.ok(W, 'records.create', { table: 'people', values: { householdId: household.id, fullName: 'Yusuf', gender: 'male' } });
    const people = await h.ok(W, 'records.list', { table: 'people', filters: { householdId: household.id } });
    expect(people.items.map((p) => (p as RecordRow & { fullName: string }).fullName)).toEqual(['Yusuf']);
    const bad = await h.fail(W, 'records.list', { table: 'people', filters: { area: 'North' } });
    expect(bad.fields).toEqual({ 'filters.area': 'not a known field' });
  });

  it('summarises the dashboard: live records per table and what was entered today', async () => {
    const h = await startCoreWithAccounts();
    const old = await h.ok(W, 'records.create', { table: 'households', values: { area: 'North' } });
    h.clock.now += 24 * 60 * 60_000; // the next day (after a night's idle timeout: sign in again)
    await h.ok(W, 'session.login', { username: WORKER.username, password: WORKER.password });
    const today = await h.ok(W, 'records.create', { table: 'households', values: { area: 'North' } });
    await h.ok(W, 'records.create', { table: 'visits', values: { householdId: today.id, visitedAt: h.clock.now, outcome: 'completed' } });
    const gone = await h.ok(W, 'records.create', { table: 'households', values: { area: 'South' } });
    await h.ok(W, 'records.delete', { table: 'households', id: gone.id });
    const summary = await h.ok(W, 'dashboard.summary');
    expect(summary.counts).toEqual({ households: 2, people: 0, visits: 1 });
    expect(summary.today).toEqual({ households: 1, people: 0, visits: 1 });
    expect(summary.sync).toMatchObject({ state: 'disabled', pendingTotal: expect.any(Number) });
    expect(old.id).not.toBe(today.id);
  });

  it('enters a household with its people and a visit in one transaction: all of it, or on one bad field none of it', async () => {
    const h = await startCoreWithAccounts();
    const entered = await h.ok(W, 'records.enterHousehold', {
      household: { area: 'North', headName: 'Amina' },
      people: [{ fullName: 'Amina' }, { fullName: 'Yusuf', gender: 'male', dateOfBirth: '2015-03-09' }],
      visit: { visitedAt: h.clock.now, outcome: 'completed' },
    });
    expect(entered.people.map((p) => [p.fullName, p.householdId, p.enteredBy])).toEqual([
      ['Amina', entered.household.id, WORKER.username],
      ['Yusuf', entered.household.id, WORKER.username],
    ]);
    expect(entered.visit).toMatchObject({ householdId: entered.household.id, outcome: 'completed', enteredBy: WORKER.username });

    const refused = await h.fail(W, 'records.enterHousehold', {
      household: { area: 'South', headName: 'Grace' },
      people: [{ fullName: 'Grace' }, { fullName: '  ' }],
    });
    expect(refused).toMatchObject({ code: 'invalid_input', fields: { 'people.1.fullName': 'required' } });
    expect((await h.ok(W, 'records.list', { table: 'households' })).total).toBe(1);
    expect((await h.ok(W, 'records.list', { table: 'people' })).total).toBe(2);
  });

  it('undoes a delete: the household and what was deleted with it come back as a change to sync', async () => {
    const h = await startCoreWithAccounts();
    const household = await h.ok(W, 'records.create', { table: 'households', values: { area: 'North' } });
    const person = await h.ok(W, 'records.create', { table: 'people', values: { householdId: household.id, fullName: 'Awa' } });
    await h.ok(W, 'records.delete', { table: 'households', id: household.id });
    // A person of a deleted household cannot come back on its own.
    expect(await h.fail(W, 'records.restore', { table: 'people', id: person.id })).toMatchObject({ code: 'invalid_input' });
    const restored = await h.ok(W, 'records.restore', { table: 'households', id: household.id });
    expect(restored).toMatchObject({ deletedAt: null, dirty: true });
    expect(await h.ok(W, 'records.get', { table: 'people', id: person.id })).toMatchObject({ deletedAt: null });
    expect(await h.fail(W, 'records.restore', { table: 'households', id: household.id })).toMatchObject({ code: 'not_found' });
    expect(await h.fail(W, 'records.restore', { table: 'visits', id: MISSING })).toMatchObject({ code: 'not_found' });
  });
});

