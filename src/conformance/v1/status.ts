import { PATHS } from '../../protocol/wire';
import { authorisation, expectOk, identified, pushBody, randomMachineId, send } from '../client';
import { expectEqual, expectFields, expectThat } from '../expect';
import { household } from '../records';
import type { Session } from '../session';
import { check, type CheckGroup } from '../suite';

/** docs/sync-protocol.md section 8: /status.php and when a machine counts as seen. */

interface Machine {
  machineId: string;
  firstSeenAt: number;
  lastPushAt: number | null;
  lastPullAt: number | null;
  rowsPushed: number;
  rowsPulled: number;
}

async function status(session: Session) {
  return expectOk('status', await send(session.target, { path: PATHS.status, headers: authorisation(session.target) }));
}

async function machine(session: Session, machineId: string): Promise<Machine | undefined> {
  const machines = (await status(session)).machines as Machine[];
  return machines.find((m) => m.machineId === machineId);
}

const TABLES = ['households', 'people', 'visits'];

export const statusGroup: CheckGroup = {
  protocolVersion: 1,
  name: '8 Status',
  checks: [
    check('status lists the last version, rows and tombstones per table, and the machines', async (session) => {
      const version = await session.store(household(session));
      const body = await status(session);
      expectThat('version', Number.isSafeInteger(body.version) && (body.version as number) >= version, `an integer ≥ ${version} (the last version handed out)`, body.version);
      const tables = body.tables as Record<string, { rows: number; deleted: number }>;
      for (const table of TABLES) {
        const counts = tables?.[table];
        expectThat(`tables.${table}`, Number.isSafeInteger(counts?.rows) && Number.isSafeInteger(counts?.deleted) && counts!.deleted <= counts!.rows, '{rows, deleted} with deleted ≤ rows', counts);
      }
      expectThat('machines', Array.isArray(body.machines), 'a list', body.machines);
      expectThat('serverTime', Number.isSafeInteger(body.serverTime), 'an integer', body.serverTime);
    }),
    check('a stored row and a tombstone are counted in rows and deleted', async (session) => {
      const before = (await status(session)).tables as Record<string, { rows: number; deleted: number }>;
      const at = session.stamp();
      await session.store(household(session, { deletedAt: at, updatedAt: at }));
      const after = (await status(session)).tables as Record<string, { rows: number; deleted: number }>;
      expectThat('households.rows', after.households!.rows >= before.households!.rows + 1, `at least ${before.households!.rows + 1}`, after.households!.rows);
      expectThat('households.deleted', after.households!.deleted >= before.households!.deleted + 1, `at least ${before.households!.deleted + 1}`, after.households!.deleted);
    }),
    check('a push makes its X-Machine-Id seen: lastPushAt set, rowsPushed counts rows stored (not replays or rejections)', async (session) => {
      const machineId = randomMachineId();
      const h = household(session);
      await session.push([h, household(session), { table: 'nope', row: {} }], machineId);
      await session.push([h], machineId);
      const seen = await machine(session, machineId);
      expectFields('the machine after two pushes', seen, { machineId, rowsPushed: 2, lastPullAt: null, rowsPulled: 0 });
      expectThat('its firstSeenAt and lastPushAt', Number.isSafeInteger(seen!.firstSeenAt) && seen!.lastPushAt !== null && seen!.lastPushAt >= seen!.firstSeenAt, 'integers, lastPushAt ≥ firstSeenAt', seen);
    }),
    check('a push whose records were all rejected, or that was empty, still makes the machine seen', async (session) => {
      for (const changes of [[{ table: 'nope', row: {} }], []]) {
        const machineId = randomMachineId();
        await session.push(changes, machineId);
        expectFields(`machine after a push of ${changes.length} rejected change(s)`, await machine(session, machineId), { machineId, rowsPushed: 0 });
      }
    }),
    check('a GET pull makes the machine seen: lastPullAt set, rowsPulled counts rows served', async (session) => {
      const machineId = randomMachineId();
      const version = await session.store(household(session));
      const page = await session.pull(version - 1, 1, machineId);
      const seen = await machine(session, machineId);
      expectFields('the machine after pulling one row', seen, { machineId, rowsPulled: page.changes.length, lastPushAt: null, rowsPushed: 0 });
      expectThat('its lastPullAt', seen?.lastPullAt !== null && seen!.lastPullAt! >= seen!.firstSeenAt, 'set, ≥ firstSeenAt', seen);
    }),
    check('a HEAD pull and a refused request never make a machine seen', async (session) => {
      const { target } = session;
      const viaHead = randomMachineId();
      await send(target, { method: 'HEAD', path: `${PATHS.pull}?since=0&limit=1`, headers: identified(target, viaHead) });
      const refused = randomMachineId();
      await send(target, { path: `${PATHS.pull}?since=x`, headers: identified(target, refused) });
      await pushBody(target, { changes: 'no' }, { machineId: refused });
      await pushBody(target, { changes: [] }, { machineId: refused, headers: { authorization: 'Bearer 00' } });
      expectEqual('machine after a HEAD pull', await machine(session, viaHead), undefined);
      expectEqual('machine after refused requests', await machine(session, refused), undefined);
    }),
  ],
};
