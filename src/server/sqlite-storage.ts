import { eq, sql } from 'drizzle-orm';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { openSqlite, withoutFsync, type SqliteDatabase } from '../db/connection';
import { appliedMigrationTimes, findMigrations, migrateDatabase } from '../db/migrate';
import { SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import type { PushRequest, PushResult, WireRecord } from '../protocol/wire';
import { pulledFields } from './pulled-fields';
import { classifyPush, CURRENT_DIALECT, planPush, storedDefault, type Dialect, type StoredRecord } from './push-rules';
import * as schema from './schema';
import type { PullPage, ServerStatus, SyncStorage, TableStatus } from './storage';

export const SERVER_MIGRATIONS = findMigrations('server', __dirname);

interface ColumnCodec {
  /** Key on the wire (camelCase, as in drizzle). */
  key: string;
  /** Column name in SQL. */
  name: string;
  json: boolean;
  /** Its value inside json_object, read from the column (schema.jsonValue). */
  served: string;
  /** The same from the upsert's parameter `?n`. */
  bound: (parameter: string) => string;
  /** Stored when a record leaves the column out (the column's default, else null). */
  fallback: unknown;
}

/**
 * SQL for one server table, generated from its drizzle definition: every identifier comes from the
 * schema, never from a request, and the statements are prepared once (ARCHITECTURE 7).
 */
class TableStatements {
  readonly columns: ColumnCodec[];
  readonly upsert: Statement<[Record<string, unknown>]>;
  /** The stored record as a pull serves it (v2, from its stored change), and its version. */
  readonly current: Statement<[string], { record: string; version: number }>;
  readonly counts: Statement<[], TableStatus>;
  /** The change of a stored row, from its columns: what `change` holds (rebuilt when this differs). */
  readonly format: string;

  constructor(sqlite: SqliteDatabase, readonly name: SyncedTableName) {
    this.columns = schema
      .recordColumns(schema.serverTables[name])
      .map(([key, column]) => {
        const json = column.dataType === 'json';
        return {
          key,
          name: column.name,
          json,
          served: schema.jsonValue(column),
          bound: (parameter: string) => schema.jsonValue(column, parameter),
          fallback: storedDefault(name, key, json),
        };
      });
    const names = [...this.columns.map((c) => `"${c.name}"`), '"server_version"', '"change"'];
    const parameters = this.columns.map((_, i) => `@c${i}`);
    const version = '@version';
    // The change a pull serves, made by SQLite from the very parameters the row is stored from.
    const change = changeJson(name, version, this.columns.map((c, i) => [c.key, c.bound(parameters[i]!)]));
    const updates = names.filter((n) => n !== '"id"').map((n) => `${n} = excluded.${n}`);
    this.upsert = sqlite.prepare(
      `INSERT INTO "${name}" (${names.join(', ')}) VALUES (${[...parameters, version, change].join(', ')}) ` +
        `ON CONFLICT ("id") DO UPDATE SET ${updates.join(', ')}`,
    );
    this.format = changeJson(name, 'server_version', this.columns.map((c) => [c.key, c.served]));
    // The stored change is current (rebuilt at start-up when its format changes), so the row need not be serialised again.
    this.current = sqlite.prepare(`SELECT change -> '$.row' AS record, server_version AS version FROM "${name}" WHERE id = ?`);
    this.counts = sqlite.prepare(`SELECT count(*) AS rows, count(deleted_at) AS deleted FROM "${name}"`);
  }

  /** The upsert's parameters for one validated record: `@c0`… the columns, and `@version`. */
  values(row: Record<string, unknown>, version: number): Record<string, unknown> {
    const values: Record<string, unknown> = { version };
    this.columns.forEach((c, i) => {
      const value = row[c.key];
      values[`c${i}`] = value === undefined ? c.fallback : c.json ? JSON.stringify(value) : value;
    });
    return values;
  }
}

/** `{"table":…,"version":…,"row":{…}}` in SQL, from each key's value expression. */
function changeJson(table: string, version: string, fields: readonly (readonly [string, string])[]): string {
  return `json_object('table', '${table}', 'version', ${version}, 'row', json_object(${fields.map(([key, value]) => `'${key}', ${value}`).join(', ')}))`;
}

/**
 * `json_object(...)` of a record's columns, built when served, so a migration that adds a column can
 * never leave a stale copy behind: numbers round-trip exactly, JSON columns are embedded as stored.
 */
function recordJson(columns: readonly ColumnCodec[]): string {
  return `json_object(${columns.map((c) => `'${c.key}', ${c.served}`).join(', ')})`;
}

function servedColumns(statements: TableStatements, protocol: Dialect['protocol']): ColumnCodec[] | null {
  const keys = pulledFields(statements.name, statements.columns.map((c) => c.key), protocol);
  return keys && statements.columns.filter((c) => keys.includes(c.key));
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

/**
 * Writes every row's stored change again when the expression that makes it changed since it was
 * written (a migration added a column, or the format itself changed), in one transaction, so a pull
 * never serves a change without a column the table has (docs/sync-protocol.md 11.1).
 */
function rebuildStaleChanges(sqlite: SqliteDatabase, tables: readonly TableStatements[]): void {
  const db = drizzle({ client: sqlite, schema });
  const { storedChanges } = schema;
  sqlite.transaction(() => {
    for (const table of tables) {
      const stored = db.select().from(storedChanges).where(eq(storedChanges.tableName, table.name)).get();
      if (stored?.format === table.format) continue;
      sqlite.prepare(`UPDATE "${table.name}" SET change = ${table.format}`).run();
      db.insert(storedChanges)
        .values({ tableName: table.name, format: table.format })
        .onConflictDoUpdate({ target: storedChanges.tableName, set: { format: table.format } })
        .run();
    }
  }).immediate();
}

interface PageStatements {
  page: Statement<{ since: number; limit: number }, PageRow>;
  pageSorted: Statement<{ since: number; limit: number }, PageRow>;
  moreAfter: Statement<{ upTo: number }, number>;
}

/**
 * A page in one statement: an ordered merge over the tables' server_version indexes (no sort), its
 * changes joined into one JSON array by SQLite and returned as bytes. Building the array from one JS
 * string per change (decoded from UTF-8, joined, encoded again) cost more than reading the rows.
 * The aggregate meets the merge's rows in order, but SQLite only promises that with an ORDER BY
 * inside group_concat, which sorts them again at twice the cost: so the versions are joined the
 * same way and checked, and the sorting statement answers only if they ever come out of order.
 */
function pageStatements(sqlite: SqliteDatabase, tables: readonly TableStatements[], protocol: Dialect['protocol']): PageStatements {
  const served = tables.flatMap((t) => {
    const columns = servedColumns(t, protocol);
    return columns ? [{ name: t.name, columns }] : [];
  });
  // Version 2 reads the change stored with each row; version 1 builds its narrower one when served.
  const change = (name: string, columns: readonly ColumnCodec[]) =>
    protocol === 2 ? 'change' : `json_object('table', '${name}', 'version', server_version, 'row', ${recordJson(columns)})`;
  const merge = served.map(
    ({ name, columns }) => `SELECT server_version AS v, ${change(name, columns)} AS change FROM "${name}" WHERE server_version > @since`,
  );
  const pageOf = (order: string) =>
    sqlite.prepare(
      `SELECT group_concat(v, ','${order}) AS versions, CAST('[' || group_concat(change, ','${order}) || ']' AS BLOB) AS changes ` +
        `FROM (${merge.join(' UNION ALL ')} ORDER BY v LIMIT @limit)`,
    ) as Statement<{ since: number; limit: number }, PageRow>;
  const after = served.map(({ name }) => `SELECT 1 FROM "${name}" WHERE server_version > @upTo`);
  return {
    page: pageOf(''),
    pageSorted: pageOf(' ORDER BY v'),
    moreAfter: sqlite.prepare(`SELECT EXISTS (${after.join(' UNION ALL ')})`).pluck() as Statement<{ upTo: number }, number>,
  };
}

export interface SqliteSyncStorageOptions {
  file: string;
  /** The server clock (ms): future-stamp checks and the machines registry. */
  now?: () => number;
  migrationsFolder?: string;
}

export class SqliteSyncStorage implements SyncStorage {
  readonly engine = 'sqlite';
  private readonly tables: Record<SyncedTableName, TableStatements>;
  private readonly bookkeeping: ReturnType<typeof bookkeepingStatements>;
  private readonly pages: Record<Dialect['protocol'], PageStatements>;
  private readonly readPageInTransaction: (since: number, limit: number, protocol: Dialect['protocol']) => PullPage;
  private readonly applyInTransaction: (
    machineId: string,
    changes: PushRequest['changes'],
    dialect: Dialect,
  ) => { results: PushResult[]; stored: number; now: number };

  constructor(
    readonly sqlite: SqliteDatabase,
    private readonly now: () => number,
  ) {
    this.tables = Object.fromEntries(SYNCED_TABLE_NAMES.map((t) => [t, new TableStatements(sqlite, t)])) as Record<
      SyncedTableName,
      TableStatements
    >;
    this.bookkeeping = bookkeepingStatements(drizzle({ client: sqlite, schema }));
    rebuildStaleChanges(sqlite, Object.values(this.tables));
    this.pages = { 1: pageStatements(sqlite, Object.values(this.tables), 1), 2: pageStatements(sqlite, Object.values(this.tables), 2) };
    this.applyInTransaction = sqlite.transaction((machineId, changes, dialect) => this.apply(machineId, changes, dialect));
    this.readPageInTransaction = sqlite.transaction((since, limit, protocol) => this.readPage(since, limit, protocol));
  }

  applyPush(machineId: string, changes: PushRequest['changes'], dialect: Dialect = CURRENT_DIALECT): PushResult[] {
    const { results, stored, now } = this.applyInTransaction(machineId, changes, dialect);
    this.noteMachine('push', { machineId, now, rows: stored });
    return results;
  }

  /** Runs inside one transaction: every version of the push commits together and in order. */
  private apply(machineId: string, changes: PushRequest['changes'], dialect: Dialect) {
    const now = this.now();
    const { results, accepted } = classifyPush(changes, now, dialect);
    const lastVersion = this.lastVersion();
    const plan = planPush(accepted, results, (table, id) => this.storedRecord(table, id), machineId, now, lastVersion);
    for (const { table, row, version } of plan.writes) this.tables[table].upsert.run(this.tables[table].values(row, version));
    if (plan.version !== lastVersion) this.bookkeeping.writeCounter.run({ version: plan.version });
    return { results: results as PushResult[], stored: plan.stored, now };
  }

  private storedRecord(table: SyncedTableName, id: string): StoredRecord | undefined {
    const current = this.tables[table].current.get(id);
    return current && { record: JSON.parse(current.record) as WireRecord, version: current.version };
  }

  pull(since: number, limit: number, protocol: Dialect['protocol'] = 2): PullPage {
    return this.readPageInTransaction(since, limit, protocol);
  }

  private readPage(since: number, limit: number, protocol: Dialect['protocol']): PullPage {
    const statements = this.pages[protocol];
    let row = statements.page.get({ since, limit })!;
    if (row.versions === null) return { changes: Buffer.from('[]'), count: 0, cursor: since, hasMore: false };
    let versions = row.versions.split(',').map(Number);
    if (!isIncreasing(versions)) {
      row = statements.pageSorted.get({ since, limit })!;
      versions = row.versions!.split(',').map(Number);
    }
    const upTo = versions.at(-1)!;
    return { changes: row.changes!, count: versions.length, cursor: upTo, hasMore: statements.moreAfter.get({ upTo }) === 1 };
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
    return {
      version: this.lastVersion(),
      tables,
      machines: this.bookkeeping.listMachines.all(),
      storage: { engine: this.engine, schemaVersion: appliedMigrationTimes(this.sqlite).length },
    };
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
