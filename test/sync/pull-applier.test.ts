import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { conflicts, pullParked } from '../../src/db/schema';
import type { TestServer } from '../support/sync-server';
import { SyncLedger } from '../../src/sync/ledger';
import { PullApplier } from '../../src/sync/pull-applier';
import { pullBody } from '../../src/server';
import { decodeRecords, readPullAnswer } from '../../src/sync/pull-decoder';
import { holdWriteLock } from '../support/write-lock';
import { searchIndexProblems } from '../support/search-index';
import { openProxiedClient, serverChanges, type Client } from './clients';
import type { FaultProxy } from './fault-proxy';

const OTHER_PC = 'e'.repeat(64);
let server: TestServer;
let proxy: FaultProxy;
let client: Client;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ server, proxy, client, close } = await openProxiedClient({ pullPageSize: 1 }));
});
afterEach(() => close());

const stamps = (updatedAt: number) => ({ createdAt: updatedAt, updatedAt, machineId: OTHER_PC, deletedAt: null });

/** Writes rows to the server as another PC would have pushed them. */
function pushFromOtherPc(changes: { table: string; row: Record<string, unknown> }[]) {
  const results = server.server.storage.applyPush(OTHER_PC, changes);
  expect(results).toEqual(changes.map(() => expect.objectContaining({ status: 'applied' })));
}

describe('pull', () => {
  it('parks a child that arrives before its household and applies it when the household arrives', async () => {
    const householdId = uuidv7();
    const visitId = uuidv7();
    // The visit gets the lower version: a new PC pulls it first.
    pushFromOtherPc([{ table: 'visits', row: { id: visitId, householdId, visitedAt: 5, outcome: 'completed', answers: {}, ...stamps(1000) } }]);
    pushFromOtherPc([{ table: 'households', row: { id: householdId, area: 'North', ...stamps(1001) } }]);
    let parkedMidway: unknown[] = [];
    let pulls = 0;
    proxy.beforeRelay = async (request) => {
      // The second page (the household) is held back until the first (the visit alone) is applied:
      // pages are fetched ahead of applying, so the request may come first.
      if (request.path !== '/pull.php' || ++pulls !== 2) return;
      for (let i = 0; i < 200 && parkedMidway.length === 0; i++) {
        parkedMidway = client.store.db.select().from(pullParked).all();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const status = await client.engine.syncNow();
    expect(status.lastError).toBeNull();
    expect(parkedMidway).toEqual([expect.objectContaining({ tableName: 'visits', rowId: visitId })]);
    expect(client.store.repos.visits.get(visitId)).toMatchObject({ householdId, dirty: false });
    expect(client.store.db.select().from(pullParked).all()).toEqual([]);
    expect(client.store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(client.store.sqlite.pragma('foreign_key_check')).toEqual([]);
  });

  it('parks a newer remote edit that moves a local row to a household not here yet, and records the conflict once, when applied', async () => {
    const first = uuidv7();
    const moved = uuidv7();
    const personId = uuidv7();
    pushFromOtherPc([{ table: 'households', row: { id: first, area: 'North', ...stamps(1000) } }]);
    pushFromOtherPc([{ table: 'people', row: { id: personId, householdId: first, fullName: 'Awa', ...stamps(1000) } }]);
    expect((await client.engine.syncNow()).lastError).toBeNull();
    const local = client.store.repos.people.update(personId, { fullName: 'Awa (local)' });
    // The remote edit is newer and names a household the server stores only after it.
    const remoteAt = local.updatedAt + 10;
    pushFromOtherPc([{ table: 'people', row: { id: personId, householdId: moved, fullName: 'Awa (moved)', ...stamps(remoteAt) } }]);
    pushFromOtherPc([{ table: 'households', row: { id: moved, area: 'South', ...stamps(remoteAt) } }]);
    let midway: { parked: unknown[]; conflicts: unknown[] } = { parked: [], conflicts: [] };
    let pulls = 0;
    proxy.beforeRelay = async (request) => {
      // The household's page is held back until the person's has been applied.
      if (request.path !== '/pull.php' || ++pulls !== 2) return;
      for (let i = 0; i < 200 && midway.parked.length === 0; i++) {
        midway = { parked: client.store.db.select().from(pullParked).all(), conflicts: client.store.db.select().from(conflicts).all() };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    expect((await client.engine.syncNow()).lastError).toBeNull();
    expect(midway).toEqual({ parked: [expect.objectContaining({ tableName: 'people', rowId: personId })], conflicts: [] });
    expect(client.store.repos.people.get(personId)).toMatchObject({ householdId: moved, fullName: 'Awa (moved)', dirty: false });
    expect(client.store.db.select().from(conflicts).all()).toEqual([
      expect.objectContaining({ recordTable: 'people', recordId: personId, field: 'fullName', lostValue: 'Awa (local)', wonValue: 'Awa (moved)' }),
    ]);
    expect(client.store.db.select().from(pullParked).all()).toEqual([]);
  });

  it('applies nothing of a page with an invalid record and keeps its cursor; later pages follow once it is fixed', async () => {
    const good = uuidv7();
    const bad = uuidv7();
    pushFromOtherPc([{ table: 'households', row: { id: good, area: 'North', ...stamps(1000) } }]);
    pushFromOtherPc([{ table: 'households', row: { id: bad, area: 'South', ...stamps(1001) } }]);
    const serverDb = new Database(server.dbFile);
    // What a server would serve after storing a row it should have refused (the change a pull reads too).
    serverDb.prepare("UPDATE households SET area = '', change = json_set(change, '$.row.area', '') WHERE id = ?").run(bad);

    const failed = await client.engine.syncNow();
    expect(failed.lastError).toMatch(/invalid households record/);
    expect(client.store.repos.households.get(good)).toBeDefined();
    expect(client.store.repos.households.get(bad)).toBeUndefined();
    expect(client.store.sqlite.prepare('SELECT pull_cursor FROM sync_state').pluck().get()).toBe(1);

    serverDb.prepare("UPDATE households SET area = 'South', change = json_set(change, '$.row.area', 'South') WHERE id = ?").run(bad);
    serverDb.close();
    const fixed = await client.engine.syncNow();
    expect(fixed.lastError).toBeNull();
    expect(client.store.repos.households.get(bad)?.area).toBe('South');
  });

  it('a newer whole-record tombstone beats an older unsent local edit: the overwritten value and the hidden edit are recorded', async () => {
    const household = client.store.repos.households.create({ area: 'North' });
    await client.engine.syncNow();
    const local = client.store.repos.households.update(household.id, { notes: 'local edit' });
    const remote = { ...(serverChanges(server.server, 10)[0]!.row as Record<string, unknown>) };
    pushFromOtherPc([{ table: 'households', row: { ...remote, ...stamps(local.updatedAt + 10), deletedAt: local.updatedAt + 10 } }]);

    await client.engine.syncNow();
    expect(client.store.repos.households.get(household.id)).toMatchObject({ deletedAt: local.updatedAt + 10, dirty: false });
    expect(client.store.db.select().from(conflicts).all()).toEqual([
      expect.objectContaining({ recordId: household.id, field: 'notes', lostAt: local.updatedAt, lostValue: 'local edit', wonMachineId: OTHER_PC }),
      expect.objectContaining({ recordId: household.id, field: 'deletedAt', lostAt: local.updatedAt, lostValue: null, wonValue: local.updatedAt + 10 }),
    ]);
  });

  it('a remote change to a row with no unsent local edit is no conflict', async () => {
    const household = client.store.repos.households.create({ area: 'North' });
    await client.engine.syncNow();
    const row = serverChanges(server.server, 10)[0]!.row as Record<string, unknown>;
    pushFromOtherPc([{ table: 'households', row: { ...row, ...stamps(Number(row.updatedAt) + 1), notes: 'remote' } }]);
    await client.engine.syncNow();
    expect(client.store.repos.households.get(household.id)?.notes).toBe('remote');
    expect(client.store.db.select().from(conflicts).all()).toEqual([]);
  });

  it('search finds what a pull brought, and follows what later pulls change: renames, moves, deletes', async () => {
    const [north, south, halima] = [uuidv7(), uuidv7(), uuidv7()];
    const household = (id: string, headName: string, area: string, at: number, deletedAt: number | null = null) => ({
      table: 'households',
      row: { id, headName, area, address: '', phone: '', notes: '', geoLat: null, geoLng: null, ...stamps(at), deletedAt },
    });
    const person = (householdId: string, fullName: string, at: number) => ({
      table: 'people',
      row: { id: halima, householdId, fullName, dateOfBirth: '1990-01-01', gender: 'female', phone: '0701 555 1234', idDocument: '', attributes: {}, ...stamps(at) },
    });
    pushFromOtherPc([household(north, 'Amina Bello', 'North', 1000), household(south, 'Yusuf Okafor', 'South', 1001), person(south, 'Halima Okafor', 1002)]);
    const heads = (search: string) => client.store.repos.households.list({ search }).items.map((h) => h.headName);
    expect((await client.engine.syncNow()).lastError).toBeNull();
    expect(heads('halima south')).toEqual(['Yusuf Okafor']);
    expect(heads('07015551234')).toEqual(['Yusuf Okafor']);

    pushFromOtherPc([person(north, 'Halima Bello', 2000), household(north, 'Aminat Bello', 'Riverside', 2001), household(south, 'Yusuf Okafor', 'South', 2002, 2002)]);
    expect((await client.engine.syncNow()).lastError).toBeNull();
    expect(heads('halima riverside')).toEqual(['Aminat Bello']);
    expect(heads('halima okafor')).toEqual([]);
    expect(heads('yusuf')).toEqual([]);
    expect(heads('amina')).toEqual(['Aminat Bello']);
    expect(searchIndexProblems(client.store.sqlite)).toEqual({ missing: [], extra: [] });
  });

  it('the clock observes pulled stamps: the next local edit is stamped after them', async () => {
    const id = uuidv7();
    const future = Date.now() + 60_000;
    pushFromOtherPc([{ table: 'households', row: { id, area: 'North', ...stamps(future) } }]);
    await client.engine.syncNow();
    const edit = client.store.repos.households.update(id, { notes: 'after' });
    expect(edit.updatedAt).toBeGreaterThan(future);
  });

  it('decides last-write-wins under the write lock: a local edit committed by another connection meanwhile is kept', async () => {
    const household = client.store.repos.households.create({ area: 'North' });
    await client.engine.syncNow();
    const row = serverChanges(server.server, 10)[0]!.row as Record<string, unknown>;
    const remoteAt = Number(row.updatedAt) + 10;
    pushFromOtherPc([{ table: 'households', row: { ...row, ...stamps(remoteAt), notes: 'remote' } }]);
    const page = server.server.storage.pull(1, 10);
    const [chunk] = decodeRecords(readPullAnswer(pullBody(page, 1)), 1, 100);
    const applier = new PullApplier(client.store, new SyncLedger(client.store));

    // The app's connection, on another thread, commits a newer local edit while this chunk waits to apply.
    const localAt = remoteAt + 10;
    const edit = await holdWriteLock(
      client.file,
      `UPDATE households SET notes = 'local', updated_at = ${localAt}, machine_id = '${client.store.machineId}', dirty = 1 WHERE id = '${household.id}'`,
      300,
    );
    applier.applyPage(chunk!, Date.now());
    await edit.committed;

    // The remote value lost here: the server records that conflict when this edit reaches it.
    expect(client.store.repos.households.get(household.id)).toMatchObject({ notes: 'local', updatedAt: localAt, dirty: true });
    expect(client.store.db.select().from(conflicts).all()).toEqual([]);
  });
});
