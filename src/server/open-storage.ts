import { connectPostgres, SchemaStateError } from './postgres-connection';
import { PostgresSyncStorage } from './postgres-storage';
import { openSqliteSyncStorage } from './sqlite-storage';
import type { SyncStorage } from './storage';

/** SYNC_SERVER_DB names PostgreSQL by a URL; anything else is a SQLite file. */
export function isPostgresUrl(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database);
}

export interface ServerStorageOptions {
  /** The server clock (ms). */
  now?: () => number;
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
}

/**
 * The storage SYNC_SERVER_DB names. SQLite is created and migrated on open; PostgreSQL must have
 * been migrated (`npm run server -- --migrate`), and is refused with a message saying so otherwise.
 */
export async function openServerStorage(database: string, options: ServerStorageOptions = {}): Promise<SyncStorage> {
  if (!isPostgresUrl(database)) return openSqliteSyncStorage({ file: database, now: options.now });
  const connection = connectPostgres(database, { poolSize: options.poolSize });
  try {
    return await PostgresSyncStorage.open(connection, { now: options.now });
  } catch (error) {
    await connection.close();
    throw inPlainWords(error, connection.where);
  }
}

/** A PostgreSQL error as what to check; a refused schema already says what to run. */
export function inPlainWords(error: unknown, where: string): Error {
  if (error instanceof SchemaStateError) return error;
  return new Error(
    `cannot use the PostgreSQL database ${where} (${(error as Error).message}). ` +
      'Check SYNC_SERVER_DB (host, port, user, password, database) and that PostgreSQL is running and reachable from here.',
    { cause: error },
  );
}
