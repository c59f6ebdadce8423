import crypto from 'node:crypto';
import { Client } from 'pg';

/** A real PostgreSQL for the tests that need one: BLOS_TEST_DATABASE_URL (`.ci/run` sets it). */

export const TEST_DATABASE_VARIABLE = 'BLOS_TEST_DATABASE_URL';

export function testDatabaseUrl(): string | undefined {
  return process.env[TEST_DATABASE_VARIABLE] || undefined;
}

export interface FreshDatabase {
  name: string;
  url: string;
  /** Drops it, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** An empty database of its own on the server of `url` (the role needs CREATEDB). */
export async function createFreshDatabase(url: string, prefix: string): Promise<FreshDatabase> {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  await withClient(url, (client) => client.query(`CREATE DATABASE "${name}"`));
  const fresh = new URL(url);
  fresh.pathname = `/${name}`;
  return {
    name,
    url: fresh.toString(),
    drop: () => withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
