import { and, count, desc, eq, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { LocalStore } from '../../db/local-store';
import { RecordNotFoundError } from '../../db/repository';
import { conflicts, RECORD_TABLE_NAMES, type RecordTableName } from '../../db/schema';
import type { ConflictEntry, DashboardSummary, RecordRow, SyncView } from '../../ipc/contract';
import { AppError } from '../../shared/app-error';
import type { CoreServices, HandlerMap, UserCallContext } from '../context';

function startOfLocalDay(now: number): number {
  const day = new Date(now);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** Open conflicts this PC or the signed-in account lost: theirs to see, keep or dismiss. */
function lostHereOrByYou(store: LocalStore, ctx: UserCallContext): SQL {
  return and(isNull(conflicts.deletedAt), or(eq(conflicts.lostMachineId, store.machineId), eq(conflicts.lostBy, ctx.account.username)))!;
}

function syncView({ store, engine }: CoreServices, ctx: UserCallContext): SyncView {
  const open = store.db.select({ n: count() }).from(conflicts).where(lostHereOrByYou(store, ctx)).get()?.n ?? 0;
  return { ...engine.status, conflicts: open };
}

function dashboard(core: CoreServices, ctx: UserCallContext): DashboardSummary {
  const { store, now } = core;
  const since = startOfLocalDay(now());
  const counts = {} as Record<RecordTableName, number>;
  const today = {} as Record<RecordTableName, number>;
  for (const table of RECORD_TABLE_NAMES) {
    // Table names come from the schema's own list, never from input.
    const row = store.sqlite
      .prepare(`SELECT COUNT(*) AS live, COALESCE(SUM(created_at >= ?), 0) AS today FROM "${table}" WHERE deleted_at IS NULL`)
      .get(since) as { live: number; today: number };
    counts[table] = row.live;
    today[table] = row.today;
  }
  return { counts, today, sync: syncView(core, ctx) };
}

/** How people know a record: never its id. */
function recordLabel(store: LocalStore, table: RecordTableName, id: string): { label: string; exists: boolean } {
  const row = store.repos[table].get(id) as Record<string, unknown> | undefined;
  if (!row) return { label: 'a record not on this PC yet', exists: false };
  const household = (householdId: unknown) => {
    const parent = store.repos.households.get(String(householdId));
    return parent ? parent.headName || `a household in ${parent.area}` : 'a household';
  };
  const label =
    table === 'households'
      ? household(id)
      : table === 'people'
        ? String(row.fullName)
        : `visit of ${new Date(Number(row.visitedAt)).toLocaleDateString()} to ${household(row.householdId)}`;
  return { label, exists: row.deletedAt === null };
}

function openConflict(store: LocalStore, ctx: UserCallContext, id: string) {
  const row = store.db.select().from(conflicts).where(and(eq(conflicts.id, id), lostHereOrByYou(store, ctx))).get();
  if (!row) throw new AppError('not_found', 'This conflict was already dismissed or resolved.');
  return row;
}

export const syncHandlers: HandlerMap<
  'dashboard.summary' | 'sync.status' | 'sync.now' | 'sync.conflicts' | 'sync.keepMine' | 'sync.dismissConflict' | 'sync.rejections'
> = {
  'dashboard.summary': (_input, ctx, core) => dashboard(core, ctx),
  'sync.status': (_input, ctx, core) => syncView(core, ctx),
  'sync.now': async (_input, ctx, core) => {
    await core.engine.syncNow();
    return syncView(core, ctx);
  },
  'sync.rejections': (_input, _ctx, { engine }) => engine.status.rejected,

  'sync.conflicts': (input, ctx, { store }) => {
    const limit = input?.limit ?? 50;
    const mine = lostHereOrByYou(store, ctx);
    const total = store.db.select({ n: count() }).from(conflicts).where(mine).get()?.n ?? 0;
    const rows = store.db
      .select()
      .from(conflicts)
      .where(input?.after ? and(mine, lt(conflicts.id, input.after)) : mine)
      .orderBy(desc(conflicts.id))
      .limit(limit + 1)
      .all();
    const hasMore = rows.length > limit;
    if (hasMore) rows.pop();
    const items: ConflictEntry[] = rows.map((row) => {
      const table = row.recordTable as RecordTableName;
      const { label, exists } = recordLabel(store, table, row.recordId);
      return {
        id: row.id,
        table,
        recordId: row.recordId,
        recordLabel: label,
        recordExists: exists,
        field: row.field,
        lostValue: row.lostValue,
        wonValue: row.wonValue,
        lostAt: row.lostAt,
        lostBy: row.lostBy,
        lostHere: row.lostMachineId === store.machineId,
        wonAt: row.wonAt,
        wonBy: row.wonBy,
        wonHere: row.wonMachineId === store.machineId,
      };
    });
    return { items, total, nextAfter: hasMore ? (rows.at(-1)?.id ?? null) : null };
  },

  'sync.keepMine': (input, ctx, { store }) =>
    store.sqlite
      .transaction(() => {
        const conflict = openConflict(store, ctx, input.id);
        const table = conflict.recordTable as RecordTableName;
        const repository = store.repos[table] as unknown as LocalStore['repos']['households'];
        const by = ctx.account.username;
        let row: RecordRow;
        try {
          row =
            conflict.field === 'deletedAt'
              ? repository.restore(conflict.recordId, by)
              : repository.update(conflict.recordId, { [conflict.field]: conflict.lostValue } as never, by);
        } catch (error) {
          if (!(error instanceof RecordNotFoundError)) throw error;
          throw new AppError('conflict', 'This record was deleted, so your value cannot be written back. Dismiss the conflict, or restore the record first.');
        }
        store.repos.conflicts.softDelete(conflict.id, by);
        return row;
      })
      .immediate(),

  'sync.dismissConflict': (input, ctx, { store }) => {
    store.repos.conflicts.softDelete(openConflict(store, ctx, input.id).id, ctx.account.username);
    return null;
  },
};
