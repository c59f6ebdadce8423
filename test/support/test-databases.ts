import crypto from 'node:crypto';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { openSqlite } from '../../src/db/connection';
import { SYNCED_TABLE_NAMES } from '../../src/db/schema';
import { connectPostgres, migratePostgres, type PgConnection, type PgQueryable } from '../../src/server/postgres-connection';
import { PostgresSyncStorage, SERVER_PG_MIGRATIONS } from '../../src/server/postgres-storage';
import { openSqliteSyncStorage } from '../../src/server/sqlite-storage';
import type { SyncStorage } from '../../src/server/storage';
import { testDatabaseUrl } from './postgres';
import { tempDir } from './temp';

/**
 * The databases the sync server's suites run against: SQLite; the PostgreSQL storage on PGlite
 * (PostgreSQL compiled to WebAssembly, in process: no server needed); and, when
 * BLOS_TEST_DATABASE_URL names one, a real PostgreSQL server through node-postgres.
 */
export type StorageKind = 'sqlite' | 'pglite' | 'postgresql';

export const TEST_DATABASE_URL = testDatabaseUrl();

/** For `describe.each(storageKinds())`: every storage this run can reach. */
export function storageKinds(): StorageKind[] {
  return ['sqlite', 'pglite', ...(TEST_DATABASE_URL ? (['postgresql'] as const) : [])];
}

/** A server database's full contents, table by table, ordered by id: compared before and after a request. */
export interface Dump {
  tables: Record<string, Record<string, unknown>[]>;
  counter: unknown[];
  machines: unknown[];
}

/** A fresh, empty server database of one kind; removed by drop(). */
export interface TestDatabase {
  readonly kind: StorageKind;
  /** SQLite only: its file. */
  readonly dbFile?: string;
  /** Opens a storage on it (migrating it first, the first time); the caller closes it. */
  open(options?: { now?: () => number }): Promise<SyncStorage>;
  /** Its contents, read in one transaction beside the server's own connection. */
  dump(): Promise<Dump>;
  drop(): Promise<void>;
}

// ---- SQLite ----

/** Reads a SQLite server database's full contents through a second connection to the file. */
export function openDumper(dbFile: string): { dump(): Dump; close(): void } {
  const sqlite = openSqlite(dbFile, { readonly: true });
  const tables = SYNCED_TABLE_NAMES.map((t) => [t, sqlite.prepare(`SELECT * FROM "${t}" ORDER BY id`)] as const);
  const counter = sqlite.prepare('SELECT * FROM version_counter');
  const machines = sqlite.prepare('SELECT * FROM machines ORDER BY machine_id');
  const read = sqlite.transaction(
    (): Dump => ({
      tables: Object.fromEntries(tables.map(([t, select]) => [t, select.all() as Record<string, unknown>[]])),
      counter: counter.all(),
      machines: machines.all(),
    }),
  );
  return { dump: () => read(), close: () => sqlite.close() };
}

export function dumpSqlite(dbFile: string): Dump {
  const dumper = openDumper(dbFile);
  try {
    return dumper.dump();
  } finally {
    dumper.close();
  }
}

function sqliteDatabase(): TestDatabase {
  const dbFile = path.join(tempDir('blos-sync-server-'), 'server.db');
  return {
    kind: 'sqlite',
    dbFile,
    open: async (options = {}) => openSqliteSyncStorage({ file: dbFile, now: options.now }),
    dump: async () => dumpSqlite(dbFile),
    drop: async () => {},
  };
}

// ---- PostgreSQL (PGlite or a server) ----

async function dumpPostgres(db: PgConnection): Promise<Dump> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const rowsOf = async (select: string) =>
      (await tx.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM (${select}) t`)).rows.map((r) => JSON.parse(r.row) as Record<string, unknown>);
    const tables: Dump['tables'] = {};
    for (const table of SYNCED_TABLE_NAMES) tables[table] = await rowsOf(`SELECT * FROM "${table}" ORDER BY id`);
    return { tables, counter: await rowsOf('SELECT * FROM version_counter'), machines: await rowsOf('SELECT * FROM machines ORDER BY machine_id') };
  });
}

/** A schema of its own for each test database: `search_path` puts its tables and migration records there. */
export const freshSchemaName = () => `blos_test_${crypto.randomBytes(6).toString('hex')}`;

let sharedPglite: Promise<PGlite> | undefined;

/**
 * One PGlite per test file (starting one costs seconds), one schema per test database in it. A
 * PGlite is one session, so a file uses one of its databases at a time.
 */
function pglite(): Promise<PGlite> {
  sharedPglite ??= PGlite.create();
  return sharedPglite;
}

afterAll(async () => {
  const db = await sharedPglite;
  sharedPglite = undefined;
  await db?.close();
});

/** The PostgreSQL storage's connection, over PGlite, in `schema`. */
export function pgliteConnection(db: PGlite, schema: string): PgConnection {
  const inSchema = async () => {
    await db.exec(`SET search_path TO "${schema}"`);
    return db;
  };
  return {
    where: `PGlite (schema ${schema})`,
    migrationsSchema: schema,
    query: async (text, values) => (await inSchema()).query(text, values) as never,
    transaction: async (work) => (await inSchema()).transaction((tx) => work(tx as PgQueryable)),
    runMigrations: async (migrationsFolder) => migrate(drizzle({ client: await inSchema() }), { migrationsFolder, migrationsSchema: schema }),
    close: async () => {},
  };
}

function postgresDatabase(kind: Exclude<StorageKind, 'sqlite'>): TestDatabase {
  const schema = freshSchemaName();
  let created = false;
  const withAdmin = async (sql: string) => {
    if (kind === 'pglite') return void (await (await pglite()).exec(sql));
    const client = new pg.Client(TEST_DATABASE_URL);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const connect = (name: string) => postgresConnection(kind, name);
  /** Dumps read through a connection of their own, kept until drop(): a fuzz run dumps twice per request. */
  let dumper: Promise<PgConnection> | undefined;
  return {
    kind,
    async open(options = {}) {
      if (!created) {
        await withAdmin(`CREATE SCHEMA "${schema}"`);
        created = true;
        const db = await connect(schema);
        await migratePostgres(db, SERVER_PG_MIGRATIONS).finally(() => db.close());
      }
      const db = await connect(schema);
      return PostgresSyncStorage.open(db, { now: options.now }).catch(async (error: unknown) => {
        await db.close();
        throw error;
      });
    },
    async dump() {
      dumper ??= connect(schema);
      return dumpPostgres(await dumper);
    },
    async drop() {
      await (await dumper)?.close();
      if (created) await withAdmin(`DROP SCHEMA "${schema}" CASCADE`);
    },
  };
}

/** A connection of the PostgreSQL storage to a fresh schema, migrated or not: for tests that need it raw. */
export async function postgresConnection(kind: Exclude<StorageKind, 'sqlite'>, schema: string): Promise<PgConnection> {
  return kind === 'pglite' ? pgliteConnection(await pglite(), schema) : connectPostgres(TEST_DATABASE_URL!, { schema, poolSize: 4 });
}

/** A fresh, empty database of `kind`. */
export function testDatabase(kind: StorageKind): TestDatabase {
  if (kind === 'sqlite') return sqliteDatabase();
  if (kind === 'postgresql' && !TEST_DATABASE_URL) throw new Error('BLOS_TEST_DATABASE_URL is not set');
  return postgresDatabase(kind);
}
