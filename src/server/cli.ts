import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadServerConfig } from '../config/env';
import { asStorageFault } from '../db/storage-fault';
import { startSyncServer } from './index';
import { inPlainWords, isPostgresUrl, openServerStorage } from './open-storage';
import { connectPostgres, migratePostgres } from './postgres-connection';
import { SERVER_PG_MIGRATIONS } from './postgres-storage';
import { openSqliteSyncStorage } from './sqlite-storage';

/**
 * `npm run server`: runs the sync server from env / `.env`.
 * `npm run server -- --init [--force]`: writes `.env` in the working folder with a fresh random key.
 * `npm run server -- --migrate`: migrates the database SYNC_SERVER_DB names, then exits.
 */

function init(folder: string, force: boolean): number {
  const file = path.join(folder, '.env');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const hasKey = /^\s*SYNC_API_KEY\s*=/m.test(existing);
  if (hasKey && !force) {
    console.error(`${file} already has a SYNC_API_KEY; left unchanged. Pass --force to replace it.`);
    return 1;
  }
  const line = `SYNC_API_KEY=${crypto.randomBytes(32).toString('hex')}`;
  const kept = existing.split(/\r?\n/).filter((l) => l !== '' && !/^\s*SYNC_API_KEY\s*=/.test(l));
  fs.writeFileSync(file, [...kept, line, ''].join('\n'), { mode: 0o600 });
  console.log(`wrote a new SYNC_API_KEY to ${file} (give the same key to every client)`);
  return 0;
}

function readPem(variable: string, file: string): Buffer {
  try {
    return fs.readFileSync(path.resolve(file));
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path.resolve(file)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give the path of a PEM file`);
  }
}

function loadConfig() {
  try {
    return loadServerConfig([process.cwd()]);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${error.message}\nThe sync server needs SYNC_API_KEY; run "npm run server -- --init" to create one.`);
    process.exit(1);
  }
}

/** SYNC_SERVER_DB: a PostgreSQL URL as it is, a SQLite file resolved from the working folder. */
function databaseOf(config: ReturnType<typeof loadConfig>): string {
  return isPostgresUrl(config.SYNC_SERVER_DB) ? config.SYNC_SERVER_DB : path.resolve(config.SYNC_SERVER_DB);
}

async function migrate(): Promise<void> {
  const config = loadConfig();
  const database = databaseOf(config);
  if (!isPostgresUrl(database)) {
    const storage = openSqliteSyncStorage({ file: database });
    const { schemaVersion } = storage.status().storage;
    storage.close();
    console.log(`${database}: migrated, schema ${schemaVersion}`);
    return;
  }
  const connection = connectPostgres(database, { poolSize: 1 });
  try {
    const { applied, schemaVersion } = await migratePostgres(connection, SERVER_PG_MIGRATIONS).catch((error: unknown) => {
      throw inPlainWords(error, connection.where);
    });
    console.log(`${connection.where}: ${applied === 0 ? 'already up to date' : `${applied} migration(s) applied`}, schema ${schemaVersion}`);
  } finally {
    await connection.close();
  }
}

async function serve(): Promise<void> {
  const config = loadConfig();
  const database = databaseOf(config);
  const storage = await openServerStorage(database, { poolSize: config.SYNC_SERVER_DB_POOL }).catch((error: unknown) => {
    throw asStorageFault(error, database) ?? error;
  });
  const server = await startSyncServer({
    apiKey: config.SYNC_API_KEY,
    storage,
    port: config.SYNC_SERVER_PORT,
    host: config.SYNC_SERVER_HOST,
    ...(config.SYNC_SERVER_TLS_CERT &&
      config.SYNC_SERVER_TLS_KEY && { tls: { cert: readPem('SYNC_SERVER_TLS_CERT', config.SYNC_SERVER_TLS_CERT), key: readPem('SYNC_SERVER_TLS_KEY', config.SYNC_SERVER_TLS_KEY) } }),
    connections: { maxConnections: config.SYNC_SERVER_MAX_CONNECTIONS, idleMs: config.SYNC_SERVER_IDLE_TIMEOUT_MS },
  });
  const host = config.SYNC_SERVER_HOST.includes(':') ? `[${config.SYNC_SERVER_HOST}]` : config.SYNC_SERVER_HOST;
  console.log(`listening on ${new URL(server.url).protocol}//${host}:${server.port}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const args = process.argv.slice(2);
if (args.includes('--init')) {
  process.exitCode = init(process.cwd(), args.includes('--force'));
} else if (args.includes('--migrate')) {
  migrate().catch((error: unknown) => {
    console.error('sync server migration failed:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
} else {
  serve().catch((error: unknown) => {
    console.error('sync server failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
