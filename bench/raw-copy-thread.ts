import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../src/db/connection';
import { openLocalStore } from '../src/db/local-store';
import { SYNCED_TABLE_NAMES } from '../src/db/schema';
import { searchBatch } from '../src/db/search-batch';

/** The baseline of bench/sync-client.bench.ts, run in a thread of its own; posts its time (ms). */

export interface RawCopy {
  serverFile: string;
  clientFile: string;
  /** Rows per page and per transaction: the engine's request size. */
  page: number;
  /** The client file's key in hex. */
  key: string;
}

/**
 * The baseline: the same rows copied from the server's file into a client file, in pages of versions
 * as the engine pulls them (households, people and visits mixed), each page in one transaction with
 * its search documents written at its end, as the engine writes a chunk's (src/db/search-batch.ts).
 */
function rawPullAndApply({ serverFile, clientFile, page: pageSize, key }: RawCopy): number {
  openLocalStore({ file: clientFile, key: Buffer.from(key, 'hex') }).close();
  const server = openSqlite(serverFile, { readonly: true });
  const client = openSqlite(clientFile, { key: Buffer.from(key, 'hex') });
  const inSearchBatch = searchBatch(client);
  // Parents first: a child's version is above its household's, so the household is in this page or an earlier one.
  const tables = SYNCED_TABLE_NAMES.map((table) => {
    const columns = (client.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
      // The client's own bookkeeping, which the server does not have.
      (c) => c !== 'dirty' && c !== 'server_version' && c !== 'base_stamps',
    );
    const list = columns.map((c) => `"${c}"`).join(', ');
    return {
      read: server.prepare(`SELECT server_version, ${list} FROM "${table}" WHERE server_version > ? AND server_version <= ? ORDER BY server_version`).raw(),
      insert: client.prepare(`INSERT INTO "${table}" (server_version, dirty, ${list}) VALUES (?, 0, ${columns.map(() => '?').join(', ')})`),
    };
  });
  const lastVersion = server.prepare('SELECT max(version) FROM version_counter').pluck();
  const apply = client.transaction((pages: unknown[][][]) => {
    inSearchBatch(() => {
      for (const [i, rows] of pages.entries()) for (const row of rows) tables[i]!.insert.run(row);
    });
  });
  const started = performance.now();
  const last = lastVersion.get() as number;
  for (let since = 0; since < last; since += pageSize) apply(tables.map((table) => table.read.all(since, since + pageSize) as unknown[][]));
  const ms = performance.now() - started;
  server.close();
  client.close();
  return ms;
}

parentPort!.postMessage(rawPullAndApply(workerData as RawCopy));
