import { count, desc, lt } from 'drizzle-orm';
import { conflictLog, SYNCED_TABLE_NAMES, type SyncedTableName } from '../../db/schema';
import type { ConflictEntry, DashboardSummary } from '../../ipc/contract';
import type { CoreServices, HandlerMap } from '../context';

const isTable = (name: string): name is SyncedTableName => (SYNCED_TABLE_NAMES as readonly string[]).includes(name);

function startOfLocalDay(now: number): number {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

function dashboard({ store, engine, now }: CoreServices): DashboardSummary {
  const since = startOfLocalDay(now());
  const counts = {} as Record<SyncedTableName, number>;
  const today = {} as Record<SyncedTableName, number>;
  for (const table of SYNCED_TABLE_NAMES) {
    // Table names come from the schema's own list, never from input.
    const row = store.sqlite
      .prepare(`SELECT COUNT(*) AS live, COALESCE(SUM(created_at >= ?), 0) AS today FROM "${table}" WHERE deleted_at IS NULL`)
      .get(since) as { live: number; today: number };
    counts[table] = row.live;
    today[table] = row.today;
  }
  return { counts, today, sync: engine.status };
}

export const syncHandlers: HandlerMap<'dashboard.summary' | 'sync.status' | 'sync.now' | 'sync.conflicts' | 'sync.rejections'> = {
  'dashboard.summary': (_input, _ctx, core) => dashboard(core),
  'sync.status': (_input, _ctx, { engine }) => engine.status,
  'sync.now': (_input, _ctx, { engine }) => engine.syncNow(),
  'sync.rejections': (_input, _ctx, { engine }) => engine.status.rejected,

  'sync.conflicts': (input, _ctx, { store }) => {
    const limit = input?.limit ?? 50;
    const total = store.db.select({ n: count() }).from(conflictLog).get()?.n ?? 0;
    const rows = store.db
      .select()
      .from(conflictLog)
      .where(input?.after ? lt(conflictLog.id, input.after) : undefined)
      .orderBy(desc(conflictLog.id))
      .limit(limit + 1)
      .all();
    const hasMore = rows.length > limit;
    if (hasMore) rows.pop();
    const items: ConflictEntry[] = rows.flatMap(({ tableName, ...row }) => (isTable(tableName) ? [{ ...row, table: tableName }] : []));
    return { items, total, nextAfter: hasMore ? (rows.at(-1)?.id ?? null) : null };
  },
};
