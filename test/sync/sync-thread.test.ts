import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { spawnServerProcess, type ServerProcess } from '../support/server-process';
import { tempDir } from '../support/temp';
import { dirtyCount, openClient } from './clients';

const repo = path.resolve(__dirname, '../..');

describe('the sync worker', () => {
  it('keeps the process alive while it loads, and lets it exit once idle', async () => {
    // A CLI that starts the worker early must not end before it has loaded, nor hang after.
    const script = "require('./src/sync/sync-thread').prepareSyncWorker().then(() => console.log('loaded'))";
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', require.resolve('@swc-node/register'), '-e', script], { cwd: repo, timeout: 30_000 });
    expect(stdout.trim()).toBe('loaded');
  });

  describe('with the server in a process of its own', () => {
    let server: ServerProcess;
    const apiKey = crypto.randomBytes(32).toString('hex');
    beforeAll(async () => {
      const dir = tempDir();
      server = await spawnServerProcess({ db: path.join(dir, 'server.db'), apiKey, cwd: dir });
    });
    afterAll(() => server.stop());

    it('pushes while the main thread is busy: reading, sending and acknowledging batches needs none of its time', async () => {
      const client = openClient({ dir: tempDir(), name: 'busy', url: server.url, apiKey, engine: { batchLimits: { maxRows: 20, maxBytes: 1024 * 1024 } } });
      try {
        client.store.repos.households.batchCreate(Array.from({ length: 2_000 }, (_, i) => ({ area: `Area ${i}` })));
        const sync = client.engine.syncNow();
        // Wait for the first batch's answers to be recorded...
        while (dirtyCount(client.store) === 2_000) await new Promise((resolve) => setImmediate(resolve));
        // ...then hold the main thread, as a long render would: the other 99 batches go on without it.
        const heldUntil = Date.now() + 20_000;
        while (dirtyCount(client.store) > 0 && Date.now() < heldUntil) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        expect(dirtyCount(client.store)).toBe(0);
        expect((await sync).lastError).toBeNull();
        expect(client.engine.lastReport).toMatchObject({ pushed: 2_000, applied: 2_000 });
      } finally {
        await client.close();
      }
    });

    it("records a push's answers while the app keeps writing: each batch waits its turn at the write lock", async () => {
      const client = openClient({ dir: tempDir(), name: 'writing', url: server.url, apiKey, engine: { batchLimits: { maxRows: 20, maxBytes: 1024 * 1024 } } });
      const writes = setInterval(() => client.store.repos.households.create({ area: 'Entered meanwhile' }), 1);
      try {
        client.store.repos.households.batchCreate(Array.from({ length: 2_000 }, (_, i) => ({ area: `Area ${i}` })));
        const status = await client.engine.syncNow();
        clearInterval(writes);
        expect(status.lastError).toBeNull();
        expect(client.engine.lastReport?.applied).toBeGreaterThanOrEqual(2_000);
      } finally {
        clearInterval(writes);
        await client.close();
      }
    });
  });
});
