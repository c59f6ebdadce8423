import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { NEVER_WRITTEN } from '../db/field-stamps';
import { addedFields, readJournal } from '../db/migrate';
import { SYNCED_TABLE_NAMES } from '../db/schema';

/** What the PostgreSQL storage needs of a database: node-postgres's pool in production, PGlite in tests. */
export interface PgQueryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface PgConnection extends PgQueryable {
  /** The database, for messages (never its password). */
  readonly where: string;
  /** The schema drizzle records applied migrations in (`drizzle`, or the tables' own in tests). */
  readonly migrationsSchema: string;
  /** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: PgQueryable) => Promise<T>): Promise<T>;
  /** drizzle's migrator over this connection (migratePostgres, below, wraps it with the checks). */
  runMigrations(migrationsFolder: string): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresConnectionOptions {
  /** Connections in the pool (SYNC_SERVER_DB_POOL). */
  poolSize?: number;
  /** Tables and migration records in this schema instead of `public` and `drizzle` (tests: one per suite). */
  schema?: string;
}

/** `postgres://user@host:port/db`, the password left out. */
function describeDatabase(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** A node-postgres pool on `url` (postgres:// or postgresql://). */
export function connectPostgres(url: string, options: PostgresConnectionOptions = {}): PgConnection {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.schema && { options: `-c search_path=${options.schema}` }),
  });
  // An idle connection the server drops (restart, failover) must not crash the process: the pool
  // replaces it, and the request that next needs one gets the error.
  pool.on('error', (error) => console.error(`PostgreSQL connection lost (${error.message}); the pool reconnects`));
  return {
    where: describeDatabase(url),
    migrationsSchema: options.schema ?? 'drizzle',
    query: (text, values) => pool.query(text, values) as never,
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client as PgQueryable);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    runMigrations: (migrationsFolder) => migrate(drizzle({ client: pool }), { migrationsFolder, migrationsSchema: options.schema ?? 'drizzle' }),
    close: () => pool.end(),
  };
}

/** The database's migrations are not the ones this server knows: it refuses to start on it. */
export class SchemaStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaStateError';
  }
}

async function appliedMigrationTimes(db: PgQueryable, migrationsSchema: string): Promise<number[]> {
  const table = `"${migrationsSchema}"."__drizzle_migrations"`;
  const { rows } = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
  if (!rows[0]!.exists) return [];
  const applied = await db.query<{ t: string | number }>(`SELECT created_at AS t FROM ${table} ORDER BY created_at`);
  return applied.rows.map((r) => Number(r.t));
}

export interface SchemaState {
  /** Migrations applied to the database: its schema version. */
  applied: number;
  /** Migrations this server knows. */
  known: number;
  newestApplied: number;
  newestKnown: number;
}

async function schemaState(db: PgConnection, migrationsFolder: string): Promise<SchemaState> {
  const known = readJournal(migrationsFolder);
  const applied = await appliedMigrationTimes(db, db.migrationsSchema);
  return { applied: applied.length, known: known.length, newestApplied: applied.at(-1) ?? 0, newestKnown: known.reduce((max, e) => Math.max(max, e.when), 0) };
}

function newerMessage(db: PgConnection, state: SchemaState): string {
  return (
    `The PostgreSQL database ${db.where} was migrated by a newer version of the sync server (schema ${state.applied}, ` +
    `this server knows up to ${state.known}). It was left untouched: run the newer server version against it.`
  );
}

/** Refuses (SchemaStateError) a database this server cannot serve: not migrated to its schema, or migrated by a newer one. */
export async function checkPostgresSchema(db: PgConnection, migrationsFolder: string): Promise<SchemaState> {
  const state = await schemaState(db, migrationsFolder);
  if (state.newestApplied > state.newestKnown) throw new SchemaStateError(newerMessage(db, state));
  if (state.newestApplied < state.newestKnown) {
    const what = state.applied === 0 ? 'has no sync server tables yet' : `is at schema ${state.applied} of ${state.known}`;
    throw new SchemaStateError(
      `The PostgreSQL database ${db.where} ${what}. It was left untouched: run "npm run server -- --migrate" ` +
        '(with the same SYNC_SERVER_DB) once, then start the server.',
    );
  }
  return state;
}

/** The columns each synced table has in the database (tables not created yet left out). */
async function syncedTableColumns(db: PgQueryable): Promise<Map<string, Set<string>>> {
  const { rows } = await db.query<{ table_name: string; column_name: string }>(
    'SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])',
    [[...SYNCED_TABLE_NAMES]],
  );
  const found = new Map<string, Set<string>>();
  for (const { table_name, column_name } of rows) found.set(table_name, (found.get(table_name) ?? new Set()).add(column_name));
  return found;
}

/**
 * Applies the pending migrations (`npm run server -- --migrate`); refuses a database of a newer
 * server. A field a migration adds to a synced table holds, in the rows already there, a value
 * nobody wrote, and its stamp must say so (as src/db/migrate.ts does for SQLite; see
 * docs/adding-a-field.md). field_stamps is compact JSON (written from JSON.stringify), so the stamp
 * is appended to its text, keeping the keys' order.
 */
export async function migratePostgres(db: PgConnection, migrationsFolder: string): Promise<{ applied: number; schemaVersion: number }> {
  const before = await schemaState(db, migrationsFolder);
  if (before.newestApplied > before.newestKnown) throw new SchemaStateError(newerMessage(db, before));
  if (before.newestApplied === before.newestKnown) return { applied: 0, schemaVersion: before.applied };
  const columnsBefore = await syncedTableColumns(db);
  await db.runMigrations(migrationsFolder);
  const never = JSON.stringify(NEVER_WRITTEN);
  await db.transaction(async (tx) => {
    for (const { table, field } of addedFields(columnsBefore)) {
      const entry = `${JSON.stringify(field)}:${never}`;
      await tx.query(
        `UPDATE "${table}" SET field_stamps = (CASE WHEN field_stamps::text = '{}' THEN '{' || $1 || '}' ` +
          `ELSE left(field_stamps::text, -1) || ',' || $1 || '}' END)::json`,
        [entry],
      );
    }
  });
  const after = await schemaState(db, migrationsFolder);
  return { applied: after.applied - before.applied, schemaVersion: after.applied };
}
