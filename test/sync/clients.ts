import path from 'node:path';
import { openLocalStore, type LocalStore } from '../../src/db/local-store';
import { SYNCED_TABLE_NAMES, syncedTables, type SyncedTableName } from '../../src/db/schema';
import { pullChangeSchema, type PullChange, type WireRecord } from '../../src/protocol/wire';
import type { RunningSyncServer } from '../../src/server';
import { toWireRow, type LocalRow } from '../../src/sync/wire-rows';
import { SyncEngine, type SyncEngineOptions } from '../../src/sync';
import { startTestServer, type TestServer } from '../support/sync-server';
import { tempDir } from '../support/temp';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

/** One simulated PC: its own database file and machine identity, and an engine pointed at `url`. */
export interface Client {
  readonly name: string;
  readonly file: string;
  store: LocalStore;
  engine: SyncEngine;
  /** Closes the engine and database as a crash would leave them, then opens the same file again. */
  reopen(): Promise<void>;
  /**
   * A hard restart: the engine stops, the connection is abandoned without closing (no final
   * checkpoint, the write-ahead log left as it is), and the file is opened again beside it.
   */
  crash(): Promise<void>;
  close(): Promise<void>;
}

export interface ClientOptions {
  dir: string;
  name: string;
  url: string;
  apiKey: string;
  wallClock?: () => number;
  engine?: Partial<Omit<SyncEngineOptions, 'store' | 'config'>>;
}

export function openClient(options: ClientOptions): Client {
  const file = path.join(options.dir, `${options.name}.db`);
  const open = () => {
    const store = openLocalStore({ file, osMachineId: () => `pc-${options.name}`, wallClock: options.wallClock });
    const engine = new SyncEngine({
      store,
      config: { serverUrl: options.url, apiKey: options.apiKey, pullIntervalMs: 60_000 },
      retryBaseMs: 20,
      retryMaxMs: 200,
      pushDebounceMs: 20,
      ...options.engine,
    });
    return { store, engine };
  };
  let current = open();
  const abandoned: LocalStore[] = [];
  return {
    name: options.name,
    file,
    get store() {
      return current.store;
    },
    get engine() {
      return current.engine;
    },
    async reopen() {
      await current.engine.stop();
      current.store.sqlite.close();
      current = open();
    },
    async crash() {
      await current.engine.stop();
      abandoned.push(current.store);
      current = open();
    },
    async close() {
      await current.engine.stop();
      current.store.close();
      for (const store of abandoned) store.sqlite.close();
    },
  } as Client;
}

export interface ProxiedClient {
  server: TestServer;
  proxy: FaultProxy;
  client: Client;
  /** Closes the client, then the proxy, then the server. */
  close(): Promise<void>;
}

/** A real sync server, a fault proxy in front of it, and one PC ('pc') syncing through the proxy. */
export async function openProxiedClient(engine?: ClientOptions['engine']): Promise<ProxiedClient> {
  const server = await startTestServer();
  const proxy = await startFaultProxy(server.url);
  const client = openClient({ dir: tempDir(), name: 'pc', url: proxy.url, apiKey: server.apiKey, engine });
  return {
    server,
    proxy,
    client,
    async close() {
      await client.close();
      await proxy.close();
      await server.close();
    },
  };
}

/** The replicated content of a database: every row of every synced table as it travels. */
export function replicatedContent(store: LocalStore): Record<SyncedTableName, WireRecord[]> {
  return Object.fromEntries(
    SYNCED_TABLE_NAMES.map((table) => {
      const t = syncedTables[table] as typeof syncedTables.households;
      return [table, (store.db.select().from(t).orderBy(t.id).all() as LocalRow[]).map(toWireRow)];
    }),
  ) as Record<SyncedTableName, WireRecord[]>;
}

/** Every change the server holds, read from its storage, in version order. */
export function serverChanges(server: Pick<RunningSyncServer, 'storage'>, limit = Number.MAX_SAFE_INTEGER): PullChange[] {
  return (JSON.parse(server.storage.pull(0, limit).changes.toString()) as unknown[]).map((change) => pullChangeSchema.parse(change));
}

/** The same view of the server's database. */
export function serverContent(server: Pick<RunningSyncServer, 'storage'>): Record<SyncedTableName, WireRecord[]> {
  const content = Object.fromEntries(SYNCED_TABLE_NAMES.map((t) => [t, [] as WireRecord[]])) as Record<SyncedTableName, WireRecord[]>;
  for (const change of serverChanges(server)) content[change.table].push(change.row as WireRecord);
  for (const rows of Object.values(content)) rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  return content;
}

export function dirtyCount(store: LocalStore): number {
  return SYNCED_TABLE_NAMES.reduce(
    (sum, table) => sum + (store.sqlite.prepare(`SELECT COUNT(*) FROM "${table}" WHERE dirty = 1`).pluck().get() as number),
    0,
  );
}
