import * as esbuild from 'esbuild';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import bundleExternals from '../../scripts/bundle-externals.json';
import workerEntries from '../../scripts/worker-entries.json';
import { openLocalStore, type LocalStore } from '../../src/db/local-store';
import { openSqliteSyncStorage } from '../../src/server';
import { eventually } from '../support/eventually';
import { searchIndexProblems } from '../support/search-index';
import { tempDir } from '../support/temp';
import { dirtyCount, replicatedContent, serverContent } from './clients';
import { seededRandom } from './seeded-random';

/**
 * The sync CLI and the sync server as real processes, killed with SIGKILL at random moments of a sync
 * (no clean shutdown, no finally blocks), with edits between kills. SYNC_KILL_SEED replays one
 * schedule of edits, victims and kill delays (the moment a process dies still depends on its speed).
 */
const REPO = path.resolve(__dirname, '../..');
const seed = Number(process.env.SYNC_KILL_SEED ?? Date.now() % 2 ** 31);
const KILLS = 12;
/** Where the sync CLI finds each database's key (the key file beside it, made on first use), as the edits here do. */
const KEY_BESIDE_FILE = { env: {} };
const MAX_ROUNDS = 60;

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The two CLIs bundled as plain JavaScript (with the sync worker beside them, as the app ships it):
 * each of the dozens of process starts here then takes a fraction of a second instead of the
 * TypeScript loader's second or more.
 */
async function bundleClis(): Promise<{ sync: string; server: string }> {
  const dist = path.join(tempDir('blos-kill-bundle-'), 'dist');
  const entries = { 'sync-cli': 'src/sync/cli.ts', 'server-cli': 'src/server/cli.ts', ...workerEntries };
  try {
    await esbuild.build({ bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent', absWorkingDir: REPO, external: bundleExternals.main, entryPoints: entries, outdir: dist });
  } finally {
    // esbuild's service process would keep the test process alive.
    await esbuild.stop();
  }
  // The bundles find node_modules and migrations/ above themselves, as the packaged app does.
  for (const shared of ['node_modules', 'migrations']) fs.symlinkSync(path.join(REPO, shared), path.join(dist, '..', shared), 'dir');
  return { sync: path.join(dist, 'sync-cli.js'), server: path.join(dist, 'server-cli.js') };
}

function runJs(file: string, args: string[], env: Record<string, string>, cwd: string): Running {
  const { SYNC_SERVER_URL: _u, SYNC_API_KEY: _k, SYNC_SERVER_DB: _d, SYNC_SERVER_PORT: _p, BLOS_DATABASE_KEY: _key, ...inherited } = process.env;
  const child = spawn(process.execPath, [file, ...args], { cwd, env: { ...inherited, ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

const alive = (running: Running) => running.child.exitCode === null && running.child.signalCode === null;

async function kill(running: Running): Promise<void> {
  running.child.kill('SIGKILL');
  await running.exited;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP pass-through in front of the server that notes each request line going by, so a kill can
 * be aimed at a moment inside an exchange (the n-th request) rather than at the CLI's start-up.
 */
async function requestWatcher(target: number) {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk) => {
      const line = /^(GET|POST) \/(\w+)\.php/.exec(chunk.toString('latin1'));
      if (line) seen.push(line[2]!);
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

/** What each household should hold in the end: the last values its PC wrote (each PC edits only its own). */
type Expected = Map<string, { area: string; notes: string; deleted: boolean }>;

/** One round of edits on a PC, in its own database: new households, edits and deletes of earlier ones. */
function edit(file: string, pc: string, round: number, rng: ReturnType<typeof seededRandom>, expected: Expected, owned: string[]): void {
  const store: LocalStore = openLocalStore({ file, key: KEY_BESIDE_FILE });
  try {
    const created = store.repos.households.batchCreate(
      Array.from({ length: rng.int(100, 500) }, (_, i) => ({ area: `${pc} ${round}.${i}`, notes: `made in round ${round}` })),
    );
    for (const row of created) {
      expected.set(row.id, { area: row.area, notes: row.notes ?? '', deleted: false });
      owned.push(row.id);
    }
    for (let i = rng.int(0, 60); i > 0; i--) {
      const id = owned[rng.int(0, owned.length - 1)]!;
      if (expected.get(id)!.deleted) continue;
      if (rng.next() < 0.15) {
        store.repos.households.softDelete(id);
        expected.get(id)!.deleted = true;
      } else {
        const notes = `edited in round ${round} (${i})`;
        store.repos.households.update(id, { notes });
        expected.get(id)!.notes = notes;
      }
    }
  } finally {
    store.close();
  }
}

describe('sync processes killed with SIGKILL', () => {
  it(`loses nothing: the server ends with exactly the clients' rows (SYNC_KILL_SEED=${seed})`, async () => {
    const rng = seededRandom(seed);
    const clis = await bundleClis();
    const dir = tempDir('blos-kills-');
    const apiKey = crypto.randomBytes(32).toString('hex');
    const port = await freePort();
    const watcher = await requestWatcher(port);
    const serverDb = path.join(dir, 'server.db');
    const serverUrl = `http://127.0.0.1:${port}`;
    const files = { a: path.join(dir, 'a.db'), b: path.join(dir, 'b.db') };
    const owned = { a: [] as string[], b: [] as string[] };
    const expected: Expected = new Map();
    const kills: string[] = [];

    let server: Running | null = null;
    const startServer = async () => {
      server = runJs(clis.server, [], { SYNC_API_KEY: apiKey, SYNC_SERVER_DB: serverDb, SYNC_SERVER_PORT: String(port) }, dir);
      const started = server;
      await eventually(() => started.output().includes('listening on') || !alive(started), { timeout: 30_000, what: 'the server to listen' });
      expect(started.output()).toContain(`listening on ${serverUrl}`);
    };
    const syncOnce = (pc: 'a' | 'b' | 'c', create = false) =>
      runJs(clis.sync, ['--db', path.join(dir, `${pc}.db`), '--once', ...(create ? ['--create'] : [])], { SYNC_SERVER_URL: `http://127.0.0.1:${watcher.port}`, SYNC_API_KEY: apiKey }, dir);

    await startServer();
    for (const pc of ['a', 'b'] as const) openLocalStore({ file: files[pc], key: KEY_BESIDE_FILE }).close();

    try {
      for (let round = 0; kills.length < KILLS && round < MAX_ROUNDS; round++) {
        const pc = rng.next() < 0.6 ? 'a' : 'b';
        edit(files[pc], pc, round, rng, expected, owned[pc]);
        const roll = rng.next();
        const victim = roll < 0.55 ? 'cli' : roll < 0.85 ? 'server' : 'both';
        // Aimed at the n-th request of this sync (after /health: a pull, then push batches), a little after it left.
        const nth = rng.int(2, 4);
        const delay = rng.int(0, 40);

        watcher.seen.length = 0;
        const cli = syncOnce(rng.next() < 0.7 ? pc : pc === 'a' ? 'b' : 'a');
        await eventually(() => watcher.seen.length >= nth || !alive(cli), { timeout: 30_000, interval: 2, what: 'the sync to reach its request' });
        await Promise.race([sleep(delay), cli.exited]);
        const during = watcher.seen[nth - 1];
        const targets = [...(victim !== 'server' ? [cli] : []), ...(victim !== 'cli' ? [server!] : [])];
        // A sync that ended before its n-th request is left alone: that round only adds edits.
        const hit = during && alive(cli) ? targets.filter(alive) : [];
        await Promise.all(hit.map(kill));
        if (hit.length > 0) kills.push(`round ${round}: ${victim} killed ${delay} ms after ${during} request ${nth}`);
        await cli.exited;
        if (!alive(server!)) await startServer();
      }
      console.log(`kill test (SYNC_KILL_SEED=${seed}): ${kills.length} kills\n${kills.join('\n')}`);
      expect(kills.length).toBeGreaterThanOrEqual(KILLS);

      // Undisturbed now: each PC pushes what it still holds and pulls the other's.
      for (const pc of ['a', 'b', 'a'] as const) {
        const cli = syncOnce(pc);
        expect({ code: await cli.exited, output: cli.output() }).toEqual({ code: 0, output: expect.stringContaining('pending 0') });
      }
      expect((await syncOnce('c', true).exited)).toBe(0);
    } finally {
      await watcher.close();
      const last = server as Running | null;
      if (last && alive(last)) await kill(last);
    }

    const storage = openSqliteSyncStorage({ file: serverDb });
    const onServer = serverContent({ storage });
    storage.close();
    const clients = (['a', 'b', 'c'] as const).map((pc) => openLocalStore({ file: path.join(dir, `${pc}.db`), key: KEY_BESIDE_FILE }));
    try {
      for (const client of clients) {
        expect(replicatedContent(client)).toEqual(onServer);
        expect(dirtyCount(client)).toBe(0);
        // Pulls killed mid-chunk left no record unsearchable and no stale document behind.
        expect(searchIndexProblems(client.sqlite)).toEqual({ missing: [], extra: [] });
      }
    } finally {
      for (const client of clients) client.close();
    }
    const ids = onServer.households.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    const found = Object.fromEntries(
      onServer.households.map((row) => [row.id, { area: row.area, notes: row.notes, deleted: row.deletedAt !== null }]),
    );
    expect(found).toEqual(Object.fromEntries(expected));
  }, 180_000);
});
