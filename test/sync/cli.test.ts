import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { openLocalStore } from '../../src/db/local-store';
import { eventually } from '../support/eventually';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { serverContent } from './clients';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const CLI = [require.resolve('@swc-node/register'), path.join(ROOT, 'src/sync/cli.ts')];

let server: TestServer;
let dir: string;
let db: string;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  dir = tempDir();
  db = path.join(dir, 'client.db');
});

/** The CLI in its own process, configured only by `env` (no inherited SYNC_* variables). */
function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { SYNC_SERVER_URL: _u, SYNC_API_KEY: _k, ...rest } = process.env;
  return { ...rest, ...env };
}

async function runCli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', ...CLI, ...args], { cwd: dir, env: cliEnv(env), timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run sync', () => {
  it('--once pushes and pulls, prints a summary and exits 0', async () => {
    const store = openLocalStore({ file: db });
    const household = store.repos.households.create({ area: 'North' });
    store.repos.visits.create({ householdId: household.id, visitedAt: 1, outcome: 'completed' });
    store.close();

    const result = await runCli(['--db', db, '--once'], { SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pushed 2 \(applied 2, superseded 0, rejected 0\)/);
    expect(result.stdout).toMatch(/pulled \d+/);
    expect(result.stdout).toMatch(/pending 0/);
    expect(serverContent(server.server).visits).toHaveLength(1);
    expect(result.stdout).not.toContain(server.apiKey);
  });

  it('reads its configuration from .env beside the database', async () => {
    const fs = await import('node:fs');
    fs.writeFileSync(path.join(dir, '.env'), `SYNC_SERVER_URL=${server.url}\nSYNC_API_KEY=${server.apiKey}\n`);
    const result = await runCli(['--db', db, '--once', '--create'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pending 0/);
  });

  it('exits 1 with a clear message when the server is not configured', async () => {
    const result = await runCli(['--db', db, '--once'], { SYNC_API_KEY: server.apiKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SYNC_SERVER_URL: required to sync/);
  });

  it('exits 1 naming the variable when the key is malformed, without echoing it', async () => {
    const result = await runCli(['--db', db, '--once'], { SYNC_SERVER_URL: server.url, SYNC_API_KEY: 'secret-but-wrong' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/SYNC_API_KEY: expected 64 hexadecimal characters/);
    expect(result.stderr).not.toContain('secret-but-wrong');
  });

  it('exits 1 and says why when the server refuses the key', async () => {
    const result = await runCli(['--db', db, '--once', '--create'], { SYNC_SERVER_URL: server.url, SYNC_API_KEY: 'a'.repeat(64) });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/error: .*refused the API key/);
  });

  it('refuses a database file that does not exist unless asked to create it, and names the server it uses', async () => {
    const env = { SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey };
    const missing = await runCli(['--db', db, '--once'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`There is no database at ${db}`);
    expect(missing.stderr).toMatch(/add --create/);
    const fs = await import('node:fs');
    expect(fs.existsSync(db)).toBe(false);

    const created = await runCli(['--db', db, '--once', '--create'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`syncing ${db} with ${server.url}`);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('says why it cannot open a database, without a stack trace (a file from a newer app version)', async () => {
    const store = openLocalStore({ file: db });
    store.sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-a-newer-app', 99999999999999)").run();
    store.close();
    const result = await runCli(['--db', db, '--once'], { SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/migrated by a newer version of the app/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('without --once keeps syncing until SIGTERM, then stops cleanly', async () => {
    const child = spawn(process.execPath, ['-r', ...CLI, '--db', db, '--create'], {
      cwd: dir,
      env: cliEnv({ SYNC_SERVER_URL: server.url, SYNC_API_KEY: server.apiKey }),
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await eventually(() => out.includes('online'), { timeout: 20_000, interval: 50, what: 'the CLI to report "online"' });
    expect(out).toMatch(/online; pending 0/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('stopping');
  });
});
