import crypto from 'node:crypto';
import path from 'node:path';
import { startSyncServer, type RunningSyncServer } from '../../src/server';
import { tempDir } from './temp';

export interface TestServerOptions {
  /** The server clock (ms). */
  now?: () => number;
  apiKey?: string;
}

export interface TestServer {
  /** The running server; replaced by restart(). */
  readonly server: RunningSyncServer;
  readonly apiKey: string;
  readonly dbFile: string;
  readonly url: string;
  /** Closes the server and starts it again on the same port and database file. */
  restart(): Promise<RunningSyncServer>;
  close(): Promise<void>;
}

/** A real sync server on a loopback port with a fresh SQLite file (removed after the test file). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const apiKey = options.apiKey ?? crypto.randomBytes(32).toString('hex');
  const dbFile = path.join(tempDir('blos-sync-server-'), 'server.db');
  let server = await startSyncServer({ apiKey, dbFile, now: options.now });
  return {
    get server() {
      return server;
    },
    apiKey,
    dbFile,
    url: server.url,
    async restart() {
      await server.close();
      server = await startSyncServer({ apiKey, dbFile, port: server.port, now: options.now });
      return server;
    },
    close: () => server.close(),
  };
}
