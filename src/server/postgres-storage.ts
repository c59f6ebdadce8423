import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import { findMigrations } from '../db/migrate';
import type { PushRequest, PushResult, WireRecord } from '../protocol/wire';
import { classifyPush, CURRENT_DIALECT, planPush, storedDefault, type Dialect, type PlannedWrite, type StoredRecord } from './push-rules';
import { pulledFields } from './pulled-fields';
import { checkPostgresSchema, type PgConnection, type PgQueryable } from './postgres-connection';
import * as schema from './schema-pg';
import type { MachineStatus, PullPage, ServerStatus, SyncStorage, TableStatus } from './storage';

export const SERVER_PG_MIGRATIONS = findMigrations('server-pg', __dirname);

/** Most parameters one statement may bind (PostgreSQL's protocol allows 65 535). */
const MAX_PARAMETERS = 60_000;

interface ColumnCodec {
  key: string;
  name: string;
  json: boolean;
  /** The parameter cast that types a bound value (every value is sent as text). */
  sqlType: string;
  /** Stored when a record leaves the column out (the column's default, else null). */
  fallback: unknown;
}

const quote = (identifier: string) => `"${identifier}"`;

/**
 * `row_to_json` of a record's columns: compact JSON (json_build_object would put spaces around its
 * colons), keys in column order, `json` columns embedded as stored, doubles in PostgreSQL's
 * shortest round-trip form (extra_float_digits 1, the default since PostgreSQL 12).
 */
function recordJson(columns: readonly ColumnCodec[]): string {
  return `(SELECT row_to_json(r) FROM (SELECT ${columns.map((c) => `${quote(c.name)} AS ${quote(c.key)}`).join(', ')}) r)`;
}

/**
 * SQL for one server table, generated from its drizzle definition (src/server/schema-pg.ts): every
 * identifier comes from the schema, never from a request.
 */
class TableSql {
  readonly columns: ColumnCodec[];
  /** Its stored records by id (`$1`, a text array), as the merge reads them, with their versions. */
  readonly current: string;
  readonly counts: string;
  private readonly upsertHead: string;
  private readonly upsertTail: string;

  constructor(readonly name: SyncedTableName) {
    const table = schema.serverTables[name] as PgTable;
    this.columns = Object.entries(getTableColumns(table) as Record<string, PgColumn>)
      .filter(([key]) => key !== 'serverVersion')
      .map(([key, column]) => {
        const json = column.dataType === 'json';
        return { key, name: column.name, json, sqlType: column.getSQLType(), fallback: storedDefault(name, key, json) };
      });
    const names = [...this.columns.map((c) => quote(c.name)), '"server_version"'];
    this.upsertHead = `INSERT INTO ${quote(name)} (${names.join(', ')}) VALUES `;
    this.upsertTail = ` ON CONFLICT ("id") DO UPDATE SET ${names
      .filter((n) => n !== '"id"')
      .map((n) => `${n} = excluded.${n}`)
      .join(', ')}`;
    this.current = `SELECT ${recordJson(this.columns)}::text AS record, server_version AS version FROM ${quote(name)} WHERE id = ANY($1::text[])`;
    this.counts = `SELECT count(*) AS rows, count(deleted_at) AS deleted FROM ${quote(name)}`;
  }

  /** Multi-row upserts of `writes` (each row once), as few statements as the parameter limit allows. */
  upserts(writes: readonly PlannedWrite[]): { text: string; values: unknown[] }[] {
    const width = this.columns.length + 1;
    const perStatement = Math.floor(MAX_PARAMETERS / width);
    const casts = [...this.columns.map((c) => c.sqlType), 'bigint'];
    const statements = [];
    for (let start = 0; start < writes.length; start += perStatement) {
      const chunk = writes.slice(start, start + perStatement);
      const values: unknown[] = [];
      const rows = chunk.map(({ row, version }) => {
        const first = values.length;
        for (const c of this.columns) {
          const value = row[c.key];
          values.push(value === undefined ? c.fallback : c.json ? JSON.stringify(value) : value);
        }
        values.push(version);
        return `(${casts.map((type, i) => `$${first + i + 1}::${type}`).join(', ')})`;
      });
      statements.push({ text: this.upsertHead + rows.join(', ') + this.upsertTail, values });
    }
    return statements;
  }
}

/**
 * A page in one statement, so its rows and `hasMore` come from one snapshot: each table's rows after
 * `since` through its server_version index, merged in version order, each change built as JSON by
 * PostgreSQL and joined into one array with string_agg.
 */
function pageSql(tables: readonly TableSql[], protocol: Dialect['protocol']): string {
  const served = tables.flatMap((t) => {
    const keys = pulledFields(t.name, t.columns.map((c) => c.key), protocol);
    return keys ? [{ name: t.name, columns: t.columns.filter((c) => keys.includes(c.key)) }] : [];
  });
  const change = (name: string, columns: readonly ColumnCodec[]) =>
    `'{"table":"${name}","version":' || server_version || ',"row":' || ${recordJson(columns)}::text || '}'`;
  const branches = served.map(
    ({ name, columns }) =>
      `(SELECT server_version AS v, ${change(name, columns)} AS change FROM ${quote(name)} WHERE server_version > $1 ORDER BY server_version LIMIT $2)`,
  );
  const after = served.map(({ name }) => `SELECT 1 FROM ${quote(name)} WHERE server_version > (SELECT max(v) FROM page)`);
  return (
    `WITH page AS (SELECT v, change FROM (${branches.join(' UNION ALL ')}) merged ORDER BY v LIMIT $2) ` +
    `SELECT count(*) AS count, max(v) AS cursor, '[' || string_agg(change, ',' ORDER BY v) || ']' AS changes, ` +
    `EXISTS (${after.join(' UNION ALL ')}) AS more FROM page`
  );
}

interface PageRow {
  count: string | number;
  cursor: string | number | null;
  changes: string | null;
  more: boolean;
}

const NOTE_MACHINE = {
  push:
    'INSERT INTO machines (machine_id, first_seen_at, last_push_at, rows_pushed) VALUES ($1, $2, $2, $3) ' +
    'ON CONFLICT (machine_id) DO UPDATE SET last_push_at = $2, rows_pushed = machines.rows_pushed + $3',
  pull:
    'INSERT INTO machines (machine_id, first_seen_at, last_pull_at, rows_pulled) VALUES ($1, $2, $2, $3) ' +
    'ON CONFLICT (machine_id) DO UPDATE SET last_pull_at = $2, rows_pulled = machines.rows_pulled + $3',
};

/** A bigint as node-postgres returns it (text) or PGlite (a number). */
const integer = (value: string | number) => Number(value);
const integerOrNull = (value: string | number | null) => (value === null ? null : Number(value));

export interface PostgresSyncStorageOptions {
  /** The server clock (ms): future-stamp checks and the machines registry. */
  now?: () => number;
  migrationsFolder?: string;
}

/**
 * The sync server's storage on PostgreSQL; several server processes may share one database.
 * Versions are handed out under a row lock on the counter, taken first in every push transaction
 * and held to its commit: pushes commit one at a time, in version order, so a pull never sees a
 * version while a lower one is still to commit (docs/sync-protocol.md 11.3), and each push merges
 * against what the push before it committed (the same record sent to two processes is stored once).
 */
export class PostgresSyncStorage implements SyncStorage {
  readonly engine = 'postgresql';
  private readonly tables: Record<SyncedTableName, TableSql>;
  private readonly pages: Record<Dialect['protocol'], string>;

  private constructor(
    readonly connection: PgConnection,
    readonly schemaVersion: number,
    private readonly now: () => number,
  ) {
    this.tables = Object.fromEntries(SYNCED_TABLE_NAMES.map((t) => [t, new TableSql(t)])) as Record<SyncedTableName, TableSql>;
    this.pages = { 1: pageSql(Object.values(this.tables), 1), 2: pageSql(Object.values(this.tables), 2) };
  }

  /** Over a migrated database; refuses (SchemaStateError) one not migrated or migrated by a newer server. */
  static async open(connection: PgConnection, options: PostgresSyncStorageOptions = {}): Promise<PostgresSyncStorage> {
    const { applied } = await checkPostgresSchema(connection, options.migrationsFolder ?? SERVER_PG_MIGRATIONS);
    return new PostgresSyncStorage(connection, applied, options.now ?? Date.now);
  }

  async applyPush(machineId: string, changes: PushRequest['changes'], dialect: Dialect = CURRENT_DIALECT): Promise<PushResult[]> {
    const now = this.now();
    const { results, accepted } = classifyPush(changes, now, dialect);
    if (accepted.length === 0) {
      await this.connection.query(NOTE_MACHINE.push, [machineId, now, 0]);
      return results as PushResult[];
    }
    await this.connection.transaction(async (tx) => {
      const counter = await tx.query<{ version: string | number }>('SELECT version FROM version_counter WHERE id = 1 FOR UPDATE');
      const lastVersion = integer(counter.rows[0]!.version);
      const stored = await this.storedRecords(tx, accepted);
      const plan = planPush(accepted, results, (table, id) => stored.get(`${table}\u0000${id}`), machineId, now, lastVersion);
      for (const table of SYNCED_TABLE_NAMES) {
        const writes = plan.writes.filter((w) => w.table === table);
        for (const statement of this.tables[table].upserts(writes)) await tx.query(statement.text, statement.values);
      }
      if (plan.version !== lastVersion) await tx.query('UPDATE version_counter SET version = $1 WHERE id = 1', [plan.version]);
      await tx.query(NOTE_MACHINE.push, [machineId, now, plan.stored]);
    });
    return results as PushResult[];
  }

  /** The stored records a push's accepted changes name, read in its transaction, by `table\0id`. */
  private async storedRecords(tx: PgQueryable, accepted: readonly { table: SyncedTableName; row: WireRecord }[]) {
    const found = new Map<string, StoredRecord>();
    for (const table of SYNCED_TABLE_NAMES) {
      const ids = accepted.filter((c) => c.table === table).map((c) => c.row.id);
      if (ids.length === 0) continue;
      const { rows } = await tx.query<{ record: string; version: string | number }>(this.tables[table].current, [ids]);
      for (const row of rows) {
        const record = JSON.parse(row.record) as WireRecord;
        found.set(`${table}\u0000${record.id}`, { record, version: integer(row.version) });
      }
    }
    return found;
  }

  async pull(since: number, limit: number, protocol: Dialect['protocol'] = 2): Promise<PullPage> {
    const { rows } = await this.connection.query<PageRow>(this.pages[protocol], [since, limit]);
    const page = rows[0]!;
    const count = integer(page.count);
    if (count === 0) return { changes: Buffer.from('[]'), count: 0, cursor: since, hasMore: false };
    return { changes: Buffer.from(page.changes!), count, cursor: integer(page.cursor!), hasMore: page.more };
  }

  async recordPull(machineId: string, rows: number): Promise<void> {
    await this.connection.query(NOTE_MACHINE.pull, [machineId, this.now(), rows]);
  }

  async status(): Promise<ServerStatus> {
    const tables = {} as Record<SyncedTableName, TableStatus>;
    for (const name of SYNCED_TABLE_NAMES) {
      const { rows } = await this.connection.query<{ rows: string | number; deleted: string | number }>(this.tables[name].counts);
      tables[name] = { rows: integer(rows[0]!.rows), deleted: integer(rows[0]!.deleted) };
    }
    const counter = await this.connection.query<{ version: string | number }>('SELECT version FROM version_counter WHERE id = 1');
    const machines = await this.connection.query<Record<string, string | number | null>>(
      'SELECT machine_id, first_seen_at, last_push_at, last_pull_at, rows_pushed, rows_pulled FROM machines ORDER BY first_seen_at, machine_id',
    );
    return {
      version: integer(counter.rows[0]!.version),
      tables,
      machines: machines.rows.map(
        (m): MachineStatus => ({
          machineId: String(m.machine_id),
          firstSeenAt: integer(m.first_seen_at!),
          lastPushAt: integerOrNull(m.last_push_at!),
          lastPullAt: integerOrNull(m.last_pull_at!),
          rowsPushed: integer(m.rows_pushed!),
          rowsPulled: integer(m.rows_pulled!),
        }),
      ),
      storage: { engine: this.engine, schemaVersion: this.schemaVersion },
    };
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
