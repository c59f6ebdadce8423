import { HEADERS, LIMITS, PATHS } from '../../protocol/wire';
import { expectError, expectOk, identified, pushBody, randomMachineId, send } from '../client';
import { CheckFailure, expectEqual, expectFields, expectThat, show } from '../expect';
import { household } from '../records';
import type { Change, PulledChange, Result, Session } from '../session';
import { check, type CheckGroup } from '../suite';

/** docs/sync-protocol.md version 2: sections 4 (stamps, schema versions), 5.1 (base), 6 and 14. */

const V2 = { [HEADERS.protocolVersion]: '2', [HEADERS.schemaVersion]: '1' };
type Stamp = { updatedAt: number; machineId: string; updatedBy: string };
interface V2Change extends Change {
  base?: Record<string, Stamp>;
}

async function push(session: Session, changes: V2Change[], machineId: string): Promise<Result[]> {
  const body = expectOk('v2 push', await pushBody(session.target, { changes }, { machineId, headers: V2 }));
  const results = body.results as Result[] | undefined;
  expectThat('v2 push results', Array.isArray(results) && results.length === changes.length, `${changes.length} results`, body);
  return results!;
}

/** Every change served after `since` in version 2, page by page. */
async function pullAfter(session: Session, since: number): Promise<PulledChange[]> {
  const all: PulledChange[] = [];
  for (let page = 0; page < 100; page++) {
    const answer = await send(session.target, { path: `${PATHS.pull}?since=${since}&limit=${LIMITS.pullMax}`, headers: { ...identified(session.target, session.machineId), ...V2 } });
    const body = expectOk(`v2 pull since=${since}`, answer) as { changes: PulledChange[]; cursor: number; hasMore: boolean };
    all.push(...body.changes);
    if (!body.hasMore) return all;
    since = body.cursor;
  }
  throw new CheckFailure('v2 pull', 'the last page within 100 pages', 'more');
}

/** The row of `id` in `table` as version 2 serves it now. */
async function served(session: Session, table: string, id: unknown, since: number): Promise<Record<string, unknown>> {
  const rows = (await pullAfter(session, since)).filter((c) => c.table === table && c.row.id === id);
  if (rows.length !== 1) throw new CheckFailure(`${table} ${show(id)} pulled in version 2`, 'served exactly once', show(rows));
  return rows[0]!.row;
}

/** A machine's view of a record it pulled: the stamp of its fields. */
const stampOf = (row: Record<string, unknown>): Stamp => ({
  updatedAt: row.updatedAt as number,
  machineId: row.machineId as string,
  updatedBy: (row.updatedBy as string) ?? '',
});

/** A stored household both machines have seen, and where to pull from to find what follows it. */
async function sharedHousehold(session: Session) {
  const first = household(session, { updatedBy: 'amina', fieldStamps: {}, headName: 'Awa', phone: '100' });
  const [created] = await push(session, [first], session.machineId);
  expectFields('the first write', created, { status: 'applied' });
  return { first, since: created!.version! - 1 };
}

export const merge: CheckGroup = {
  protocolVersion: 2,
  name: '4, 5.1, 6 Per-field stamps, merge and conflicts',
  checks: [
    check('the health probe names the protocol versions and the record schema the server speaks', async (session) => {
      const body = expectOk('health', await send(session.target, { path: PATHS.health }));
      expectThat('protocolVersions', Array.isArray(body.protocolVersions) && (body.protocolVersions as unknown[]).includes(2) && (body.protocolVersions as unknown[]).includes(1), 'a list holding 1 and 2', body.protocolVersions);
      expectThat('schemaVersion', Number.isSafeInteger(body.schemaVersion) && (body.schemaVersion as number) >= 1, 'an integer >= 1', body.schemaVersion);
    }),
    check('a v2 record round-trips with its account and the stamps of fields written at another moment', async (session) => {
      const at = session.stamp();
      const earlier = { updatedAt: at - 5, machineId: randomMachineId(), updatedBy: 'bintou' };
      const h = household(session, { updatedAt: at, updatedBy: 'amina', fieldStamps: { area: earlier } });
      const [result] = await push(session, [h], session.machineId);
      expectEqual('row served in version 2', await served(session, 'households', h.row.id, result!.version! - 1), h.row);
    }),
    check('two machines that changed different fields of one record both keep their change', async (session) => {
      const { first, since } = await sharedHousehold(session);
      const seen = stampOf(first.row);
      const other = randomMachineId();
      const fromA = { ...first.row, updatedAt: session.stamp(), headName: 'Awa Diallo', phone: '200', fieldStamps: { area: seen, address: seen, geoLat: seen, geoLng: seen, notes: seen, enteredBy: seen, deletedAt: seen } };
      const fromB = { ...first.row, machineId: other, updatedBy: 'bintou', updatedAt: session.stamp(), headName: 'Aminata', fieldStamps: { area: seen, address: seen, phone: seen, geoLat: seen, geoLng: seen, notes: seen, enteredBy: seen, deletedAt: seen } };
      await push(session, [{ table: 'households', row: fromA, base: { headName: seen, phone: seen } }], session.machineId);
      await push(session, [{ table: 'households', row: fromB, base: { headName: seen } }], other);
      expectFields('merged record', await served(session, 'households', first.row.id, since), { headName: 'Aminata', phone: '200' });
    }),
    check('a concurrent edit of one field is recorded as a conflict naming both values, machines and accounts', async (session) => {
      const { first, since } = await sharedHousehold(session);
      const seen = stampOf(first.row);
      const other = randomMachineId();
      const mine = { ...first.row, updatedAt: session.stamp(), updatedBy: 'amina', notes: 'mine', fieldStamps: {} as Record<string, Stamp> };
      const theirs = { ...first.row, machineId: other, updatedBy: 'bintou', updatedAt: session.stamp(), notes: 'theirs' };
      for (const key of ['area', 'address', 'headName', 'phone', 'geoLat', 'geoLng', 'enteredBy', 'deletedAt']) mine.fieldStamps[key] = seen;
      const theirStamps = { ...mine.fieldStamps };
      await push(session, [{ table: 'households', row: mine, base: { notes: seen } }], session.machineId);
      const [result] = await push(session, [{ table: 'households', row: { ...theirs, fieldStamps: theirStamps }, base: { notes: seen } }], other);
      expectFields('the later write', result, { status: 'applied' });
      const pulled = await pullAfter(session, since);
      const record = pulled.filter((c) => c.table === 'households' && c.row.id === first.row.id);
      // The version answered is the record's, not that of the conflict recorded with it (section 5).
      expectEqual("the later write's version", result!.version, record[0]?.version);
      const conflicts = pulled.filter((c) => c.table === 'conflicts' && c.row.recordId === first.row.id);
      expectThat('conflicts served', conflicts.length === 1, 'one conflicts record for the record', conflicts);
      expectFields('the conflict', conflicts[0]!.row, {
        recordTable: 'households',
        field: 'notes',
        lostValue: 'mine',
        lostMachineId: session.machineId,
        lostBy: 'amina',
        lostAt: mine.updatedAt,
        wonValue: 'theirs',
        wonMachineId: other,
        wonBy: 'bintou',
        wonAt: theirs.updatedAt,
        deletedAt: null,
      });
    }),
    check('an edit made after seeing the stored value is no conflict, and neither are two writes of one machine', async (session) => {
      const { first, since } = await sharedHousehold(session);
      const other = randomMachineId();
      const later = { ...first.row, machineId: other, updatedBy: 'bintou', updatedAt: session.stamp(), notes: 'after seeing it' };
      await push(session, [{ table: 'households', row: later, base: { notes: stampOf(first.row) } }], other);
      const again = { ...later, updatedAt: session.stamp(), notes: 'again' };
      await push(session, [{ table: 'households', row: again, base: { notes: { updatedAt: 1, machineId: other, updatedBy: '' } } }], other);
      const conflicts = (await pullAfter(session, since)).filter((c) => c.table === 'conflicts' && c.row.recordId === first.row.id);
      expectEqual('conflicts recorded', conflicts, []);
    }),
    check('a field a pushed record leaves out stays as stored', async (session) => {
      const { first, since } = await sharedHousehold(session);
      const { phone: _left, ...withoutPhone } = first.row;
      await push(session, [{ table: 'households', row: { ...withoutPhone, updatedAt: session.stamp(), notes: 'edited' } }], session.machineId);
      expectFields('record', await served(session, 'households', first.row.id, since), { phone: '100', notes: 'edited' });
    }),
    check('a later edit of another field does not bring a deleted record back, and is kept in the tombstone', async (session) => {
      const { first, since } = await sharedHousehold(session);
      const seen = stampOf(first.row);
      const deletedAt = session.stamp();
      const deleter = randomMachineId();
      await push(session, [{ table: 'households', row: { ...first.row, machineId: deleter, updatedAt: deletedAt, deletedAt, fieldStamps: Object.fromEntries(['area', 'address', 'headName', 'phone', 'geoLat', 'geoLng', 'notes', 'enteredBy'].map((k) => [k, seen])) }, base: { deletedAt: seen } }], deleter);
      await push(session, [{ table: 'households', row: { ...first.row, updatedAt: session.stamp(), notes: 'edited', fieldStamps: Object.fromEntries(['area', 'address', 'headName', 'phone', 'geoLat', 'geoLng', 'enteredBy', 'deletedAt'].map((k) => [k, seen])) }, base: { notes: seen } }], session.machineId);
      expectFields('record', await served(session, 'households', first.row.id, since), { deletedAt, notes: 'edited' });
      const told = (await pullAfter(session, since)).filter((c) => c.table === 'conflicts' && c.row.recordId === first.row.id);
      expectThat('the editor is told', told.length === 1 && told[0]!.row.field === 'deletedAt' && told[0]!.row.lostMachineId === session.machineId, 'one conflict on deletedAt lost by the editor', told);
    }),
    check('a field stamp later than the record\u2019s own stamp makes the record invalid', async (session) => {
      const h = household(session);
      const stamp = h.row.updatedAt as number;
      const [result] = await push(session, [{ table: 'households', row: { ...h.row, fieldStamps: { notes: { updatedAt: stamp + 1, machineId: session.machineId, updatedBy: '' } } } }], session.machineId);
      expectFields('result', result, { status: 'rejected', reason: 'invalid_record' });
    }),
    check('a push from a client of a newer record schema is refused with 409 schema_ahead, and nothing is stored', async (session) => {
      const h = household(session);
      const answer = await pushBody(session.target, { changes: [h] }, { machineId: session.machineId, headers: { ...V2, [HEADERS.schemaVersion]: '999999' } });
      expectError('push with X-Schema-Version 999999', answer, 409, 'schema_ahead');
      await session.expectNotStored('after the refused push', h);
    }),
    check('a version 1 pull serves the record tables only, without v2 keys', async (session) => {
      const { first, since } = await sharedHousehold(session);
      const page = await session.pull(since, LIMITS.pullMax);
      const row = page.changes.find((c) => c.row.id === first.row.id)?.row;
      expectThat('v1 row', row !== undefined && !('updatedBy' in row) && !('fieldStamps' in row), 'the record without updatedBy and fieldStamps', row);
      expectThat('v1 tables', page.changes.every((c) => c.table !== 'conflicts'), 'no conflicts records', page.changes.map((c) => c.table));
    }),
  ],
};
