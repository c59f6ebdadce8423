import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startSyncServer } from '../../src/server';
import { PATHS } from '../../src/protocol/wire';
import { tempDir } from '../support/temp';
import { authHeaders, dump, household, machineA } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'src/server/cli.ts');
const REGISTER = require.resolve('@swc-node/register', { paths: [ROOT] });
const KEY = 'ab'.repeat(32);

/** The environment without any SYNC_* variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNC_')));
  return { ...env, ...extra };
}

function runCli(args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(process.execPath, ['-r', REGISTER, CLI, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { exited: Promise<Exit> } {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<Exit>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { exited };
}

async function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; got: ${seen}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      seen += d;
      const match = seen.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before printing ${pattern}; got: ${seen}`));
    });
  });
}

describe('npm run server', () => {
  it('prints where it listens, serves, and exits 0 on SIGTERM', async () => {
    const dir = tempDir('blos-server-cli-');
    const child = runCli([], { SYNC_API_KEY: KEY, SYNC_SERVER_PORT: '0', SYNC_SERVER_DB: path.join(dir, 'db', 'server.db') }, dir);
    const { exited } = collect(child);
    const [line, url] = await waitForLine(child, /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m);
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const health = await fetch(`${url}${PATHS.health}`);
    expect(await health.json()).toMatchObject({ ok: true, protocolVersion: 2 });
    const status = await fetch(`${url}${PATHS.status}`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(status.status).toBe(200);

    child.kill('SIGTERM');
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(exit.stdout + exit.stderr).not.toContain(KEY);
    expect(fs.existsSync(path.join(dir, 'db', 'server.db'))).toBe(true);
  });

  it.each([
    ['without a key', {}],
    ['with a malformed key', { SYNC_API_KEY: 'not-a-real-secret-value' }],
  ])('refuses to start %s: exit 1, names SYNC_API_KEY, never echoes it', async (_name, env: Record<string, string>) => {
    const dir = tempDir('blos-server-cli-');
    const exit = await collect(runCli([], { ...env, SYNC_SERVER_PORT: '0' }, dir)).exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('SYNC_API_KEY');
    expect(exit.stderr).toContain('--init');
    expect(exit.stderr + exit.stdout).not.toContain('not-a-real-secret-value');
    expect(exit.stdout).not.toMatch(/listening on/);
  });

  it('--init writes .env with a fresh key, refuses to overwrite it, and replaces it with --force', async () => {
    const dir = tempDir('blos-server-cli-');
    fs.writeFileSync(path.join(dir, '.env'), 'SYNC_SERVER_PORT=9999\n');
    const first = await collect(runCli(['--init'], {}, dir)).exited;
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(path.join(dir, '.env'));
    const written = fs.readFileSync(path.join(dir, '.env'), 'utf8');
    const key = written.match(/^SYNC_API_KEY=([0-9a-f]{64})$/m)?.[1];
    expect(key).toBeDefined();
    expect(written).toContain('SYNC_SERVER_PORT=9999');
    expect(first.stdout).not.toContain(key);

    const again = await collect(runCli(['--init'], {}, dir)).exited;
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--force/);
    expect(fs.readFileSync(path.join(dir, '.env'), 'utf8')).toBe(written);

    const forced = await collect(runCli(['--init', '--force'], {}, dir)).exited;
    expect(forced.code).toBe(0);
    const replaced = fs.readFileSync(path.join(dir, '.env'), 'utf8');
    expect(replaced.match(/^SYNC_API_KEY=([0-9a-f]{64})$/m)?.[1]).not.toBe(key);
    expect(replaced.match(/SYNC_API_KEY/g)).toHaveLength(1);
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, then closes the database', async () => {
    const dbFile = path.join(tempDir('blos-server-close-'), 'server.db');
    const server = await startSyncServer({ apiKey: KEY, dbFile });
    const body = Buffer.from(JSON.stringify({ changes: [{ table: 'households', row: household() }] }));
    let sendRest!: () => void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(body.subarray(0, 10)));
        sendRest = () => {
          controller.enqueue(new Uint8Array(body.subarray(10)));
          controller.close();
        };
      },
    });
    const inFlight = fetch(`${server.url}${PATHS.push}`, {
      method: 'POST',
      headers: { ...authHeaders({ url: server.url, apiKey: KEY }, machineA), 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 200));

    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    // New connections are refused while the old request finishes.
    await expect(fetch(`${server.url}${PATHS.health}`)).rejects.toThrow();

    sendRest();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).results[0]).toMatchObject({ status: 'applied', version: 1 });
    await closing;
    expect(() => server.storage.status()).toThrow(/not open/);
    expect(dump(dbFile).tables.households).toHaveLength(1);
  });
});
