import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadClientConfig, type ClientConfig } from '../config/env';
import { openLocalStore } from '../db/local-store';
import { asStorageFault } from '../db/storage-fault';
import { SyncEngine, syncConfigFrom, type SyncReport } from './engine';
import type { SyncStatus } from './status';

/**
 * Headless sync of one local database with the configured server, for admins, scripts and tests.
 *   npm run sync -- --db FILE [--once] [--create]
 * Configuration (SYNC_SERVER_URL, SYNC_API_KEY, SYNC_PULL_INTERVAL_MS) comes from the environment,
 * then `.env` beside the database, then `.env` in the working folder. The database key comes from
 * BLOS_DATABASE_KEY or the key file beside the database (docs/encryption.md).
 */

const USAGE = 'usage: npm run sync -- --db FILE [--once] [--create]';

class UsageError extends Error {}

function parse(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' },
        once: { type: 'boolean', default: false },
        create: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
}

function summary(report: SyncReport | null, status: SyncStatus): string {
  const lines = [
    `pushed ${report?.pushed ?? 0} (applied ${report?.applied ?? 0}, superseded ${report?.superseded ?? 0}, rejected ${report?.rejected ?? 0})`,
    `pulled ${report?.pulled ?? 0} (conflicts ${report?.conflicts ?? 0}, waiting for their household ${report?.parked ?? 0})`,
    `pending ${status.pendingTotal} (${Object.entries(status.pending).map(([t, n]) => `${t} ${n}`).join(', ')})`,
    `rejected ${status.rejected.length}`,
    ...status.rejected.map((r) => `  ${r.table} ${r.id}: ${r.reason}: ${r.message}`),
  ];
  if (status.clockWarning) lines.push(`clock warning: ${status.clockWarning}`);
  if (status.lastError) lines.push(`error: ${status.lastError}`);
  return lines.join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parse(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (!args.db) throw new UsageError(`--db FILE is required\n${USAGE}`);
  const db = path.resolve(args.db);
  const config = loadClientConfig([path.dirname(db), process.cwd()], env);
  if (!config.SYNC_SERVER_URL || !config.SYNC_API_KEY) {
    throw new ConfigError([
      `${config.SYNC_SERVER_URL ? 'SYNC_API_KEY' : 'SYNC_SERVER_URL'}: required to sync (set it in the environment or in .env beside the database)`,
    ]);
  }

  // A mistyped path would otherwise become a new database that pulls every record into it.
  if (!args.create && !fs.existsSync(db)) {
    throw new UsageError(`There is no database at ${db}. Check the path, or add --create to make a new one there and pull every record into it.`);
  }
  console.log(`syncing ${db} with ${config.SYNC_SERVER_URL}`);
  try {
    return await syncWith(db, config, args.once, env);
  } catch (error) {
    throw asStorageFault(error, db) ?? error;
  }
}

async function syncWith(db: string, config: ClientConfig, once: boolean, env: NodeJS.ProcessEnv): Promise<number> {
  const store = openLocalStore({ file: db, key: { env } });
  const engine = new SyncEngine({
    store,
    config: syncConfigFrom(config),
  });
  try {
    if (once) {
      const status = await engine.syncNow();
      console.log(summary(engine.lastReport, status));
      return status.lastError ? 1 : 0;
    }
    let lastLine = '';
    engine.onStatus((status) => {
      const line = `${status.state}; pending ${status.pendingTotal}; rejected ${status.rejected.length}${status.lastError ? `; error: ${status.lastError}` : ''}`;
      if (line !== lastLine && status.state !== 'syncing') console.log(`${new Date().toISOString()} ${line}`);
      lastLine = line;
    });
    engine.start();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    console.log('stopping...');
    return 0;
  } finally {
    await engine.stop();
    store.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      // Every failure here is for a person at a terminal: its message, never a stack trace.
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
