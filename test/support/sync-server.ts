import crypto from 'node:crypto';
import { startSyncServer, type RunningSyncServer, type SqliteSyncStorage, type SyncStorage } from '../../src/server';
import { testDatabase, type Dump, type StorageKind } from './test-databases';

export interface TestServerOptions {
  /** The server clock (ms). */
  now?: () => number;
  apiKey?: string;
  /** Default sqlite. */
  storage?: StorageKind;
}

export interface TestServer<S extends SyncStorage = SqliteSyncStorage> {
  /** The running server; replaced by restart(). */
  readonly server: RunningSyncServer<S>;
  readonly apiKey: string;
  readonly storageKind: StorageKind;
  /** SQLite only: the database file. */
  readonly dbFile?: string;
  readonly url: string;
  /** The database's full contents. */
  dump(): Promise<Dump>;
  /** Closes the server and starts it again on the same port and database. */
  restart(): Promise<RunningSyncServer<S>>;
  /** Stops the server and removes its database. */
  close(): Promise<void>;
}

/** A real sync server on a loopback port with a fresh database of the kind asked for (SQLite by default). */
export async function startTestServer(options?: TestServerOptions & { storage?: 'sqlite' }): Promise<TestServer>;
export async function startTestServer(options: TestServerOptions): Promise<TestServer<SyncStorage>>;
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer<SyncStorage>> {
  const apiKey = options.apiKey ?? crypto.randomBytes(32).toString('hex');
  const database = testDatabase(options.storage ?? 'sqlite');
  const start = async (port?: number) => startSyncServer({ apiKey, storage: await database.open({ now: options.now }), port, now: options.now });
  let server = await start();
  return {
    get server() {
      return server;
    },
    apiKey,
    storageKind: database.kind,
    dbFile: database.dbFile,
    url: server.url,
    dump: () => database.dump(),
    async restart() {
      await server.close();
      server = await start(server.port);
      return server;
    },
    async close() {
      await server.close();
      await database.drop();
    },
  };
}
