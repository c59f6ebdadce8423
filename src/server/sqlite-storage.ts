import { eq, is, sql, SQL } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { openSqlite, withoutFsync, type SqliteDatabase } from '../db/connection';
import { findMigrations, migrateDatabase } from '../db/migrate';
import { SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import type { PushRequest, PushResult } from '../protocol/wire';
import { compareVersions } from '../protocol/lww';
import { classifyPush } from './push-rules';
import * as schema from './schema';
import type { PullPage, ServerStatus, SyncStorage, TableStatus } from './storage';

export const SERVER_MIGRATIONS = findMigrations('server', __dirname);

interface ColumnCodec {
  /** Key on the wire (camelCase, as in drizzle). */
  key: string;
  /** Column name in SQL. */
  name: string;
  json: boolean;
  /** Stored when a record leaves the column out (the column's default, else null). */
  fallback: unknown;
}

/**
 * SQL for one server table, generated from its drizzle definition: every identifier comes from the
 * schema, never from a request, and the statements are prepared once (ARCHITECTURE 7).
 */
class TableStatements {
  readonly columns: ColumnCodec[];
  readonly upsert: Statement<unknown[]>;
  readonly current: Statement<[string], { updatedAt: number; machineId: string; version: number }>;
  readonly counts: Statement<[], TableStatus>;

  constructor(sqlite: SqliteDatabase, readonly name: SyncedTableName) {
    this.columns = schema
      .recordColumns(schema.serverTables[name])
      .map(([key, column]) => {
        const json = column.dataType === 'json';
        const raw = column.hasDefault && !is(column.default, SQL) ? column.default : null;
        return { key, name: column.name, json, fallback: json && raw !== null ? JSON.stringify(raw) : (raw ?? null) };
      });
    const names = [...this.columns.map((c) => `"${c.name}"`), '"server_version"'];
    const updates = names.filter((n) => n !== '"id"').map((n) => `${n} = excluded.${n}`);
    this.upsert = sqlite.prepare(
      `INSERT INTO "${name}" (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
        `ON CONFLICT ("id") DO UPDATE SET ${updates.join(', ')}`,
    );
    this.current = sqlite.prepare(
      `SELECT updated_at AS updatedAt, machine_id AS machineId, server_version AS version FROM "${name}" WHERE id = ?`,
    );
    this.counts = sqlite.prepare(`SELECT count(*) AS rows, count(deleted_at) AS deleted FROM "${name}"`);
  }

  /** The upsert's parameters for one validated record. */
  values(row: Record<string, unknown>, version: number): unknown[] {
    const values = this.columns.map((c) => {
      const value = row[c.key];
      if (value === undefined) return c.fallback;
      return c.json ? JSON.stringify(value) : value;
    });
    values.push(version);
    return values;
  }
}

/** A page as SQLite joins it: its versions (`1,2,5`) and changes (a JSON array), both null when empty. */
interface PageRow {
  versions: string | null;
  changes: Buffer | null;
}

function isIncreasing(values: readonly number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]!);
}

/**
 * The version counter and the machines registry, prepared once: the counter is read and written by
 * every push, the registry noted by every push and pull.
 */
function bookkeepingStatements(db: BetterSQLite3Database<typeof schema>) {
  const { machines, versionCounter } = schema;
  const { placeholder } = sql;
  /** Upserts a machine, noting when it last did this (`at`) and adding its rows to `count`. */
  const noteMachine = (at: 'lastPushAt' | 'lastPullAt', count: 'rowsPushed' | 'rowsPulled') =>
    db
      .insert(machines)
      .values({ machineId: placeholder('machineId'), firstSeenAt: placeholder('now'), [at]: placeholder('now'), [count]: placeholder('rows') })
      .onConflictDoUpdate({
        target: machines.machineId,
        set: { [at]: sql`${placeholder('now')}`, [count]: sql`${machines[count]} + ${placeholder('rows')}` },
      })
      .prepare();
  return {
    readCounter: db.select({ version: versionCounter.version }).from(versionCounter).where(eq(versionCounter.id, 1)).prepare(),
    writeCounter: db
      .insert(versionCounter)
      .values({ id: 1, version: placeholder('version') })
      .onConflictDoUpdate({ target: versionCounter.id, set: { version: sql`${placeholder('version')}` } })
      .prepare(),
    notePush: noteMachine('lastPushAt', 'rowsPushed'),
    notePull: noteMachine('lastPullAt', 'rowsPulled'),
    listMachines: db.select().from(machines).orderBy(machines.firstSeenAt, machines.machineId).prepare(),
  };
}

type MachineNote = { machineId: string; now: number; rows: number };

export interface SqliteSyncStorageOptions {
  file: string;
  /** The server clock (ms): future-stamp checks and the machines registry. */
  now?: () => number;
  migrationsFolder?: string;
}

export class SqliteSyncStorage implements SyncStorage {
  private readonly tables: Record<SyncedTableName, TableStatements>;
  private readonly bookkeeping: ReturnType<typeof bookkeepingStatements>;
  private readonly page: Statement<{ since: number; limit: number }, PageRow>;
  private readonly pageSorted: Statement<{ since: number; limit: number }, PageRow>;
  private readonly moreAfter: Statement<{ upTo: number }, number>;
  private readonly readPageInTransaction: (since: number, limit: number) => PullPage;
  private readonly applyInTransaction: (changes: PushRequest['changes']) => { results: PushResult[]; stored: number; now: number };

  constructor(
    readonly sqlite: SqliteDatabase,
    private readonly now: () => number,
  ) {
    this.tables = Object.fromEntries(SYNCED_TABLE_NAMES.map((t) => [t, new TableStatements(sqlite, t)])) as Record<
      SyncedTableName,
      TableStatements
    >;
    this.bookkeeping = bookkeepingStatements(drizzle({ client: sqlite, schema }));
    // A page in one statement: an ordered merge over the three server_version indexes (no sort), its
    // changes joined into one JSON array by SQLite and returned as bytes. Building the array from one JS
    // string per change (decoded from UTF-8, joined, encoded again) cost more than reading the rows.
    // The aggregate meets the merge's rows in order, but SQLite only promises that with an ORDER BY
    // inside group_concat, which sorts them again at twice the cost: so the versions are joined the
    // same way and checked, and the sorting statement answers only if they ever come out of order.
    const merge = SYNCED_TABLE_NAMES.map((t) => `SELECT server_version AS v, change FROM "${t}" WHERE server_version > @since`);
    const pageOf = (order: string) =>
      sqlite.prepare(
        `SELECT group_concat(v, ','${order}) AS versions, CAST('[' || group_concat(change, ','${order}) || ']' AS BLOB) AS changes ` +
          `FROM (${merge.join(' UNION ALL ')} ORDER BY v LIMIT @limit)`,
      ) as Statement<{ since: number; limit: number }, PageRow>;
    this.page = pageOf('');
    this.pageSorted = pageOf(' ORDER BY v');
    const after = SYNCED_TABLE_NAMES.map((t) => `SELECT 1 FROM "${t}" WHERE server_version > @upTo`);
    this.moreAfter = sqlite.prepare(`SELECT EXISTS (${after.join(' UNION ALL ')})`).pluck() as Statement<{ upTo: number }, number>;
    this.applyInTransaction = sqlite.transaction((changes) => this.apply(changes));
    this.readPageInTransaction = sqlite.transaction((since, limit) => this.readPage(since, limit));
  }

  applyPush(machineId: string, changes: PushRequest['changes']): PushResult[] {
    const { results, stored, now } = this.applyInTransaction(changes);
    this.noteMachine('push', { machineId, now, rows: stored });
    return results;
  }

  /** Runs inside one transaction: every version of the push commits together and in order. */
  private apply(changes: PushRequest['changes']) {
    const now = this.now();
    const { results, accepted } = classifyPush(changes, now);
    let version = this.lastVersion();
    let stored = 0;
    for (const { index, table, row } of accepted) {
      const statements = this.tables[table];
      const current = statements.current.get(row.id);
      const order = current ? compareVersions(row, current) : 1;
      if (order > 0) {
        version += 1;
        stored += 1;
        statements.upsert.run(statements.values(row, version));
        results[index] = { table, id: row.id, status: 'applied', version };
      } else {
        // order === 0 is a replay of the stored write: acknowledged, nothing changes.
        results[index] = { table, id: row.id, status: order === 0 ? 'applied' : 'superseded', version: current!.version };
      }
    }
    if (stored > 0) this.bookkeeping.writeCounter.run({ version });
    return { results: results as PushResult[], stored, now };
  }

  pull(since: number, limit: number): PullPage {
    return this.readPageInTransaction(since, limit);
  }

  private readPage(since: number, limit: number): PullPage {
    let row = this.page.get({ since, limit })!;
    if (row.versions === null) return { changes: Buffer.from('[]'), count: 0, cursor: since, hasMore: false };
    let versions = row.versions.split(',').map(Number);
    if (!isIncreasing(versions)) {
      row = this.pageSorted.get({ since, limit })!;
      versions = row.versions!.split(',').map(Number);
    }
    const upTo = versions.at(-1)!;
    return { changes: row.changes!, count: versions.length, cursor: upTo, hasMore: this.moreAfter.get({ upTo }) === 1 };
  }

  recordPull(machineId: string, rows: number): void {
    this.noteMachine('pull', { machineId, now: this.now(), rows });
  }

  /**
   * The registry is bookkeeping: losing its last notes to a power cut is harmless, an fsync per
   * request is not. Its writes commit without one; the next data commit (synchronous FULL) syncs
   * the log they share.
   */
  private noteMachine(counted: 'push' | 'pull', note: MachineNote): void {
    const statement = counted === 'push' ? this.bookkeeping.notePush : this.bookkeeping.notePull;
    withoutFsync(this.sqlite, () => statement.run(note));
  }

  /** The last version handed out, 0 before the first. */
  private lastVersion(): number {
    return this.bookkeeping.readCounter.get()?.version ?? 0;
  }

  status(): ServerStatus {
    const tables = Object.fromEntries(SYNCED_TABLE_NAMES.map((t) => [t, this.tables[t].counts.get()!])) as Record<
      SyncedTableName,
      TableStatus
    >;
    return { version: this.lastVersion(), tables, machines: this.bookkeeping.listMachines.all() };
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }
}

/** Opens (creating and migrating as needed) the server's SQLite database. */
export function openSqliteSyncStorage(options: SqliteSyncStorageOptions): SqliteSyncStorage {
  const sqlite = openSqlite(options.file);
  try {
    migrateDatabase(drizzle({ client: sqlite, schema }), sqlite, options.migrationsFolder ?? SERVER_MIGRATIONS);
    return new SqliteSyncStorage(sqlite, options.now ?? Date.now);
  } catch (error) {
    sqlite.close();
    throw error;
  }
}
