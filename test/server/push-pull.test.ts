import { startTestServer, type TestServer } from '../support/sync-server';
import { storageKinds } from '../support/test-databases';
import type { SyncStorage } from '../../src/server';
import { HEADERS, PATHS, pullResponseSchema, pushResponseSchema } from '../../src/protocol/wire';
import {
  authHeaders,
  household,
  machineA,
  machineB,
  person,
  pull,
  pullAll,
  push,
  request,
  stamp,
  visit,
} from './helpers';

describe.each(storageKinds())('with %s storage', (storageKind) => {
  let ts: TestServer<SyncStorage>;
  const server = () => ({ url: ts.url, apiKey: ts.apiKey });

  beforeEach(async () => {
    ts = await startTestServer({ storage: storageKind });
  });
  afterEach(() => ts.close());

  const dataOf = async () => {
    const { tables, counter } = await ts.dump();
    return { tables, counter };
  };

  describe('push then pull', () => {
    it('round-trips a record of every table, in version order, exactly as sent', async () => {
      const h = household();
      const p = person(h.id);
      const v = visit(h.id);
      const pushed = await push(server(), [
        { table: 'households', row: h },
        { table: 'people', row: p },
        { table: 'visits', row: v },
      ]);
      expect(pushResponseSchema.parse(pushed).results).toEqual([
        { table: 'households', id: h.id, status: 'applied', version: 1 },
        { table: 'people', id: p.id, status: 'applied', version: 2 },
        { table: 'visits', id: v.id, status: 'applied', version: 3 },
      ]);

      const pulled = pullResponseSchema.parse(await pull(server(), 0, 10, machineB));
      expect(pulled).toMatchObject({ cursor: 3, hasMore: false });
      expect(pulled.changes).toEqual([
        { table: 'households', version: 1, row: h },
        { table: 'people', version: 2, row: p },
        { table: 'visits', version: 3, row: v },
      ]);
    });

    it('sends back every value exactly: full-precision numbers, any Unicode text, nested JSON', async () => {
      const h = { ...household(), geoLat: 14.712345678901234, geoLng: -(0.1 + 0.2), headName: 'Ndèye "Fatou" \\ Diop 😀', notes: 'line\nbreak\ttab \u2028 \u0001' };
      const p = { ...person(h.id), attributes: { nested: { deeper: [1.5, -2e-7, 1e21, null, true, 'x'] }, 'key with "quotes"': '' } };
      await push(server(), [
        { table: 'households', row: h },
        { table: 'people', row: p },
      ]);
      const pulled = pullResponseSchema.parse(await pull(server(), 0, 10, machineB));
      expect(pulled.changes.map((c) => c.row)).toEqual([h, p]);
    });

    it('fills left-out optional columns with their defaults', async () => {
      const { address, headName, phone, geoLat, geoLng, notes, ...minimal } = household();
      await push(server(), [{ table: 'households', row: minimal }]);
      const [change] = (await pull(server())).changes;
      expect(change!.row).toEqual({ ...minimal, address: '', headName: '', phone: '', geoLat: null, geoLng: null, notes: '' });
    });

    it('writes, for a version 1 row that leaves an optional column out, its default over the stored value (pinned: FUZZ_SEED=879788365)', async () => {
      const h = household({ notes: 'stored' });
      await push(server(), [{ table: 'households', row: h }]);
      const later: Record<string, unknown> = { ...h, updatedAt: stamp() };
      delete later.notes;
      await push(server(), [{ table: 'households', row: later }]);
      const changes = (await pull(server())).changes;
      expect(changes.at(-1)!.row).toEqual({ ...later, notes: '' });
    });

    it('pages by cursor with hasMore until the end', async () => {
      const rows = Array.from({ length: 7 }, () => household());
      await push(server(), rows.map((row) => ({ table: 'households', row })));
      const first = await pull(server(), 0, 3);
      expect(first).toMatchObject({ cursor: 3, hasMore: true });
      const second = await pull(server(), first.cursor, 3);
      expect(second).toMatchObject({ cursor: 6, hasMore: true });
      const last = await pull(server(), second.cursor, 3);
      expect(last).toMatchObject({ cursor: 7, hasMore: false });
      const empty = await pull(server(), last.cursor, 3);
      expect(empty).toMatchObject({ changes: [], cursor: 7, hasMore: false });
      expect([...first.changes, ...second.changes, ...last.changes].map((c) => c.row.id)).toEqual(rows.map((r) => r.id));
    });

    it('announces each page\'s cursor and hasMore in its headers, as its body states them', async () => {
      await push(server(), Array.from({ length: 5 }, () => ({ table: 'households', row: household() })));
      const announced = async (since: number) => {
        const response = await request(server(), { path: `${PATHS.pull}?since=${since}&limit=3`, headers: authHeaders(server()) });
        const body = response.json as { cursor: number; hasMore: boolean };
        return { headers: [response.headers.get(HEADERS.pullCursor), response.headers.get(HEADERS.pullHasMore)], body: [body.cursor, body.hasMore] };
      };
      expect(await announced(0)).toEqual({ headers: ['3', 'true'], body: [3, true] });
      expect(await announced(3)).toEqual({ headers: ['5', 'false'], body: [5, false] });
      expect(await announced(5)).toEqual({ headers: ['5', 'false'], body: [5, false] });
    });

    it('keeps data and keeps counting versions across a restart on the same port', async () => {
      await push(server(), [{ table: 'households', row: household() }]);
      const before = await dataOf();
      const restarted = await ts.restart();
      expect(restarted.url).toBe(ts.url);
      expect(await dataOf()).toEqual(before);
      const result = await push(server(), [{ table: 'households', row: household() }]);
      expect(result.results[0]).toMatchObject({ status: 'applied', version: 2 });
    });

    it('gzips responses for clients that accept it', async () => {
      await push(server(), Array.from({ length: 20 }, () => ({ table: 'households', row: household() })));
      const gz = await request(server(), { path: `${PATHS.pull}?since=0`, headers: { ...authHeaders(server()), 'accept-encoding': 'gzip' } });
      expect(gz.headers.get('content-encoding')).toBe('gzip');
      const plain = await request(server(), { path: `${PATHS.pull}?since=0`, headers: { ...authHeaders(server()), 'accept-encoding': 'identity' } });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect((gz.json as { changes: unknown[] }).changes).toEqual((plain.json as { changes: unknown[] }).changes);
    });
  });

  describe('idempotent replay', () => {
    it('acknowledges a replayed batch with the stored versions and changes nothing', async () => {
      const h = household();
      const batch = [
        { table: 'households', row: h },
        { table: 'people', row: person(h.id) },
        { table: 'visits', row: visit(h.id) },
      ];
      const first = await push(server(), batch);
      const before = await dataOf();
      const replay = await push(server(), batch);
      expect(replay.results).toEqual(first.results);
      expect(await dataOf()).toEqual(before);
      expect((await pull(server(), 3)).changes).toEqual([]);
    });
  });

  describe('last-write-wins', () => {
    const older = () => household({ machineId: machineB, area: 'older' });

    it.each([
      ['older first', true],
      ['newer first', false],
    ])('the later updatedAt wins whatever the arrival order (%s)', async (_name, olderFirst) => {
      const base = older();
      const newer = { ...base, machineId: machineA, area: 'newer', updatedAt: base.updatedAt + 1000 };
      const [first, second] = olderFirst ? [base, newer] : [newer, base];
      const r1 = await push(server(), [{ table: 'households', row: first }], first.machineId);
      const r2 = await push(server(), [{ table: 'households', row: second }], second.machineId);
      expect(r1.results[0]).toMatchObject({ status: 'applied', version: 1 });
      expect(r2.results[0]).toEqual(
        olderFirst
          ? { table: 'households', id: base.id, status: 'applied', version: 2 }
          : { table: 'households', id: base.id, status: 'superseded', version: 1 },
      );
      const changes = await pullAll(server());
      expect(changes.map((c) => c.row)).toEqual([newer]);
    });

    it.each([
      ['a first', machineA, machineB],
      ['b first', machineB, machineA],
    ])('a tie on updatedAt goes to the greater machine id (%s)', async (_name, firstMachine, secondMachine) => {
      const at = stamp();
      const row = household({ updatedAt: at, createdAt: at });
      const fromA = { ...row, machineId: machineA, notes: 'from a' };
      const fromB = { ...row, machineId: machineB, notes: 'from b' };
      const byMachine = { [machineA]: fromA, [machineB]: fromB };
      await push(server(), [{ table: 'households', row: byMachine[firstMachine]! }], firstMachine);
      await push(server(), [{ table: 'households', row: byMachine[secondMachine]! }], secondMachine);
      expect((await pullAll(server())).map((c) => c.row)).toEqual([fromB]);
    });

    it('gives every applied write a fresh, higher version, so pulls from an old cursor see it', async () => {
      const h = household();
      await push(server(), [{ table: 'households', row: h }]);
      const cursor = (await pull(server())).cursor;
      const edit = { ...h, phone: '+221 555 0199', updatedAt: stamp() };
      expect((await push(server(), [{ table: 'households', row: edit }], machineB)).results[0]).toMatchObject({ version: 2 });
      expect((await pull(server(), cursor)).changes).toEqual([{ table: 'households', version: 2, row: edit }]);
    });
  });

  describe('tombstones', () => {
    it('propagates a delete like any change and counts it in the status', async () => {
      const h = household();
      const v = visit(h.id);
      await push(server(), [
        { table: 'households', row: h },
        { table: 'visits', row: v },
      ]);
      const at = stamp();
      const deleted = { ...v, deletedAt: at, updatedAt: at };
      await push(server(), [{ table: 'visits', row: deleted }]);
      expect((await pull(server(), 2)).changes).toEqual([{ table: 'visits', version: 3, row: deleted }]);

      const status = await request(server(), { path: PATHS.status, headers: authHeaders(server()) });
      expect(status.json).toMatchObject({
        version: 3,
        tables: { households: { rows: 1, deleted: 0 }, people: { rows: 0, deleted: 0 }, visits: { rows: 1, deleted: 1 } },
        storage: { engine: storageKind === 'sqlite' ? 'sqlite' : 'postgresql', schemaVersion: storageKind === 'sqlite' ? 7 : 2 },
      });
    });

    it('lets an older edit arriving after the delete lose', async () => {
      const h = household();
      await push(server(), [{ table: 'households', row: h }]);
      const at = stamp();
      await push(server(), [{ table: 'households', row: { ...h, deletedAt: at, updatedAt: at } }]);
      const staleEdit = { ...h, machineId: machineB, notes: 'edited offline', updatedAt: at - 1 };
      expect((await push(server(), [{ table: 'households', row: staleEdit }], machineB)).results[0]).toMatchObject({
        status: 'superseded',
        version: 2,
      });
      expect((await pullAll(server()))[0]!.row.deletedAt).toBe(at);
    });
  });

  describe('the machines registry', () => {
    it('records who pushed and pulled, and how much', async () => {
      await push(server(), [{ table: 'households', row: household() }, { table: 'households', row: household() }], machineA);
      await pull(server(), 0, 100, machineB);
      const status = await request(server(), { path: PATHS.status, headers: { authorization: `Bearer ${ts.apiKey}` } });
      expect(status.status).toBe(200);
      const machines = (status.json as { machines: Record<string, unknown>[] }).machines;
      expect(machines).toHaveLength(2);
      expect(machines.find((m) => m.machineId === machineA)).toMatchObject({ rowsPushed: 2, rowsPulled: 0, lastPullAt: null });
      expect(machines.find((m) => m.machineId === machineB)).toMatchObject({ rowsPushed: 0, rowsPulled: 2, lastPushAt: null });
    });
  });
});
