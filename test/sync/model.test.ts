import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { openLocalStore } from '../../src/db/local-store';
import { pullParked, SYNCED_TABLE_NAMES, syncedTables } from '../../src/db/schema';
import { compareStamps, expandStamps, type Stamp } from '../../src/db/field-stamps';
import { stampedFields, wireRecords } from '../../src/protocol/wire';
import { toWireRow, type LocalRow } from '../../src/sync/wire-rows';
import { startTestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { dirtyCount, openClient, replicatedContent, serverContent, type Client } from './clients';
import { startFaultProxy } from './fault-proxy';

/**
 * Model-based convergence (ARCHITECTURE 6): random edits of single fields, deletes and restores on 3
 * to 5 PCs that go offline, come back, restart cleanly or hard, then heal and quiesce. Afterwards
 * every PC equals the server, and for every field of every record the server holds exactly the
 * greatest of all writes ever made to that field (per-field last-write-wins): no acknowledged value
 * is lost unless a later write of the same field overwrote it, and no conflict is between two writes
 * of one PC. SYNC_MODEL_RUNS sets the number of runs, SYNC_MODEL_SEED replays one.
 */

type Op =
  | { kind: 'create'; client: number }
  | { kind: 'visit'; client: number; pick: number }
  | { kind: 'edit'; client: number; pick: number; field: number; text: string }
  | { kind: 'delete' | 'restore'; client: number; pick: number }
  | { kind: 'offline' | 'online' | 'restart' | 'crash' | 'sync'; client: number }
  | { kind: 'server_restart' };

const client = fc.nat(4);
const pick = fc.nat(50);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('create' as const), client }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('visit' as const), client, pick }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('edit' as const), client, pick, field: fc.nat(2), text: fc.string({ maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'restore' as const), client, pick }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('offline' as const, 'online' as const), client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('restart' as const, 'crash' as const), client }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('sync' as const), client }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'server_restart' as const }) },
);
const scenarioArb = fc.record({ clients: fc.integer({ min: 3, max: 5 }), ops: fc.array(opArb, { minLength: 5, maxLength: 24 }) });

/** The fields each edit may change: a few per table, so PCs often edit the same record and field. */
const EDITED = { households: ['notes', 'headName', 'phone'], visits: ['notes', 'outcome', 'notes'] } as const;
const OUTCOMES = ['completed', 'not_home', 'refused'] as const;

function tableOf(row: Record<string, unknown>): 'households' | 'people' | 'visits' {
  return 'householdId' in row ? ('fullName' in row ? 'people' : 'visits') : 'households';
}

/** One write of one field: what the server must hold unless a later write of the field came. */
interface FieldWrite {
  value: unknown;
  stamp: Stamp;
}

/**
 * The field writes this client made since its clock read `since`, as the server will store them
 * (it normalises records, e.g. trims text).
 */
function writesSince(c: Client, since: number): { key: string; write: FieldWrite }[] {
  return SYNCED_TABLE_NAMES.filter((name) => name !== 'conflicts').flatMap((name) => {
    const table = syncedTables[name] as typeof syncedTables.households;
    return (c.store.db.select().from(table).all() as LocalRow[]).flatMap((row) => {
      const stamps = expandStamps(row, stampedFields(name), () => true);
      const wire = toWireRow(row);
      const normalised = wireRecords[tableOf(wire)].parse(wire) as Record<string, unknown>;
      return Object.entries(stamps)
        .filter(([, stamp]) => stamp.machineId === c.store.machineId && stamp.updatedAt > since)
        .map(([field, stamp]) => ({ key: `${row.id}/${field}`, write: { value: normalised[field], stamp } }));
    });
  });
}

let templateFile: string | null = null;
function template(): string {
  if (!templateFile) {
    templateFile = path.join(tempDir('blos-model-template-'), 'template.db');
    openLocalStore({ file: templateFile, osMachineId: () => 'template' }).close();
  }
  return templateFile;
}

async function runScenario(scenario: { clients: number; ops: Op[] }): Promise<void> {
  const server = await startTestServer();
  const proxy = await startFaultProxy(server.url);
  const dir = tempDir('blos-model-');
  const clients = Array.from({ length: scenario.clients }, (_, i) => {
    // A migrated empty database copied in: each run opens real files without paying for migrations.
    fs.copyFileSync(template(), path.join(dir, `pc${i}.db`));
    return openClient({ dir, name: `pc${i}`, url: proxy.url, apiKey: server.apiKey });
  });
  const offline = new Set<string>();
  let faults = 0;
  // An offline PC's requests are lost either way round: before the server sees them or after it answered.
  proxy.plan = (request) =>
    offline.has(request.machineId) ? { kind: faults++ % 2 === 0 ? 'drop_request' : 'drop_response' } : { kind: 'pass' };
  /** Every field write ever made, the greatest per record field: what the server must end up holding. */
  const winners = new Map<string, FieldWrite>();

  try {
    for (const op of scenario.ops) {
      if (op.kind === 'server_restart') {
        await server.restart();
        continue;
      }
      const c = clients[op.client % clients.length]!;
      const { repos } = c.store;
      const before = c.store.clock.peek();
      const households = () => repos.households.list({ limit: 500 }).items;
      switch (op.kind) {
        case 'create':
          repos.households.create({ area: `area-${c.name}` });
          break;
        case 'visit': {
          const h = households()[op.pick % Math.max(1, households().length)];
          if (h) repos.visits.create({ householdId: h.id, visitedAt: op.pick, outcome: 'completed' });
          break;
        }
        case 'edit': {
          const rows = [...households(), ...repos.visits.list({ limit: 500 }).items];
          const row = rows[op.pick % Math.max(1, rows.length)];
          if (row && 'area' in row) repos.households.update(row.id, { [EDITED.households[op.field % 3]!]: op.text }, c.name);
          else if (row && EDITED.visits[op.field % 3] === 'outcome') repos.visits.update(row.id, { outcome: OUTCOMES[op.text.length % 3] }, c.name);
          else if (row) repos.visits.update(row.id, { notes: op.text }, c.name);
          break;
        }
        case 'delete': {
          const h = households()[op.pick % Math.max(1, households().length)];
          if (h) repos.households.softDelete(h.id, c.name);
          break;
        }
        case 'restore': {
          const deleted = repos.households.list({ limit: 500, includeDeleted: true }).items.filter((h) => h.deletedAt !== null);
          const h = deleted[op.pick % Math.max(1, deleted.length)];
          if (h) repos.households.restore(h.id, c.name);
          break;
        }
        case 'crash':
          await c.crash();
          break;
        case 'offline':
          offline.add(c.store.machineId);
          break;
        case 'online':
          offline.delete(c.store.machineId);
          break;
        case 'restart':
          await c.reopen();
          break;
        case 'sync':
          await c.engine.syncNow();
          break;
      }
      for (const { key, write } of writesSince(c, before)) {
        const known = winners.get(key);
        if (!known || compareStamps(write.stamp, known.stamp) > 0) winners.set(key, write);
      }
    }

    // Heal and quiesce: everyone online, sync round after round until nothing moves (bounded).
    offline.clear();
    let settled = false;
    for (let round = 0; round < 8 && !settled; round++) {
      for (const c of clients) await c.engine.syncNow();
      const expected = JSON.stringify(serverContent(server.server));
      settled = clients.every((c) => dirtyCount(c.store) === 0 && JSON.stringify(replicatedContent(c.store)) === expected);
    }
    const onServer = serverContent(server.server);
    for (const c of clients) {
      expect(dirtyCount(c.store)).toBe(0);
      expect(c.store.db.select().from(pullParked).all()).toEqual([]);
      expect(replicatedContent(c.store)).toEqual(onServer);
    }
    const held = new Map<string, FieldWrite>();
    for (const table of SYNCED_TABLE_NAMES.filter((name) => name !== 'conflicts')) {
      for (const row of onServer[table]) {
        for (const [field, stamp] of Object.entries(expandStamps(row, stampedFields(table), () => true))) {
          held.set(`${row.id}/${field}`, { value: row[field], stamp });
        }
      }
    }
    expect(held).toEqual(winners);
    for (const conflict of onServer.conflicts) expect(conflict.lostMachineId).not.toBe(conflict.wonMachineId);
  } finally {
    for (const c of clients) await c.close();
    await proxy.close();
    await server.close();
  }
}

const runs = Number(process.env.SYNC_MODEL_RUNS ?? 200);
const seed = Number(process.env.SYNC_MODEL_SEED ?? Date.now() % 2 ** 31);

describe('model-based convergence', () => {
  it('pinned: text the server trims still converges (seed 341966856, path 42)', async () => {
    // The counterexample as fast-check printed it.
    await runScenario({
      clients: 4,
      ops: [
        { kind: 'create', client: 2 },
        { kind: 'restart', client: 3 },
        { kind: 'delete', client: 4, pick: 0 },
        { kind: 'sync', client: 4 },
        { kind: 'edit', client: 4, pick: 32, field: 0, text: 'bindbin' },
        { kind: 'create', client: 2 },
        { kind: 'sync', client: 1 },
        { kind: 'edit', client: 3, pick: 44, field: 0, text: '' },
        { kind: 'server_restart' },
        { kind: 'offline', client: 1 },
        { kind: 'sync', client: 0 },
        { kind: 'offline', client: 0 },
        { kind: 'visit', client: 2, pick: 46 },
        { kind: 'edit', client: 2, pick: 50, field: 0, text: ' ~;$U' },
        { kind: 'edit', client: 4, pick: 3, field: 0, text: 'BH6bagI_' },
        { kind: 'create', client: 3 },
        { kind: 'offline', client: 2 },
        { kind: 'edit', client: 0, pick: 2, field: 0, text: '=>sqfFr' },
        { kind: 'create', client: 0 },
      ] as Op[],
    });
  });

  it(`${runs} random runs of 3-5 PCs converge with every write present or superseded`, async () => {
    console.log(`model-based sync: SYNC_MODEL_SEED=${seed} SYNC_MODEL_RUNS=${runs}`);
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), { seed, numRuns: runs, endOnFailure: true });
  }, 1_200_000);
});
