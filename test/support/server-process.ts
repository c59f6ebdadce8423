import { spawn } from 'node:child_process';
import path from 'node:path';

/** `npm run server` in a process of its own, as in production: the multi-process test and the benches. */

const REPO = path.resolve(__dirname, '../..');
const CLI = [process.execPath, '-r', require.resolve('@swc-node/register'), path.join(REPO, 'src/server/cli.ts')];

export interface ServerProcessOptions {
  /** SYNC_SERVER_DB: a SQLite file or a postgres:// URL. */
  db: string;
  apiKey: string;
  /** The working folder (where the server would read `.env`). */
  cwd: string;
  /** More of the server's variables (SYNC_SERVER_DB_POOL, ...). */
  env?: Record<string, string>;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** SIGTERM, then waits for the exit (the server finishes requests in flight first). */
  stop(): Promise<void>;
}

/** The environment without the SYNC_* variables of the machine running the tests. */
function serverEnv(options: ServerProcessOptions): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SYNC_')));
  return { ...inherited, SYNC_API_KEY: options.apiKey, SYNC_SERVER_DB: options.db, SYNC_SERVER_PORT: '0', SYNC_SERVER_HOST: '127.0.0.1', ...options.env };
}

/** Starts one server process and resolves once it prints where it listens. */
export function spawnServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(CLI[0]!, CLI.slice(1), { cwd: options.cwd, env: serverEnv(options), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 60 s: ${output}`));
    }, 60_000);
    const onData = () => {
      const match = /listening on (https?:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        url: match[1]!,
        pid: child.pid!,
        stop: async () => {
          child.kill('SIGTERM');
          const code = await exited;
          if (code !== 0) throw new Error(`the server exited with ${code}: ${output}`);
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening: ${output}`));
    });
  });
}

/** `npm run server -- --migrate`: brings the database's schema up to date, then exits. */
export function migrateServerDatabase(options: ServerProcessOptions): Promise<void> {
  const child = spawn(CLI[0]!, [...CLI.slice(1), '--migrate'], { cwd: options.cwd, env: serverEnv(options), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`--migrate exited with ${code}: ${output}`))));
  });
}

/** Starts `count` server processes on one database, in parallel. */
export async function spawnServerProcesses(count: number, options: ServerProcessOptions): Promise<ServerProcess[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => spawnServerProcess(options)));
  const running = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(running.map((p) => p.stop()));
    throw failed.reason;
  }
  return running;
}
