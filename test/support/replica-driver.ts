/**
 * A PC of a given build, driven over stdin: opens local databases with the sources of the tree named
 * by its first argument (this repository, or a copy of it with another schema), makes and edits
 * records there, syncs them and reads them back. One JSON command a line in, one JSON answer a line
 * out ({ ok, result } or { ok: false, error }). It imports nothing of this repository: everything it
 * runs comes from that tree, so an older and a newer build can run side by side.
 *
 *   node -r @swc-node/register test/support/replica-driver.ts TREE
 */
import path from 'node:path';
import readline from 'node:readline';

type Command =
  | { op: 'create'; db: string; table: string; values: Record<string, unknown> }
  | { op: 'update'; db: string; table: string; id: string; values: Record<string, unknown> }
  | { op: 'rows'; db: string; table: string }
  | { op: 'sync'; db: string; url: string; apiKey: string }
  | { op: 'close'; db: string };

const tree = path.resolve(process.argv[2] ?? '.');
const { openLocalStore } = require(path.join(tree, 'src/db/local-store'));
const { syncedTables } = require(path.join(tree, 'src/db/schema'));
const { SyncEngine } = require(path.join(tree, 'src/sync/engine'));

interface Store {
  db: { select(): { from(table: unknown): { all(): Record<string, unknown>[] } } };
  repos: Record<string, { create(values: unknown): unknown; update(id: string, values: unknown): unknown }>;
  close(): void;
}
const open = new Map<string, Store>();

function store(file: string): Store {
  let found = open.get(file);
  if (!found) {
    // As the app and the sync CLI open it: the key file beside the database, made on first use.
    found = openLocalStore({ file, key: { env: process.env } }) as Store;
    open.set(file, found);
  }
  return found;
}

async function sync(file: string, url: string, apiKey: string) {
  const engine = new SyncEngine({ store: store(file), config: { serverUrl: url, apiKey, pullIntervalMs: 60_000 } });
  try {
    const status = await engine.syncNow();
    return { report: engine.lastReport, pendingTotal: status.pendingTotal, lastError: status.lastError, rejected: status.rejected };
  } finally {
    await engine.stop();
  }
}

async function perform(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'create':
      return store(command.db).repos[command.table]!.create(command.values);
    case 'update':
      return store(command.db).repos[command.table]!.update(command.id, command.values);
    case 'rows':
      return store(command.db).db.select().from(syncedTables[command.table]).all();
    case 'sync':
      return sync(command.db, command.url, command.apiKey);
    case 'close':
      open.get(command.db)?.close();
      open.delete(command.db);
      return null;
  }
}

// One command at a time, in order: each answer is written before the next command runs.
let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(async () => {
    try {
      process.stdout.write(`${JSON.stringify({ ok: true, result: await perform(JSON.parse(line) as Command) })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
    }
  });
}).on('close', () => {
  void queue.then(() => {
    for (const s of open.values()) s.close();
  });
});
