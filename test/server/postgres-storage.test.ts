import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { NEVER_WRITTEN } from '../../src/db/field-stamps';
import { migratePostgres, SchemaStateError, type PgConnection } from '../../src/server/postgres-connection';
import { PostgresSyncStorage, SERVER_PG_MIGRATIONS } from '../../src/server/postgres-storage';
import type { PullChange } from '../../src/protocol/wire';
import { createFreshDatabase, type FreshDatabase } from '../support/postgres';
import { freshSchemaName, postgresConnection, storageKinds, TEST_DATABASE_URL } from '../support/test-databases';
import { tempDir } from '../support/temp';
import { household, machineA, machineB, randomMachine } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

/** `npm run server [args]` in `cwd` with these variables; its exit code and output. */
function runServer(cwd: string, env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['-r', require.resolve('@swc-node/register'), path.join(ROOT, 'src/server/cli.ts'), ...args], {
    cwd,
    timeout: 60_000,
    env: { ...process.env, SYNC_API_KEY: 'c'.repeat(64), SYNC_SERVER_PORT: '0', ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

/**
 * What the PostgreSQL storage adds to the shared suites: it refuses a database it cannot serve, and
 * several storages (server processes) on one database keep versions unique and committed in order.
 */

const postgresKinds = storageKinds().filter((kind) => kind !== 'sqlite') as ('pglite' | 'postgresql')[];

/** The tables (and migration records) in a schema. */
async function tablesIn(db: PgConnection, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]);
  return rows.map((r) => r.name);
}

describe.each(postgresKinds)('the PostgreSQL storage on %s', (kind) => {
  let schema: string;
  let connections: PgConnection[];
  const connect = async () => {
    const db = await postgresConnection(kind, schema);
    connections.push(db);
    return db;
  };

  beforeEach(async () => {
    schema = freshSchemaName();
    connections = [];
    await (await connect()).query(`CREATE SCHEMA "${schema}"`);
  });
  afterEach(async () => {
    await connections[0]!.query(`DROP SCHEMA "${schema}" CASCADE`);
    for (const db of connections) await db.close();
  });

  describe('refuses a database it cannot serve, leaving it untouched', () => {
    it('one never migrated: it names the command that migrates it', async () => {
      const db = await connect();
      const opening = PostgresSyncStorage.open(db);
      await expect(opening).rejects.toThrow(SchemaStateError);
      await expect(opening).rejects.toThrow(/has no sync server tables yet\. It was left untouched: run "npm run server -- --migrate"/);
      expect(await tablesIn(db, schema)).toEqual([]);
    });

    it('one migrated by a newer server: it says to run that version', async () => {
      const db = await connect();
      await migratePostgres(db, SERVER_PG_MIGRATIONS);
      await db.query(`INSERT INTO "${schema}"."__drizzle_migrations" (hash, created_at) VALUES ('from a newer server', $1)`, [Date.UTC(2100, 0, 1)]);
      const tables = await tablesIn(db, schema);
      await expect(PostgresSyncStorage.open(db)).rejects.toThrow(/was migrated by a newer version of the sync server \(schema 3, this server knows up to 2\)\. It was left untouched/);
      await expect(migratePostgres(db, SERVER_PG_MIGRATIONS)).rejects.toThrow(/newer version of the sync server/);
      expect(await tablesIn(db, schema)).toEqual(tables);
    });
  });

  it('migrating a field onto rows already stored marks it never written in their field stamps (as on SQLite)', async () => {
    // An older server's migrations: households without notes; the next version's migration adds it.
    const folder = path.join(tempDir('blos-server-pg-migrations-'), 'server-pg');
    fs.cpSync(SERVER_PG_MIGRATIONS, folder, { recursive: true });
    const initial = path.join(folder, '0000_initial.sql');
    const withNotes = fs.readFileSync(initial, 'utf8');
    const withoutNotes = withNotes.replace('"geo_lng" double precision,\n\t"notes" text DEFAULT \'\' NOT NULL,', '"geo_lng" double precision,');
    expect(withoutNotes).not.toBe(withNotes);
    fs.writeFileSync(initial, withoutNotes);
    const db = await connect();
    await migratePostgres(db, folder);
    const stamp = { updatedAt: 5, machineId: machineB, updatedBy: 'x' };
    for (const [id, stamps] of [['a', {}], ['b', { phone: stamp }]] as const) {
      await db.query(
        "INSERT INTO households (id, created_at, updated_at, machine_id, field_stamps, server_version, area) VALUES ($1, 1, 1, $2, $3::json, $4, 'North')",
        [id, machineA, JSON.stringify(stamps), id === 'a' ? 1 : 2],
      );
    }
    fs.writeFileSync(path.join(folder, '0002_notes.sql'), 'ALTER TABLE "households" ADD COLUMN "notes" text DEFAULT \'\' NOT NULL;');
    const journalFile = path.join(folder, 'meta/_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { idx: number; when: number; tag: string }[] };
    journal.entries.push({ ...journal.entries.at(-1)!, idx: 2, when: journal.entries.at(-1)!.when + 1, tag: '0002_notes' });
    fs.writeFileSync(journalFile, JSON.stringify(journal));

    expect(await migratePostgres(db, folder)).toEqual({ applied: 1, schemaVersion: 3 });
    const { rows } = await db.query<{ stamps: string }>('SELECT field_stamps::text AS stamps FROM households ORDER BY id');
    const never = JSON.stringify(NEVER_WRITTEN);
    expect(rows.map((r) => r.stamps)).toEqual([`{"notes":${never}}`, `{"phone":${JSON.stringify(stamp)},"notes":${never}}`]);
  });

  it('names itself and its schema version in the status', async () => {
    const db = await connect();
    expect(await migratePostgres(db, SERVER_PG_MIGRATIONS)).toEqual({ applied: 2, schemaVersion: 2 });
    expect(await migratePostgres(db, SERVER_PG_MIGRATIONS)).toEqual({ applied: 0, schemaVersion: 2 });
    const storage = await PostgresSyncStorage.open(db);
    expect((await storage.status()).storage).toEqual({ engine: 'postgresql', schemaVersion: 2 });
  });

  describe('shared by several server processes (one storage and pool each)', () => {
    it('stores a record sent to two of them at once once: the second sees the first one\'s version', async () => {
      await migratePostgres(await connect(), SERVER_PG_MIGRATIONS);
      const [one, two] = await Promise.all([PostgresSyncStorage.open(await connect()), PostgresSyncStorage.open(await connect())]);
      for (let i = 0; i < 10; i++) {
        const row = household();
        const [first, second] = await Promise.all([one!.applyPush(machineA, [{ table: 'households', row }]), two!.applyPush(machineB, [{ table: 'households', row }])]);
        expect(first).toEqual(second);
        expect(first[0]).toEqual({ table: 'households', id: row.id, status: 'applied', version: i + 1 });
      }
      const status = await one!.status();
      expect(status.version).toBe(10);
      expect(status.tables.households.rows).toBe(10);
    });

    it('commits versions in order: a puller that follows its cursor while pushes race misses no row', async () => {
      await migratePostgres(await connect(), SERVER_PG_MIGRATIONS);
      const storages = await Promise.all([1, 2, 3].map(async () => PostgresSyncStorage.open(await connect())));
      const pushed: string[] = [];
      const pushing = Promise.all(
        storages.map(async (storage) => {
          for (let push = 0; push < 15; push++) {
            const rows = Array.from({ length: 1 + (push % 4) }, () => household());
            await storage.applyPush(randomMachine(), rows.map((row) => ({ table: 'households', row })));
            pushed.push(...rows.map((row) => row.id));
          }
        }),
      );
      const seen: string[] = [];
      let cursor = 0;
      let done = false;
      void pushing.finally(() => (done = true)).catch(() => {});
      const puller = storages[crypto.randomInt(storages.length)]!;
      // Pull until the pushes are over and a pull after them comes back empty.
      for (let quiet = false; !quiet; ) {
        const finished = done;
        const page = await puller.pull(cursor, 3);
        seen.push(...(JSON.parse(page.changes.toString()) as PullChange[]).map((c) => c.row.id as string));
        cursor = page.cursor;
        quiet = finished && page.count === 0;
      }
      await pushing;
      expect(seen.sort()).toEqual(pushed.sort());
    });
  });
});

describe('npm run server with a PostgreSQL URL it cannot reach', () => {
  it('says which database it could not use and what to check (exit 1), never its password', async () => {
    const failed = await runServer(tempDir(), { SYNC_SERVER_DB: 'postgres://blos:s3cret@127.0.0.1:1/blos' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/cannot use the PostgreSQL database postgres:\/\/blos@127\.0\.0\.1:1\/blos \(.*ECONNREFUSED.*\)\. Check SYNC_SERVER_DB/);
    expect(failed.stderr).not.toContain('s3cret');
    const migrating = await runServer(tempDir(), { SYNC_SERVER_DB: 'postgres://blos:s3cret@127.0.0.1:1/blos' }, '--migrate');
    expect(migrating.code).toBe(1);
    expect(migrating.stderr).toMatch(/cannot use the PostgreSQL database postgres:\/\/blos@127\.0\.0\.1:1\/blos .*Check SYNC_SERVER_DB/);
  });
});

/** `npm run server` against a database of its own on the PostgreSQL server (the CLI cannot reach PGlite). */
(TEST_DATABASE_URL ? describe : describe.skip)('npm run server on PostgreSQL', () => {
  let database: FreshDatabase;
  beforeAll(async () => {
    database = await createFreshDatabase(TEST_DATABASE_URL!, 'blos_test_cli');
  });
  afterAll(() => database.drop());

  const server = (...args: string[]) => runServer(tempDir(), { SYNC_SERVER_DB: database.url }, ...args);

  it('refuses to start on a database not migrated, saying what to run (exit 1), and --migrate migrates it', async () => {
    const refused = await server();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/has no sync server tables yet\. It was left untouched: run "npm run server -- --migrate" \(with the same SYNC_SERVER_DB\) once/);

    const migrated = await server('--migrate');
    expect(migrated).toMatchObject({ code: 0, stdout: expect.stringMatching(/2 migration\(s\) applied, schema 2/) });
    expect((await server('--migrate')).stdout).toMatch(/already up to date, schema 2/);
  });
});
