import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { runNodeChild } from '../support/node-child';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';

/**
 * A sync that meets a full disk says so in the status, in the words of a storage fault (naming the
 * file, what to do), never SQLite's bare "disk I/O error" or "database or disk is full".
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  // More than the child may write: 3,000 households of about 3 KB.
  const at = Date.now() - 60_000;
  for (let batch = 0; batch < 6; batch++) {
    server.server.storage.applyPush(
      'e'.repeat(64),
      Array.from({ length: 500 }, (_, i) => ({
        table: 'households',
        row: { id: uuidv7(), createdAt: at, updatedAt: at + batch * 500 + i, machineId: 'e'.repeat(64), deletedAt: null, area: 'North', notes: 'n'.repeat(3000) },
      })),
    );
  }
});
afterAll(() => server.close());

it('a pull that fills the disk leaves a status that names the file and says what to do', async () => {
  const dir = tempDir('blos-sync-full-');
  const file = path.join(dir, 'blos.db');
  const result = await runNodeChild(
    `
    const { openLocalStore } = require('./src/db/local-store');
    const { SyncEngine } = require('./src/sync');
    (async () => {
      const store = openLocalStore({ file: ${JSON.stringify(file)}, key: { env: {} } });
      const engine = new SyncEngine({ store, config: { serverUrl: ${JSON.stringify(server.url)}, apiKey: ${JSON.stringify(server.apiKey)}, pullIntervalMs: 600000 } });
      const status = await engine.syncNow();
      console.log('status: ' + status.lastError);
      await engine.stop();
      try { store.close(); } catch (error) { console.log('closed: ' + error.message); }
    })();`,
    { fileSizeLimitKb: 2048 },
  );
  expect(result.stderr).not.toMatch(/Unhandled|uncaught/i);
  const status = result.stdout.match(/^status: (.*)$/m)?.[1];
  expect(status).toMatch(new RegExp(`writing to ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} failed .*The disk may be full`));
}, 120_000);
