import { LIMITS } from '../../protocol/wire';
import { expectError, pushBody } from '../client';
import { expectEqual, expectFields, expectThat } from '../expect';
import { edited, household, person, visit } from '../records';
import { check, type CheckGroup } from '../suite';

/** docs/sync-protocol.md sections 5 (push) and 6 (last-write-wins). */

/** Two machine IDs in string order, for ties on updatedAt. */
const LOWER_MACHINE = '1'.repeat(64);
const HIGHER_MACHINE = 'e'.repeat(64);

export const push: CheckGroup = {
  protocolVersion: 1,
  name: '5-6 Push and last-write-wins',
  checks: [
    check('a push answers one result per change, in order, echoing table and id, with increasing fresh versions', async (session) => {
      const h = household(session);
      const changes = [h, person(session, h.row.id as string), visit(session, h.row.id as string)];
      const results = await session.push(changes);
      results.forEach((result, i) => expectFields(`result ${i}`, result, { table: changes[i]!.table, id: changes[i]!.row.id, status: 'applied' }));
      const versions = results.map((r) => r.version!);
      expectThat('versions', versions.every((v, i) => Number.isSafeInteger(v) && v > 0 && (i === 0 || v > versions[i - 1]!)), 'positive and increasing in push order', versions);
      for (const [i, version] of versions.entries()) {
        const pulled = await session.changeAt(version);
        expectEqual(`change ${i} pulled back`, pulled, { table: changes[i]!.table, version, row: changes[i]!.row });
      }
    }),
    check('a replayed push is applied again with the stored versions, and nothing changes', async (session) => {
      const h = household(session);
      const first = await session.push([h]);
      const again = await session.push([h]);
      expectEqual('replay result', again, first);
      const page = await session.pull(first[0]!.version!, LIMITS.pullMax);
      expectThat('after the replay', !page.changes.some((c) => c.row.id === h.row.id), 'no new version of the row', page.changes.filter((c) => c.row.id === h.row.id));
    }),
    check('a later stamp replaces the whole row under a fresh, higher version; only the latest state is served', async (session) => {
      const h = household(session, { notes: 'first' });
      const v1 = await session.store(h);
      const later = edited(h, session, { notes: 'second', phone: '' });
      const v2 = await session.store(later);
      expectThat('version of the later write', v2 > v1, `greater than ${v1}`, v2);
      expectEqual('row served at the new version', (await session.changeAt(v2)).row, later.row);
      const page = await session.pull(v1 - 1, LIMITS.pullMax);
      const copies = page.changes.filter((c) => c.row.id === h.row.id);
      expectEqual('versions of the row served after its first', copies.map((c) => c.version), [v2]);
    }),
    check('an earlier stamp is superseded with the stored version, and nothing changes', async (session) => {
      const h = household(session);
      const later = edited(h, session, { notes: 'later' });
      const stored = await session.store(later);
      const [result] = await session.push([h]);
      expectFields('the earlier write', result, { table: 'households', id: h.row.id, status: 'superseded', version: stored });
      expectEqual('row served', (await session.changeAt(stored)).row, later.row);
    }),
    check('a tie on updatedAt is settled by machineId as strings: the greater wins', async (session) => {
      const h = household(session, { machineId: LOWER_MACHINE });
      const stored = await session.store(h);
      const winner = { table: h.table, row: { ...h.row, machineId: HIGHER_MACHINE, notes: 'higher machine' } };
      const [won] = await session.push([winner]);
      expectFields('same updatedAt, greater machineId', won, { status: 'applied' });
      expectThat('its version', won!.version! > stored, `greater than ${stored}`, won!.version);
      const [lost] = await session.push([h]);
      expectFields('same updatedAt, smaller machineId', lost, { status: 'superseded', version: won!.version });
    }),
    check('a tombstone is an ordinary write: it wins by stamp, an older edit loses to it, a later edit revives the row', async (session) => {
      const h = household(session);
      await session.store(h);
      const deletedAt = session.stamp();
      const tombstone = edited(h, session, { deletedAt, updatedAt: deletedAt });
      const vDeleted = await session.store(tombstone);
      expectFields('tombstone served', (await session.changeAt(vDeleted)).row, { deletedAt });
      const [older] = await session.push([{ table: h.table, row: { ...h.row, updatedAt: deletedAt - 1, notes: 'older edit' } }]);
      expectFields('an edit older than the delete', older, { status: 'superseded', version: vDeleted });
      const revived = edited(h, session, { deletedAt: null, notes: 'revived' });
      const vRevived = await session.store(revived);
      expectFields('row after a later edit', (await session.changeAt(vRevived)).row, { deletedAt: null, notes: 'revived' });
    }),
    check('an unknown table is rejected (exact, case-sensitive), the table echoed, the rest applied', async (session) => {
      const sibling = household(session);
      const results = await session.push([{ table: 'shops', row: { id: 'x' } }, { table: 'Households', row: household(session).row }, sibling]);
      expectFields('table "shops"', results[0], { table: 'shops', id: 'x', status: 'rejected', reason: 'unknown_table' });
      expectFields('table "Households"', results[1], { table: 'Households', status: 'rejected', reason: 'unknown_table' });
      expectThat('rejection message', typeof results[0]!.message === 'string' && results[0]!.message.length > 0, 'a message', results[0]);
      expectFields('the valid record beside them', results[2], { status: 'applied' });
    }),
    check('id is echoed when it is a string, else ""', async (session) => {
      const results = await session.push([{ table: 'households', row: { id: 5 } }, { table: 'households', row: {} }]);
      expectEqual('ids echoed', results.map((r) => r.id), ['', '']);
    }),
    check('the same table and id twice in a push: every copy rejected as duplicate_in_batch, nothing stored', async (session) => {
      const h = household(session);
      const other = household(session);
      const results = await session.push([h, { table: h.table, row: { ...h.row, notes: 'second copy' } }, other]);
      expectEqual('statuses', results.map((r) => r.reason ?? r.status), ['duplicate_in_batch', 'duplicate_in_batch', 'applied']);
      await session.expectNotStored('the duplicated record', h);
    }),
    check('a stamp more than 5 minutes ahead of the server clock is future_timestamp, naming the column', async (session) => {
      const ahead = session.serverTimeAtStart + LIMITS.futureSkewMs + 60 * 60_000;
      for (const column of ['createdAt', 'updatedAt', 'deletedAt']) {
        const [result] = await session.push([household(session, { [column]: ahead })]);
        expectFields(`${column} an hour past the allowed skew`, result, { status: 'rejected', reason: 'future_timestamp' });
        expectThat(`${column}: message`, result!.message?.includes(column) === true, `a message naming ${column}`, result!.message);
      }
      const justInside = session.serverTimeAtStart + LIMITS.futureSkewMs - 60_000;
      const [inside] = await session.push([household(session, { createdAt: justInside, updatedAt: justInside })]);
      expectFields('a stamp 4 minutes ahead', inside, { status: 'applied' });
    }),
    check('checks run in the documented order: unknown_table, duplicate_in_batch, invalid_record, future_timestamp', async (session) => {
      const ahead = session.serverTimeAtStart + LIMITS.futureSkewMs + 60 * 60_000;
      const dup = household(session, { area: 5 });
      const results = await session.push([
        { table: 'nope', row: dup.row },
        dup,
        dup,
        household(session, { area: 5, updatedAt: ahead }),
      ]);
      expectEqual('reasons', results.map((r) => r.reason), ['unknown_table', 'duplicate_in_batch', 'duplicate_in_batch', 'invalid_record']);
    }),
    check('an empty push is answered with no results', async (session) => {
      expectEqual('results', await session.push([]), []);
    }),
    check(`${LIMITS.pushRows} changes are accepted; ${LIMITS.pushRows + 1} are 422 invalid_batch and nothing is applied`, async (session) => {
      const invalid = Array.from({ length: LIMITS.pushRows - 1 }, () => ({ table: 'nope', row: {} }));
      const h = household(session);
      const results = await session.push([h, ...invalid]);
      expectEqual(`results of ${LIMITS.pushRows}`, results.length, LIMITS.pushRows);
      const next = household(session);
      const answer = await pushBody(session.target, { changes: [next, ...invalid, { table: 'nope', row: {} }] }, { machineId: session.machineId });
      expectError(`${LIMITS.pushRows + 1} changes`, answer, 422, 'invalid_batch');
      await session.expectNotStored(`the valid record among ${LIMITS.pushRows + 1}`, next);
    }),
    check('a body that is not the envelope is 422 invalid_batch, and nothing in it is applied', async (session) => {
      const h = household(session);
      const bodies: [string, unknown][] = [
        ['a list', [h]],
        ['changes missing', { change: [h] }],
        ['changes an object', { changes: { 0: h } }],
        ['a row that is a list', { changes: [h, { table: 'households', row: [1] }] }],
        ['a table that is a number', { changes: [h, { table: 5, row: {} }] }],
        ['a change without row', { changes: [h, { table: 'households' }] }],
      ];
      for (const [what, body] of bodies) expectError(what, await pushBody(session.target, body, { machineId: session.machineId }), 422, 'invalid_batch');
      await session.expectNotStored('the valid record inside', h);
    }),
    check('unknown keys of the envelope and of each change are ignored', async (session) => {
      const h = household(session);
      const answer = await pushBody(session.target, { changes: [{ ...h, note: 'x' }], batchId: 7 }, { machineId: session.machineId });
      expectEqual('status', answer.status, 200);
      expectFields('result', (answer.json as { results: unknown[] }).results[0], { id: h.row.id, status: 'applied' });
    }),
  ],
};
