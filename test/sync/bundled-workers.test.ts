import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import bundleExternals from '../../scripts/bundle-externals.json';
import { HybridClock } from '../../src/db/clock';
import { newDatabaseKey } from '../../src/db/encryption';
import { openLocalStore } from '../../src/db/local-store';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';

/**
 * The sync worker as the app ships it: bundled by esbuild as entries of their own beside
 * dist/main.js (scripts/worker-entries.json), started as plain JavaScript from the code bundled into
 * main.js, with no TypeScript loader anywhere.
 */
const repo = path.resolve(__dirname, '../..');
const workerEntries = JSON.parse(fs.readFileSync(path.join(repo, 'scripts/worker-entries.json'), 'utf8')) as Record<string, string>;

interface BundledMain {
  pullInWorker: typeof import('../../src/sync/sync-thread').pullInWorker;
  pushInWorker: typeof import('../../src/sync/sync-thread').pushInWorker;
}

async function bundle(): Promise<BundledMain> {
  const dist = path.join(tempDir('blos-bundled-workers-'), 'dist');
  const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', logLevel: 'silent', absWorkingDir: repo } as const;
  const external = bundleExternals.main;
  await esbuild.build({
    ...common,
    external,
    stdin: {
      contents: "export { pullInWorker, pushInWorker } from './src/sync/sync-thread';",
      resolveDir: repo,
      loader: 'ts',
    },
    outfile: path.join(dist, 'main.js'),
  });
  await esbuild.build({ ...common, external, entryPoints: workerEntries, outdir: dist });
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dist, '..', 'node_modules'), 'dir');
  return require(path.join(dist, 'main.js')) as BundledMain;
}

let main: BundledMain;
let server: TestServer;
beforeAll(async () => {
  main = await bundle();
  server = await startTestServer();
});
afterAll(() => server.close());

describe('the bundled sync worker', () => {
  it('fetches, decodes and applies a pull into the database', async () => {
    const changes = Array.from({ length: 30 }, (_, i) => ({
      table: 'households',
      row: { id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`, area: `Area ${i}`, createdAt: 1, updatedAt: 100 + i, machineId: 'e'.repeat(64), deletedAt: null },
    }));
    server.server.storage.applyPush('e'.repeat(64), changes);
    const file = path.join(tempDir(), 'app.db');
    // Encrypted, as the app's database is: the bundled worker opens it with the key it is given.
    const store = openLocalStore({ file, key: newDatabaseKey() });
    try {
      const clock = new HybridClock(() => 0);
      const request = { file, key: store.key!.toString('hex'), server: { serverUrl: server.url, apiKey: server.apiKey }, machineId: store.machineId, pageSize: 20, applyRows: 10 };
      expect(await main.pullInWorker(request, clock, new AbortController().signal)).toEqual({ received: 30, applied: 30, conflicts: 0, parked: 0 });
      expect(store.sqlite.prepare('SELECT count(*) FROM households').pluck().get()).toBe(30);
      expect(store.sqlite.prepare('SELECT pull_cursor FROM sync_state').pluck().get()).toBe(30);
      expect(clock.peek()).toBe(129);
    } finally {
      store.close();
    }
  });

  it('reads, sends and acknowledges the dirty rows of the database', async () => {
    const file = path.join(tempDir(), 'app.db');
    const store = openLocalStore({ file, key: newDatabaseKey() });
    try {
      const created = store.repos.households.batchCreate(Array.from({ length: 12 }, (_, i) => ({ area: `Pushed ${i}` })));
      const request = { file, key: store.key!.toString('hex'), server: { serverUrl: server.url, apiKey: server.apiKey }, machineId: store.machineId, limits: { maxRows: 5, maxBytes: 1024 * 1024 } };
      expect(await main.pushInWorker(request, new AbortController().signal)).toEqual({ applied: 12, superseded: 0, rejected: 0, sent: 12 });
      expect(store.sqlite.prepare('SELECT count(*) FROM households WHERE dirty').pluck().get()).toBe(0);
      const page = await server.server.storage.pull(0, 1000);
      const onServer = (JSON.parse(page.changes.toString('utf8')) as { row: { id: string } }[]).map((c) => c.row.id);
      expect(onServer).toEqual(expect.arrayContaining(created.map((h) => h.id)));
    } finally {
      store.close();
    }
  });
});
