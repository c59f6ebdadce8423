import { LIMITS } from '../../src/protocol/wire';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { openClient, serverContent, type Client } from './clients';

const DAY = 24 * 3600_000;
let serverNow: number;
let server: TestServer;
let ahead: Client;
let aheadWall: number;

beforeEach(async () => {
  serverNow = Date.now();
  aheadWall = serverNow;
  server = await startTestServer({ now: () => serverNow });
  ahead = openClient({ dir: tempDir(), name: 'ahead', url: server.url, apiKey: server.apiKey, wallClock: () => aheadWall });
});
afterEach(async () => {
  await ahead.close();
  await server.close();
});

describe('a PC whose clock runs a day ahead', () => {
  it('has its future stamps refused per record with a clock warning; they stay queued and sync once the clocks agree', async () => {
    const onTime = ahead.store.repos.households.create({ area: 'North', notes: 'stamped on time' });
    aheadWall = serverNow + DAY;
    const future = ahead.store.repos.households.create({ area: 'North', notes: 'stamped a day ahead' });

    const refused = await ahead.engine.syncNow();
    expect(refused.lastError).toBeNull();
    expect(refused.rejected).toEqual([expect.objectContaining({ table: 'households', id: future.id, reason: 'future_timestamp' })]);
    expect(refused.clockWarning).toMatch(/clock seems to be ahead/);
    expect(refused.pendingTotal).toBe(1);
    // Refused per record: the record stamped on time went through in the same push.
    expect(serverContent(server.server).households.map((h) => h.id)).toEqual([onTime.id]);

    // Still refused on the next exchange, without any busy retry in between.
    const again = await ahead.engine.syncNow();
    expect(again.rejected).toHaveLength(1);
    expect(again.pendingTotal).toBe(1);

    // The clocks agree again (the server's has reached the stamps).
    serverNow += DAY + LIMITS.futureSkewMs;
    aheadWall = serverNow;
    const fixed = await ahead.engine.syncNow();
    expect(fixed.rejected).toEqual([]);
    expect(fixed.clockWarning).toBeNull();
    expect(fixed.pendingTotal).toBe(0);
    expect(serverContent(server.server).households.map((h) => h.id).sort()).toEqual([onTime.id, future.id].sort());
  });

  it('warns when the clock runs far behind the newest change this PC has seen', async () => {
    const wall = Date.now();
    const behind = openClient({ dir: tempDir(), name: 'behind', url: server.url, apiKey: server.apiKey, wallClock: () => wall - DAY });
    ahead.store.repos.households.create({ area: 'North' });
    await ahead.engine.syncNow();
    const status = await behind.engine.syncNow();
    expect(status.clockWarning).toMatch(/behind the newest change/);
    // Its next edit is still stamped after everything it has seen.
    const edit = behind.store.repos.households.create({ area: 'South' });
    expect(edit.updatedAt).toBeGreaterThan(serverContent(server.server).households[0]!.updatedAt);
    await behind.close();
  });
});
