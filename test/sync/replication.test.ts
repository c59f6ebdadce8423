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

  it('two PCs that edit different fields of one record both keep their edits; the same field goes to the later edit, and only its loser is told', async () => {
    const [a, b] = clients as [Client, Client, Client];
    const household = a.store.repos.households.create({ area: 'North', headName: 'Amina', phone: '100' }, 'amina');
    await syncAll(1);
    // Offline, A changes the head and the phone; later B, which never saw A's edit, changes the head.
    const fromA = a.store.repos.households.update(household.id, { headName: 'Amina Diallo', phone: '200' }, 'amina');
    const fromB = b.store.repos.households.update(household.id, { headName: 'Aminata Diallo' }, 'bintou');
    expect(fromB.updatedAt).toBeGreaterThan(fromA.updatedAt);
    await syncAll();

    for (const client of clients) {
      expect(client.store.repos.households.get(household.id)).toMatchObject({ headName: 'Aminata Diallo', phone: '200' });
      expect(replicatedContent(client.store)).toEqual(serverContent(server.server));
    }
    const conflicts = replicatedContent(a.store).conflicts;
    expect(conflicts).toEqual([
      expect.objectContaining({
        recordTable: 'households',
        recordId: household.id,
        field: 'headName',
        lostValue: 'Amina Diallo',
        lostBy: 'amina',
        lostMachineId: a.store.machineId,
        lostAt: fromA.updatedAt,
        wonValue: 'Aminata Diallo',
        wonBy: 'bintou',
        wonMachineId: b.store.machineId,
        wonAt: fromB.updatedAt,
        deletedAt: null,
      }),
    ]);
  });

  it("a PC's own earlier version coming back is never a conflict", async () => {
    const [a] = clients as [Client, Client, Client];
    const household = a.store.repos.households.create({ area: 'North' });
    await a.engine.syncNow();
    a.store.repos.households.update(household.id, { notes: 'first' });
    await a.engine.syncNow();
    a.store.repos.households.update(household.id, { notes: 'second' });
    await syncAll();
    for (const client of clients) expect(replicatedContent(client.store).conflicts).toEqual([]);
    expect(serverContent(server.server).conflicts).toEqual([]);
  });

  it('an edit made while another PC deleted the record stays in the tombstone, its author is told, and keeping it restores the record', async () => {
    const [a, b, c] = clients as [Client, Client, Client];
    const household = a.store.repos.households.create({ area: 'North', notes: 'original' });
    const person = a.store.repos.people.create({ householdId: household.id, fullName: 'Yusuf' });
    await syncAll(1);
    b.store.repos.households.softDelete(household.id, 'bintou');
    a.store.repos.households.update(household.id, { notes: 'edited while B deleted it' }, 'amina');
    await b.engine.syncNow();
    await syncAll();

    for (const client of clients) {
      expect(client.store.repos.households.get(household.id)).toMatchObject({ notes: 'edited while B deleted it', deletedAt: expect.any(Number) });
      expect(replicatedContent(client.store)).toEqual(serverContent(server.server));
    }
    const [told] = replicatedContent(c.store).conflicts;
    expect(told).toMatchObject({ field: 'deletedAt', recordId: household.id, lostBy: 'amina', lostValue: null, wonBy: 'bintou' });

    a.store.repos.households.restore(household.id, 'amina');
    a.store.repos.conflicts.softDelete(told!.id, 'amina');
    await syncAll();
    for (const client of clients) {
      expect(client.store.repos.households.get(household.id)).toMatchObject({ deletedAt: null, notes: 'edited while B deleted it' });
      expect(client.store.repos.people.get(person.id)?.deletedAt).toBeNull();
      expect(replicatedContent(client.store).conflicts.every((conflict) => conflict.deletedAt !== null)).toBe(true);
    }
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
