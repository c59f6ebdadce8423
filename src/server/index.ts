import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { buildSyncApp } from './app';
import { DEFAULT_CONNECTION_LIMITS, guardConnections, type ConnectionLimits } from './connection-guard';
import { openSqliteSyncStorage, type SqliteSyncStorage } from './sqlite-storage';
import type { SyncStorage } from './storage';

export type { SyncStorage, MaybePromise, PullPage, ServerStatus, MachineStatus, TableStatus, StorageStatus } from './storage';
export { openSqliteSyncStorage, SqliteSyncStorage, SERVER_MIGRATIONS } from './sqlite-storage';
export { PostgresSyncStorage, SERVER_PG_MIGRATIONS } from './postgres-storage';
export { openServerStorage, isPostgresUrl } from './open-storage';
export { buildSyncApp, pullBody } from './app';

export interface SyncServerOptions {
  apiKey: string;
  /** 0 or absent: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The server clock (ms); tests pass their own. */
  now?: () => number;
  /** Serve https with this certificate and key (PEM); absent: http, for loopback or behind a TLS proxy. */
  tls?: { cert: Buffer; key: Buffer };
  /** Bounds on connections (src/server/connection-guard.ts); defaults suit 1,024 descriptors. */
  connections?: Partial<ConnectionLimits>;
}

/** Where the server keeps its data: a SQLite file (created and migrated when needed), or a storage already open. */
type StorageChoice<S extends SyncStorage> = { dbFile: string; storage?: never } | { storage: S; dbFile?: never };

export interface RunningSyncServer<S extends SyncStorage = SqliteSyncStorage> {
  /** http(s)://HOST:PORT, no trailing slash. */
  url: string;
  port: number;
  /** The server's storage (SQLite's is synchronous): tests seed and inspect the server through it. */
  storage: S;
  /** Stops accepting, finishes requests in flight, then closes the storage. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSyncServer(options: SyncServerOptions & { dbFile: string }): Promise<RunningSyncServer<SqliteSyncStorage>>;
export async function startSyncServer<S extends SyncStorage>(options: SyncServerOptions & { storage: S }): Promise<RunningSyncServer<S>>;
export async function startSyncServer<S extends SyncStorage>(options: SyncServerOptions & StorageChoice<S>): Promise<RunningSyncServer<S>> {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const storage = (options.storage ?? openSqliteSyncStorage({ file: options.dbFile!, now })) as S;
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections };
  const app = buildSyncApp({
    apiKey: options.apiKey,
    storage,
    now,
    serverFactory: (handler) => {
      const server = options.tls ? https.createServer({ ...options.tls, handshakeTimeout: limits.idleMs }, handler) : http.createServer(handler);
      guardConnections(server, limits);
      return server;
    },
  });
  let closing: Promise<void> | null = null;
  app.addHook('onSend', async (_request, reply, payload) => {
    // Keep-alive connections would hold shutdown open; tell clients to reconnect elsewhere/later.
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (error) {
    await storage.close();
    throw error;
  }
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost(host)}:${port}`,
    port,
    storage,
    close() {
      closing ??= app.close().then(async () => storage.close());
      return closing;
    },
  };
}
