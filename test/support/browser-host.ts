import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AccountPolicy } from '../../src/accounts/accounts-service';
import type { SyncEngineOptions } from '../../src/sync';
import { DEFAULT_RENDERER_DIR, startBrowserHost, type BrowserHost, type BrowserHostOptions } from '../../src/web/browser-host';
import { tempDir } from './temp';

const ROOT = path.resolve(__dirname, '../..');
/** Everything the renderer bundle is built from. */
const RENDERER_SOURCES = ['src/renderer.ts', 'src/views', 'src/web/browser-bridge.ts', 'src/web/http-protocol.ts', 'src/ipc', 'src/shared'];
const LOCK = path.join(ROOT, 'dist/.renderer-build.lock');

function newestMtime(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(target).reduce((newest, name) => Math.max(newest, newestMtime(path.join(target, name))), stat.mtimeMs);
}

function rendererIsFresh(): boolean {
  const bundle = path.join(DEFAULT_RENDERER_DIR, 'app.js');
  if (!fs.existsSync(bundle) || !fs.existsSync(path.join(DEFAULT_RENDERER_DIR, 'index.html'))) return false;
  const sources = Math.max(...RENDERER_SOURCES.map((s) => path.join(ROOT, s)).filter(fs.existsSync).map(newestMtime));
  return fs.statSync(bundle).mtimeMs >= sources;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds dist/renderer when it is missing or older than its sources. Jest runs test files in
 * parallel workers: a lock folder makes one of them build while the others wait (at most 2 minutes).
 */
export async function ensureRendererBuilt(): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!rendererIsFresh()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for the renderer build');
    fs.mkdirSync(path.dirname(LOCK), { recursive: true });
    try {
      fs.mkdirSync(LOCK);
    } catch {
      // Another worker builds; a lock left by a crashed run is stale after a minute.
      if (Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 60_000) fs.rmSync(LOCK, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', 'renderer'], { cwd: ROOT, stdio: 'pipe' });
    } finally {
      fs.rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

export interface TestHostOptions {
  /** The sync server to use (both or neither); without them sync is off. */
  serverUrl?: string;
  apiKey?: string;
  /** Default: a fresh temp folder. Reuse one to restart a client on the same database. */
  dataDir?: string;
  /** More environment (e.g. SYNC_PULL_INTERVAL_MS). The real process environment is not used. */
  env?: Record<string, string>;
  /** Default: production (bcrypt cost 12, 100 failures per hour, back-off up to 4 s). */
  accountPolicy?: Partial<AccountPolicy>;
  /** Default: quick retries so a restarted server is found within about a second. */
  sync?: Partial<Omit<SyncEngineOptions, 'store' | 'config'>>;
  /** The updater the core reports (default: updates disabled). */
  updater?: BrowserHostOptions['updater'];
}

export interface TestHost extends BrowserHost {
  dataDir: string;
}

/** The browser host on a loopback port, serving the real built renderer and a real core. */
export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  await ensureRendererBuilt();
  const dataDir = options.dataDir ?? tempDir('blos-web-');
  const env: Record<string, string> = { ...options.env };
  if (options.serverUrl) env.SYNC_SERVER_URL = options.serverUrl;
  if (options.apiKey) env.SYNC_API_KEY = options.apiKey;
  const host = await startBrowserHost({
    dataDir,
    env,
    updater: options.updater,
    testOverrides: {
      accountPolicy: options.accountPolicy,
      sync: { pushDebounceMs: 100, retryBaseMs: 100, retryMaxMs: 1000, ...options.sync },
    },
  });
  return Object.assign(host, { dataDir });
}
