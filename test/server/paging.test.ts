import type { SyncStorage } from '../../src/server';
import { startTestServer, type TestServer } from '../support/sync-server';
import { storageKinds } from '../support/test-databases';
import type { PullChange } from '../../src/protocol/wire';
import { household, machineB, pull, pullAll, push, stamp, visit, type Change } from './helpers';

describe.each(storageKinds())('with %s storage', (storageKind) => {
  let ts: TestServer<SyncStorage>;
  const server = () => ({ url: ts.url, apiKey: ts.apiKey });

  beforeAll(async () => {
    ts = await startTestServer({ storage: storageKind });
  });
  afterAll(() => ts.close());

  describe('paging while other machines push', () => {
    it('sees every row, new rows exactly once, and ends on the final state', async () => {
      const households = Array.from({ length: 3000 }, () => household());
      for (let i = 0; i < households.length; i += 1000) {
        await push(server(), households.slice(i, i + 1000).map((row) => ({ table: 'households', row })));
      }

      const newVisits: string[] = [];
      let pushing = true;
      const pusher = (async () => {
        for (let batch = 0; batch < 20; batch++) {
          const changes: Change[] = [];
          for (let i = 0; i < 100; i++) {
            const parent = households[(batch * 100 + i) % households.length]!;
            const v = visit(parent.id, { machineId: machineB });
            newVisits.push(v.id);
            changes.push({ table: 'visits', row: v });
          }
          // Edits of rows the reader may already have passed: they come back under a new version.
          for (let i = 0; i < 10; i++) {
            const edited = households[batch * 150 + i]!;
            changes.push({ table: 'households', row: { ...edited, notes: `edit ${batch}`, updatedAt: stamp(), machineId: machineB } });
          }
          await push(server(), changes, machineB);
        }
        pushing = false;
      })();

      const seen: PullChange[] = [];
      let cursor = 0;
      let pagesWhilePushing = 0;
      for (let page = 0; page < 1000; page++) {
        const wasPushing = pushing;
        const result = await pull(server(), cursor, 250);
        seen.push(...result.changes);
        if (pushing) pagesWhilePushing += 1;
        cursor = result.cursor;
        if (!result.hasMore && !wasPushing) break;
      }
      await pusher;
      // The reader really did page while writes were committing.
      expect(pagesWhilePushing).toBeGreaterThan(5);

      const versions = seen.map((c) => c.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);

      const visitIds = seen.filter((c) => c.table === 'visits').map((c) => c.row.id);
      expect(visitIds.sort()).toEqual([...newVisits].sort());

      const finalState = new Map<string, unknown>();
      for (const change of seen) finalState.set(`${change.table}/${change.row.id}`, change.row);
      const server_ = new Map((await pullAll(server())).map((c) => [`${c.table}/${c.row.id}`, c.row]));
      expect(finalState.size).toBe(5000);
      expect(finalState).toEqual(server_);
    });
  });
});
