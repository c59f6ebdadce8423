import { conflictLog } from '../../src/db/schema';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { dirtyCount, openClient, replicatedContent, serverContent, type Client } from './clients';

let server: TestServer;
let clients: Client[];

beforeEach(async () => {
  server = await startTestServer();
  const dir = tempDir();
  clients = ['a', 'b', 'c'].map((name) => openClient({ dir, name, url: server.url, apiKey: server.apiKey }));
});
afterEach(async () => {
  for (const client of clients) await client.close();
  await server.close();
});

async function syncAll(rounds = 2) {
  for (let i = 0; i < rounds; i++) for (const client of clients) await client.engine.syncNow();
}

/** The writer syncs first, then everyone else. */
async function spreadFrom(writer: Client) {
  await writer.engine.syncNow();
  for (const client of clients) if (client !== writer) await client.engine.syncNow();
}

describe('replication between PCs through the server', () => {
  it('gives every client a distinct machine identity', () => {
    expect(new Set(clients.map((c) => c.store.machineId)).size).toBe(3);
  });

  it('a create, an update and a delete on one client reach the others', async () => {
    const [a, b, c] = clients as [Client, Client, Client];
    const household = a.store.repos.households.create({ area: 'North', headName: 'Amina' });
    const person = a.store.repos.people.create({ householdId: household.id, fullName: 'Yusuf', attributes: { languages: ['ha'] } });
    await syncAll(1);
    expect(b.store.repos.people.get(person.id)).toMatchObject({ fullName: 'Yusuf', attributes: { languages: ['ha'] }, dirty: false });
    expect(c.store.repos.households.get(household.id)).toMatchObject({ headName: 'Amina', dirty: false });

    b.store.repos.households.update(household.id, { headName: 'Amina Bello' });
    await spreadFrom(b);
    expect(a.store.repos.households.get(household.id)?.headName).toBe('Amina Bello');
    expect(c.store.repos.households.get(household.id)?.headName).toBe('Amina Bello');

    c.store.repos.households.softDelete(household.id);
    await spreadFrom(c);
    for (const client of clients) {
      expect(client.store.repos.households.get(household.id)?.deletedAt).not.toBeNull();
      expect(client.store.repos.people.get(person.id)?.deletedAt).not.toBeNull();
      expect(dirtyCount(client.store)).toBe(0);
    }
    for (const client of clients) expect(replicatedContent(client.store)).toEqual(serverContent(server.server));
  });

  it('concurrent edits resolve to the same winner everywhere and the loser is in the conflict log', async () => {
    const [a, b] = clients as [Client, Client, Client];
    const household = a.store.repos.households.create({ area: 'North', notes: 'original' });
    await syncAll(1);
    // Both edit while neither has seen the other's edit.
    const fromA = a.store.repos.households.update(household.id, { notes: 'edited on A' });
    const fromB = b.store.repos.households.update(household.id, { notes: 'edited on B' });
    const winner = fromA.updatedAt > fromB.updatedAt || (fromA.updatedAt === fromB.updatedAt && fromA.machineId > fromB.machineId) ? fromA : fromB;
    const loser = winner === fromA ? fromB : fromA;
    await syncAll();

    for (const client of clients) expect(client.store.repos.households.get(household.id)?.notes).toBe(winner.notes);
    expect((serverContent(server.server).households[0] as { notes?: string })?.notes).toBe(winner.notes);
    for (const client of clients) expect(replicatedContent(client.store)).toEqual(serverContent(server.server));

    // B synced second, so its pull met A's version while its own edit was unsent: B decided and logged.
    const logged = b.store.db.select().from(conflictLog).all();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ rowId: household.id, lostUpdatedAt: loser.updatedAt, lostMachineId: loser.machineId, wonMachineId: winner.machineId });
    expect(logged[0]?.lost).toMatchObject({ notes: loser.notes });
  });

  it('a client offline for a week pushes week-old edits and the others still receive them', async () => {
    const dir = tempDir();
    let wall = Date.now() - 7 * 24 * 3600_000;
    const offline = openClient({ dir, name: 'offline', url: server.url, apiKey: server.apiKey, wallClock: () => wall });
    clients.push(offline);
    const [a, b] = clients as [Client, Client];
    a.store.repos.households.create({ area: 'East' });
    await syncAll(1);
    const old = offline.store.repos.households.create({ area: 'West', notes: 'entered a week ago' });
    wall = Date.now();
    await offline.engine.syncNow();
    await b.engine.syncNow();
    // b had already pulled past everything stamped before today: a pull by time would skip this row.
    expect(b.store.repos.households.get(old.id)).toMatchObject({ notes: 'entered a week ago', updatedAt: old.updatedAt });
    await a.engine.syncNow();
    expect(a.store.repos.households.get(old.id)?.notes).toBe('entered a week ago');
  });
});
