import type { LocalStore } from '../../db/local-store';
import { readReports } from '../../db/reports';
import { RecordNotFoundError } from '../../db/repository';
import type { RecordTableName } from '../../db/schema';
import type { RecordRow } from '../../ipc/contract';
import { AppError } from '../../shared/app-error';
import type { HandlerMap } from '../context';

type AnyRepository = LocalStore['repos'][RecordTableName];
/** The contract has validated the values for `table`; one repository type serves all three here. */
const repo = (store: LocalStore, table: RecordTableName) => store.repos[table] as unknown as LocalStore['repos']['households'];

function notFound(table: RecordTableName, id: string): AppError {
  return new AppError('not_found', `This ${singular[table]} no longer exists (it may have been deleted).`, { id: 'not found' });
}
const singular: Record<RecordTableName, string> = { households: 'household', people: 'person', visits: 'visit' };

/**
 * People and visits must belong to a live household. The foreign key alone would accept a deleted
 * (tombstoned) household, and its SQLite error names no field.
 */
function requireHouseholds(store: LocalStore, table: RecordTableName, values: readonly { householdId?: string }[], path: (i: number) => string) {
  if (table === 'households') return;
  const fields: Record<string, string> = {};
  for (const [i, value] of values.entries()) {
    if (value.householdId === undefined) continue;
    const household = store.repos.households.get(value.householdId);
    if (!household || household.deletedAt !== null) fields[path(i)] = 'no such household (it may have been deleted)';
  }
  if (Object.keys(fields).length > 0) throw new AppError('invalid_input', 'The household was not found.', fields);
}

function rethrowNotFound<T>(table: RecordTableName, id: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RecordNotFoundError) throw notFound(table, id);
    throw error;
  }
}

/** A record knows who entered it: the signed-in account, never a value from the renderer. */
function stampEnteredBy<V extends object>(values: V, username: string): V {
  return { ...values, enteredBy: username };
}

export const recordHandlers: HandlerMap<
  | 'records.list'
  | 'records.get'
  | 'records.create'
  | 'records.batchCreate'
  | 'records.update'
  | 'records.delete'
  | 'records.restore'
  | 'records.enterHousehold'
  | 'records.likelyDuplicates'
  | 'records.areas'
  | 'reports.summary'
> = {
  'records.list': (input, _ctx, { store }) => {
    const { table, ...query } = input;
    return (store.repos[table] as AnyRepository).list(query as never) as ReturnType<AnyRepository['list']> as never;
  },

  'records.get': (input, _ctx, { store }) => {
    const row = repo(store, input.table).get(input.id);
    if (!row || row.deletedAt !== null) throw notFound(input.table, input.id);
    return row as RecordRow;
  },

  'records.create': (input, ctx, { store }) => {
    requireHouseholds(store, input.table, [input.values as { householdId?: string }], () => 'values.householdId');
    return repo(store, input.table).create(stampEnteredBy(input.values, ctx.account.username) as never, ctx.account.username) as RecordRow;
  },

  'records.batchCreate': (input, ctx, { store }) => {
    requireHouseholds(store, input.table, input.values as { householdId?: string }[], (i) => `values.${i}.householdId`);
    const values = input.values.map((v) => stampEnteredBy(v, ctx.account.username));
    return repo(store, input.table).batchCreate(values as never, ctx.account.username) as RecordRow[];
  },

  'records.update': (input, ctx, { store }) => {
    requireHouseholds(store, input.table, [input.values as { householdId?: string }], () => 'values.householdId');
    return rethrowNotFound(input.table, input.id, () => repo(store, input.table).update(input.id, input.values as never, ctx.account.username) as RecordRow);
  },

  'records.delete': (input, ctx, { store }) =>
    rethrowNotFound(input.table, input.id, () => repo(store, input.table).softDelete(input.id, ctx.account.username) as RecordRow),

  'records.restore': (input, ctx, { store }) =>
    rethrowNotFound(input.table, input.id, () => {
      // A person or visit comes back only to a live household.
      const row = repo(store, input.table).get(input.id) as { householdId?: string } | undefined;
      if (row) requireHouseholds(store, input.table, [row], () => 'id');
      return repo(store, input.table).restore(input.id, ctx.account.username) as RecordRow;
    }),

  'reports.summary': (input, _ctx, { store }) => readReports(store.sqlite, input ?? {}),

  'records.likelyDuplicates': (input, _ctx, { store }) =>
    store.repos.households.likelyDuplicates(input).map(({ row, reason }) => ({ household: row, reason })),

  'records.areas': (_input, _ctx, { store }) => store.repos.households.liveValues('area'),

  'records.enterHousehold': (input, ctx, { store }) => {
    const by = ctx.account.username;
    // Savepoints inside one transaction: the household, its people and its visit, or nothing.
    return store.sqlite.transaction(() => {
      const household = store.repos.households.create(stampEnteredBy(input.household, by), by);
      const householdId = household.id;
      const people = input.people.length === 0 ? [] : store.repos.people.batchCreate(input.people.map((p) => stampEnteredBy({ ...p, householdId }, by)), by);
      const visit = input.visit ? store.repos.visits.create(stampEnteredBy({ ...input.visit, householdId }, by), by) : null;
      return { household, people, visit };
    })();
  },
};
