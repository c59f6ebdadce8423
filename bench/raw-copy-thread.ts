import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../src/db/connection';
import { openLocalStore } from '../src/db/local-store';
import { SYNCED_TABLE_NAMES } from '../src/db/schema';

/** The baseline of bench/sync-client.bench.ts, run in a thread of its own; posts its time (ms). */

export interface RawCopy {
  serverFile: string;
  clientFile: string;
  /** Rows per page and per transaction: the engine's request size. */
  page: number;
}

/** The baseline: the same rows copied from the server's file into a client file, page by page. */
function rawPullAndApply({ serverFile, clientFile, page: pageSize }: RawCopy): number {
  openLocalStore({ file: clientFile }).close();
  const server = openSqlite(serverFile, { readonly: true });
  const client = openSqlite(clientFile);
  const started = performance.now();
  for (const table of SYNCED_TABLE_NAMES) {
    const columns = (client.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter(
      // The client's own bookkeeping, which the server does not have.
      (c) => c !== 'dirty' && c !== 'server_version' && c !== 'base_stamps',
    );
    const list = columns.map((c) => `"${c}"`).join(', ');
    const page = server.prepare(`SELECT server_version, ${list} FROM "${table}" WHERE server_version > ? ORDER BY server_version LIMIT ${pageSize}`).raw();
    const insert = client.prepare(`INSERT INTO "${table}" (server_version, dirty, ${list}) VALUES (?, 0, ${columns.map(() => '?').join(', ')})`);
    const apply = client.transaction((rows: unknown[][]) => {
      for (const row of rows) insert.run(row);
    });
    let since = 0;
    for (;;) {
      const rows = page.all(since) as unknown[][];
      if (rows.length === 0) break;
      apply(rows);
      since = rows.at(-1)![0] as number;
    }
  }
  const ms = performance.now() - started;
  server.close();
  client.close();
  return ms;
}

parentPort!.postMessage(rawPullAndApply(workerData as RawCopy));
