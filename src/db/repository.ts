import { and, asc, count, desc, eq, exists, gt, gte, inArray, isNull, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { SQLiteSyncDialect, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { v7 as uuidv7 } from 'uuid';
import type { HybridClock } from './clock';
import { compileRowStatement } from './compiled-statement';
import { fullTextWords, HouseholdSearch, type SearchFilters, type SearchHit, type SearchLimits } from './household-search';
import { RowShape } from './row-shape';
import type { SqliteDatabase } from './connection';
import { stampedFields, type RecordInput } from './record-schemas';
import { compactStamps, expandStamps, type Stamp } from './field-stamps';
import * as schema from './schema';
import type { SyncedTableName } from './schema';

export type LocalDrizzle = BetterSQLite3Database<typeof schema>;
export type SyncedTables = typeof schema.syncedTables;
export type SyncedRow<T extends SyncedTableName> = SyncedTables[T]['$inferSelect'];

export interface RepositoryContext {
  sqlite: SqliteDatabase;
  db: LocalDrizzle;
  clock: HybridClock;
  machineId: string;
  /** Told after every committed local write, so the sync engine can schedule a push. */
  onLocalWrite: (table: SyncedTableName) => void;
  searchLimits?: SearchLimits;
}

export interface ListQuery {
  /**
   * Households: every word is the start of a word in the household or its people (full-text index).
   * Other tables: a case-insensitive substring of their searchable columns.
   */
  search?: string;
  /**
   * Exact matches on the table's filterable columns (e.g. area, householdId, outcome); those in the
   * spec's `ignoringCase` match every spelling on live rows that differs only in capitals. A list
   * matches any of its values.
   */
  filters?: Record<string, string | readonly string[]>;
  /** Households only: those with a live visit matching all of these (outcome, visited in [from, to]). */
  visited?: VisitedFilter;
  /** A sortable column (default: newest first by id). Ties are broken by id, in the same direction. */
  sort?: { by: string; descending?: boolean };
  /** Page size (1..500, default 50). */
  limit?: number;
  /** Keyset cursor: the `nextAfter` of the previous page, of the same query and sort. */
  after?: string | null;
  includeDeleted?: boolean;
}

export interface VisitedFilter {
  outcome?: string;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, inclusive. */
  to?: number;
}

export interface Page<Row> {
  items: Row[];
  /** Rows matching the query, all pages together, counted up to COUNT_LIMIT. */
  total: number;
  /** More than `total` rows match: counting stopped at COUNT_LIMIT. */
  totalIsLowerBound: boolean;
  /** Cursor for the next page, null on the last one. */
  nextAfter: string | null;
}

/**
 * Counting stops here: an exact count of 100,000 matches costs more than the page itself, and
 * "more than 1,000" tells a person as much.
 */
export const COUNT_LIMIT = 1000;
/**
 * A search counts fewer: each match is read through the index and its household row, and past a
 * couple of hundred matches a person types another letter rather than read on.
 */
export const SEARCH_COUNT_LIMIT = 200;

export class RecordNotFoundError extends Error {
  constructor(table: string, id: string) {
    super(`No ${table} record with id ${id} (or it was deleted)`);
    this.name = 'RecordNotFoundError';
  }
}

interface RepositorySpec {
  /** Searched by substring unless the table has a full-text index. */
  searchable: readonly SQLiteColumn[];
  /** The table's rows are indexed in `record_search` by their household (migration 0004). */
  fullText?: boolean;
  filterable: Record<string, SQLiteColumn>;
  /** Filters typed by people, matched without regard to case (each through `storedSpellings`). */
  ignoringCase?: readonly string[];
  sortable: Record<string, SQLiteColumn>;
  /** Tables whose rows reference this one by household_id and are tombstoned with it. */
  dependents: readonly SyncedTableName[];
}

const LIKE_ESCAPE = '\\';
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}

const dialect = new SQLiteSyncDialect();
/** Values a person picks from, in the order a person reads them (not by character codes: "kano" beside "Kano"). */
const READER_ORDER = new Intl.Collator(undefined, { numeric: true });
/** Spellings that differ only in capitals: "kano north" is "Kano North", "Kanó" is not "Kano". */
const IGNORING_CASE = new Intl.Collator(undefined, { sensitivity: 'accent' });

/** Fewer digits than this are too common to call two households the same. */
const MIN_PHONE_DIGITS = 6;

/** Keyset cursors: the last row's sort value and id, so the next page starts right after it. */
function encodeCursor(value: unknown, id: string): string {
  return JSON.stringify([value, id]);
}
function decodeCursor(cursor: string): [string | number, string] {
  const parsed: unknown = JSON.parse(cursor);
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[1] !== 'string' || !['string', 'number'].includes(typeof parsed[0])) {
    throw new Error(`Not a list cursor: ${cursor}`);
  }
  return parsed as [string | number, string];
}

/**
 * Create, update, tombstone, read and list one synced table. Every mutation stamps `updated_at` from
 * the hybrid clock and `machine_id`, and marks the row dirty, in the same transaction as the change.
 * Inputs are trusted here (typed); the boundaries (IPC, HTTP) validate them with `recordInputs`.
 */
export class SyncedRepository<T extends SyncedTableName> {
  private readonly table: SyncedTables[T];
  private readonly shape: RowShape;
  // Prepared once: drizzle re-prepares unprepared queries on every call (ARCHITECTURE 7).
  private readonly insertStatement;
  private readonly getStatement;
  private readonly search: HouseholdSearch;

  constructor(
    private readonly ctx: RepositoryContext,
    readonly name: T,
    private readonly spec: RepositorySpec,
  ) {
    this.table = schema.syncedTables[name];
    this.shape = new RowShape(name);
    this.search = new HouseholdSearch(ctx.sqlite, ctx.searchLimits);
    this.insertStatement = compileRowStatement(ctx.sqlite, ctx.db.insert(this.table).values(this.shape.placeholders() as never), this.shape.keys);
    this.getStatement = ctx.db
      .select()
      .from(this.table as typeof schema.households)
      .where(eq(this.table.id, sql.placeholder('id')))
      .prepare();
  }

  private newRow(input: RecordInput<T>, stamp: number, by: string): SyncedRow<T> {
    return this.shape.fill(input, {
      id: uuidv7(),
      createdAt: stamp,
      updatedAt: stamp,
      machineId: this.ctx.machineId,
      updatedBy: by,
      fieldStamps: {},
      deletedAt: null,
      serverVersion: null,
      baseStamps: {},
      dirty: true,
    }) as SyncedRow<T>;
  }

  /** `by`: the account making the change (it travels with the record, so conflicts can name it). */
  create(input: RecordInput<T>, by = ''): SyncedRow<T> {
    const row = this.newRow(input, this.ctx.clock.stamp(), by);
    this.insertStatement.run(this.shape.encode(row));
    this.ctx.onLocalWrite(this.name);
    return row;
  }

  /**
   * Saves many new records in one transaction: all of them or none. They share one clock stamp:
   * each is a new row, so no two of them can ever be compared by last-write-wins.
   */
  batchCreate(inputs: readonly RecordInput<T>[], by = ''): SyncedRow<T>[] {
    if (inputs.length === 0) return [];
    const rows = this.ctx.sqlite.transaction(() => {
      const stamp = this.ctx.clock.stamp();
      return inputs.map((input) => {
        const row = this.newRow(input, stamp, by);
        this.insertStatement.run(this.shape.encode(row));
        return row;
      });
    })();
    this.ctx.onLocalWrite(this.name);
    return rows;
  }

  get(id: string): SyncedRow<T> | undefined {
    return this.getStatement.get({ id }) as SyncedRow<T> | undefined;
  }

  /**
   * Changes the fields of `patch` whose values differ: only those get this edit's stamp, so an edit
   * of one field never overwrites another PC's concurrent edit of another (per-field last-write-wins).
   * Saving unchanged values writes nothing.
   */
  update(id: string, patch: Partial<RecordInput<T>>, by = ''): SyncedRow<T> {
    return this.edit(() => {
      const current = this.live(id);
      return writeEdit(this.ctx, this.name, current, this.changedFields(current, patch), by);
    });
  }

  /** Tombstones the record (and the records that belong to it); it syncs like any other change. */
  softDelete(id: string, by = ''): SyncedRow<T> {
    return this.edit(() => {
      const current = this.live(id);
      const at = nextStamp(this.ctx, current);
      const deleted = writeEdit(this.ctx, this.name, current, { deletedAt: at }, by, at);
      for (const child of this.dependents(id, null)) writeEdit(this.ctx, child.name, child.row, { deletedAt: at }, by, at);
      return deleted;
    });
  }

  /** Brings a deleted record back, with the records deleted together with it. */
  restore(id: string, by = ''): SyncedRow<T> {
    return this.edit(() => {
      const current = this.get(id);
      if (!current || current.deletedAt === null) throw new RecordNotFoundError(this.name, id);
      for (const child of this.dependents(id, current.deletedAt)) writeEdit(this.ctx, child.name, child.row, { deletedAt: null }, by);
      return writeEdit(this.ctx, this.name, current, { deletedAt: null }, by);
    });
  }

  /** In one immediate transaction: the row is read under the write lock it is written with. */
  private edit(work: () => SyncedRow<T>): SyncedRow<T> {
    const row = this.ctx.sqlite.transaction(work).immediate();
    this.ctx.onLocalWrite(this.name);
    return row;
  }

  private live(id: string): SyncedRow<T> {
    const row = this.get(id);
    if (!row || row.deletedAt !== null) throw new RecordNotFoundError(this.name, id);
    return row;
  }

  /** The rows of dependent tables that belong to `householdId` and are deleted at `deletedAt` (null: alive). */
  private dependents(householdId: string, deletedAt: number | null): { name: SyncedTableName; row: SyncedRow<SyncedTableName> }[] {
    return this.spec.dependents.flatMap((name) => {
      const child = schema.syncedTables[name] as typeof schema.people;
      return this.ctx.db
        .select()
        .from(child)
        .where(and(eq(child.householdId, householdId), deletedAt === null ? isNull(child.deletedAt) : eq(child.deletedAt, deletedAt)))
        .all()
        .map((row) => ({ name, row }));
    });
  }

  /** The fields of `patch` whose values differ from the row's (JSON values compared as JSON). */
  private changedFields(row: SyncedRow<T>, patch: Partial<RecordInput<T>>): Record<string, unknown> {
    const current = row as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(patch).filter(([key, value]) => value !== undefined && JSON.stringify(value) !== JSON.stringify(current[key])),
    );
  }

  list(typedQuery: ListQuery = {}): Page<SyncedRow<T>> {
    const query = this.asStored(typedQuery);
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const words = this.spec.fullText && query.search?.trim() ? fullTextWords(query.search) : null;
    const unsearched = { ...query, search: words ? undefined : query.search };
    if (words && words.length > 0 && !query.sort) return this.searchPage(words, unsearched, limit);
    let where = and(...this.conditions(unsearched));
    let matches: number | null = null;
    if (words) {
      // Sorted search results: the newest SEARCH_COUNT_LIMIT matching households, in the order asked for.
      const ids = words.length === 0 ? [] : [...this.searchHits(words, unsearched, SEARCH_COUNT_LIMIT + 1)].map((hit) => hit.id);
      matches = ids.length;
      where = and(where, inArray(this.table.id, sql`(select value from json_each(${JSON.stringify(ids.slice(0, SEARCH_COUNT_LIMIT))}))`));
    }

    // Default order: UUID v7 ids sort by creation time, newest first.
    const sortColumn = query.sort ? this.spec.sortable[query.sort.by] : undefined;
    if (query.sort && !sortColumn) throw new Error(`${this.name} cannot be sorted by "${query.sort.by}"`);
    const descending = query.sort ? (query.sort.descending ?? false) : true;
    const direction = descending ? desc : asc;
    let pageWhere = where;
    if (query.after && sortColumn) {
      const [value, id] = decodeCursor(query.after);
      const past = descending ? sql`(${sortColumn}, ${this.table.id}) < (${value}, ${id})` : sql`(${sortColumn}, ${this.table.id}) > (${value}, ${id})`;
      pageWhere = and(where, past);
    } else if (query.after) {
      pageWhere = and(where, (descending ? lt : gt)(this.table.id, query.after));
    }
    const items = this.ctx.db
      .select()
      .from(this.table as typeof schema.households)
      .where(pageWhere)
      .orderBy(...(sortColumn ? [direction(sortColumn)] : []), direction(this.table.id))
      .limit(limit + 1)
      .all() as SyncedRow<T>[];
    const hasMore = items.length > limit;
    if (hasMore) items.pop();
    // A first page with room to spare holds every match: no second pass over rare matches to count them.
    if (matches === null && !query.after && !hasMore) matches = items.length;
    if (matches === null) {
      const counted = this.ctx.db.select({ one: sql`1` }).from(this.table).where(where).limit(COUNT_LIMIT + 1).as('counted');
      matches = this.ctx.db.select({ n: count() }).from(counted).get()?.n ?? 0;
    }
    const last = items.at(-1) as Record<string, unknown> | undefined;
    const nextAfter = !hasMore || !last ? null : query.sort ? encodeCursor(last[query.sort.by], String(last.id)) : String(last.id);
    const limitOfCount = words ? SEARCH_COUNT_LIMIT : COUNT_LIMIT;
    return { items, total: Math.min(matches, limitOfCount), totalIsLowerBound: matches > limitOfCount, nextAfter };
  }

  /**
   * A full-text search, newest household first, read from the index in document order so that it
   * stops once it has a page and the count up to SEARCH_COUNT_LIMIT: a first keystroke matching most of the table
   * costs no more than a rare word. The cursor is the last household's seq.
   */
  private searchPage(words: string[], rest: ListQuery, limit: number): Page<SyncedRow<T>> {
    const before = rest.after ? Number(rest.after) : Infinity;
    const page: SearchHit[] = [];
    let matches = 0;
    let hasMore = false;
    for (const hit of this.searchHits(words, rest)) {
      matches++;
      if (hit.seq < before) {
        if (page.length < limit) page.push(hit);
        else hasMore = true;
      }
      if (hasMore && matches > SEARCH_COUNT_LIMIT) break;
    }
    const rows = page.length === 0 ? [] : (this.ctx.db.select().from(this.table as typeof schema.households).where(inArray(this.table.id, page.map((p) => p.id))).all() as SyncedRow<T>[]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return {
      items: page.map((p) => byId.get(p.id)!),
      total: Math.min(matches, SEARCH_COUNT_LIMIT),
      totalIsLowerBound: matches > SEARCH_COUNT_LIMIT,
      nextAfter: hasMore ? String(page.at(-1)!.seq) : null,
    };
  }

  /**
   * The ids of every row matching `query` (search, filters, visits; never sorted), newest first,
   * `size` at a time and uncounted: an export reads 100,000 of them a chunk at a time, and no
   * statement stays open between chunks, so other calls run on the connection in between.
   */
  *matchingIds(typedQuery: Omit<ListQuery, 'sort' | 'limit' | 'after'>, size: number): Generator<string[]> {
    const query = this.asStored(typedQuery);
    const words = this.spec.fullText && query.search?.trim() ? fullTextWords(query.search) : null;
    if (words) {
      let belowSeq = Infinity;
      while (words.length > 0) {
        const hits = [...this.searchHits(words, { ...query, search: undefined }, size, belowSeq)];
        if (hits.length > 0) yield hits.map((hit) => hit.id);
        if (hits.length < size) return;
        belowSeq = hits.at(-1)!.seq;
      }
      return;
    }
    const where = and(...this.conditions(query));
    let after: string | null = null;
    for (;;) {
      const rows = this.ctx.db
        .select({ id: this.table.id })
        .from(this.table as typeof schema.households)
        .where(after === null ? where : and(where, lt(this.table.id, after)))
        .orderBy(desc(this.table.id))
        .limit(size)
        .all();
      if (rows.length > 0) yield rows.map((row) => row.id);
      if (rows.length < size) return;
      after = rows.at(-1)!.id;
    }
  }

  /**
   * The live rows of these households (people in id order; visits by when they were made, only
   * those `visited` asks for, as the households list's visit filter picks them).
   */
  ofHouseholds(householdIds: readonly string[], visited?: VisitedFilter): SyncedRow<T>[] {
    const householdId = this.spec.filterable.householdId;
    if (!householdId) throw new Error(`${this.name} rows do not belong to households`);
    if (visited && this.name !== 'visits') throw new Error(`${this.name} cannot be filtered by visits`);
    const { visits } = schema;
    const rows = this.name === 'visits' ? this.ctx.db.select().from(visits) : this.ctx.db.select().from(this.table as typeof schema.people);
    return rows
      .where(and(inArray(householdId, [...householdIds]), this.name === 'visits' ? matchingVisits(visited ?? {}) : isNull(this.table.deletedAt)))
      .orderBy(...(this.name === 'visits' ? [asc(visits.visitedAt)] : []), asc(this.table.id))
      .all() as SyncedRow<T>[];
  }

  /** The rows of `ids`, in that order (ids of rows that are gone are left out). */
  getMany(ids: readonly string[]): SyncedRow<T>[] {
    if (ids.length === 0) return [];
    const rows = this.ctx.db.select().from(this.table as typeof schema.households).where(inArray(this.table.id, [...ids])).all() as SyncedRow<T>[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * The live households matching every word (in one document: the household's own, or one of its
   * people's, which carries the household's fields too) and the other conditions, newest first,
   * each once, lazily: the caller stops reading when it has enough.
   */
  private *searchHits(words: string[], rest: ListQuery, max = Infinity, belowSeq = Infinity): Generator<SearchHit> {
    const columnFiltered = Object.keys(rest.filters ?? {}).length > 0;
    const perHousehold = and(sql`1`, ...this.conditions(rest, 'per household'))!;
    const filters: SearchFilters = {
      any: columnFiltered || rest.visited !== undefined,
      perHousehold,
      // A column's index yields few households, each of whose visits is then checked at once; a visit
      // filter alone is quicker read once from the visits' index.
      gathering: columnFiltered ? perHousehold : and(sql`1`, ...this.conditions(rest, 'gathered'))!,
    };
    let found = 0;
    for (const hit of this.search.hits(words, filters, belowSeq)) {
      yield hit;
      if (++found >= max) return;
    }
  }

  /**
   * Households already on this PC that the one being typed may duplicate: the same phone number
   * (its digits), or a name whose every word starts a word of a household's head or of one of its
   * people, or is another spelling of one (src/db/name-similarity.ts), in the same area. Newest
   * first, at most `limit` (households only).
   */
  likelyDuplicates(typed: { area: string; names: readonly string[]; phone: string }, limit = 5): { row: SyncedRow<T>; reason: 'phone' | 'name' }[] {
    if (!this.spec.fullText) throw new Error(`${this.name} has no full-text index`);
    const found = new Map<string, 'phone' | 'name'>();
    const digits = typed.phone.replace(/[^0-9]/g, '');
    if (digits.length >= MIN_PHONE_DIGITS) {
      for (const hit of this.searchHits([`"${digits}"`], {}, limit)) found.set(hit.id, 'phone');
    }
    const area = this.storedSpellings('area', typed.area.trim());
    const offer = (id: string) => found.size < limit && !found.has(id) && found.set(id, 'name');
    for (const name of typed.names) {
      const words = fullTextWords(name);
      if (area.length === 0 || words.length === 0 || found.size >= limit) continue;
      for (const hit of this.searchHits(words, { filters: { area } }, limit)) offer(hit.id);
      for (const id of this.search.spelledAlike(name, area)) {
        if (found.size >= limit) break;
        offer(id);
      }
    }
    if (found.size === 0) return [];
    const rows = this.ctx.db.select().from(this.table as typeof schema.households).where(inArray(this.table.id, [...found.keys()])).all() as SyncedRow<T>[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return [...found].map(([id, reason]) => ({ row: byId.get(id)!, reason }));
  }

  /**
   * The distinct values of a filterable column on live rows, in the reader's order: what a filter
   * suggests. The column must lead an index of live rows (households_area_entered_by_idx for
   * area): it is read by skipping from one value to the next, a seek per value, not a row per row.
   */
  liveValues(key: string): string[] {
    const column = this.spec.filterable[key];
    if (!column) throw new Error(`${this.name} cannot be filtered by "${key}"`);
    const query = dialect.sqlToQuery(sql`with recursive live(value) as (
        select min(${column}) from ${this.table} where ${isNull(this.table.deletedAt)}
        union all
        select (select min(${column}) from ${this.table} where ${isNull(this.table.deletedAt)} and ${column} > live.value) from live where live.value is not null
      )
      select value from live where value is not null and value <> ''`);
    const values = this.ctx.sqlite.prepare(query.sql).pluck().all(...query.params) as string[];
    return values.sort(READER_ORDER.compare);
  }

  /**
   * The query with each filter that ignores case replaced by the spellings stored on this PC:
   * matched exactly, the filter keeps its index ("kano north" finds "Kano North" as fast).
   */
  private asStored<Q extends ListQuery>(query: Q): Q {
    const typed = Object.entries(query.filters ?? {}).filter(([key]) => this.spec.ignoringCase?.includes(key));
    if (typed.length === 0) return query;
    const stored = typed.map(([key, value]) => [key, [value].flat().flatMap((one) => this.storedSpellings(key, one.trim()))]);
    return { ...query, filters: { ...query.filters, ...Object.fromEntries(stored) } };
  }

  /** The values of filter `key` on live rows that are `typed` but for capitals. */
  private storedSpellings(key: string, typed: string): string[] {
    if (!typed) return [];
    return this.liveValues(key).filter((value) => IGNORING_CASE.compare(value, typed) === 0);
  }

  /**
   * `visitsChecked`: how the visit filter is applied. 'gathered' collects the matching visits'
   * households once (the list walks households in id order and probes that set); 'per household'
   * looks up each candidate's visits, for a search, whose index documents are the outer loop (with
   * a gathered set there, SQLite seeks every household in the set for every document).
   */
  private conditions(query: ListQuery, visitsChecked: 'gathered' | 'per household' = 'gathered'): (SQL | undefined)[] {
    const conditions: (SQL | undefined)[] = [];
    if (!query.includeDeleted) conditions.push(isNull(this.table.deletedAt));
    for (const [key, value] of Object.entries(query.filters ?? {})) {
      const column = this.spec.filterable[key];
      if (!column) throw new Error(`${this.name} cannot be filtered by "${key}"`);
      conditions.push(typeof value === 'string' ? eq(column, value) : inArray(column, [...value]));
    }
    if (query.visited) conditions.push(this.visitedCondition(query.visited, visitsChecked));
    const search = query.search?.trim();
    if (search) {
      const pattern = likePattern(search);
      conditions.push(or(...this.spec.searchable.map((c) => sql`${like(c, pattern)} ESCAPE ${LIKE_ESCAPE}`)));
    }
    return conditions;
  }

  private visitedCondition(visited: VisitedFilter, visitsChecked: 'gathered' | 'per household'): SQL {
    if (this.name !== 'households') throw new Error(`${this.name} cannot be filtered by visits`);
    const { visits } = schema;
    const matching = matchingVisits(visited);
    if (visitsChecked === 'per household') {
      return exists(this.ctx.db.select({ one: sql`1` }).from(visits).where(and(eq(visits.householdId, this.table.id), matching)));
    }
    return inArray(this.table.id, this.ctx.db.select({ id: visits.householdId }).from(visits).where(matching));
  }
}

/** The live visits a visit filter asks for (outcome, made within [from, to]). */
function matchingVisits(visited: VisitedFilter): SQL | undefined {
  const { visits } = schema;
  return and(
    isNull(visits.deletedAt),
    visited.outcome !== undefined ? eq(visits.outcome, visited.outcome as never) : undefined,
    visited.from !== undefined ? gte(visits.visitedAt, visited.from) : undefined,
    visited.to !== undefined ? lte(visits.visitedAt, visited.to) : undefined,
  );
}

/**
 * Above the clock and above the row's own stamp: the sync worker writes rows on its own connection
 * and the clock hears of their stamps a moment later; an edit in between must still come after the
 * version it replaces, or last-write-wins would undo it.
 */
function nextStamp(ctx: RepositoryContext, row: SyncedRow<SyncedTableName>, at = ctx.clock.stamp()): number {
  return Math.max(at, row.updatedAt + 1);
}

/**
 * Writes `changes` to a row as one edit stamped now; only the changed fields get the new stamp. A
 * row the server has seen remembers, per changed field, the stamp of the value it replaced, until
 * the server acknowledges the edit: that is how the server tells a concurrent edit (a conflict) from
 * a later one (docs/sync-protocol.md 5.1).
 */
function writeEdit<T extends SyncedTableName>(
  ctx: RepositoryContext,
  name: T,
  row: SyncedRow<SyncedTableName>,
  changes: Record<string, unknown>,
  by: string,
  /** One moment for several rows changed together (a household and its people deleted with it). */
  at?: number,
): SyncedRow<T> {
  if (Object.keys(changes).length === 0) return row as SyncedRow<T>;
  const stamp: Stamp = { updatedAt: nextStamp(ctx, row, at), machineId: ctx.machineId, updatedBy: by };
  const stamps = expandStamps(row, stampedFields(name), () => true);
  const baseStamps = { ...row.baseStamps };
  for (const field of Object.keys(changes)) {
    if (row.serverVersion !== null && !(field in baseStamps)) baseStamps[field] = stamps[field] ?? null;
    stamps[field] = stamp;
  }
  const { id: _id, ...values } = { ...row, ...changes, ...compactStamps(stamps), baseStamps, dirty: true };
  const table = schema.syncedTables[name] as typeof schema.households;
  const written = ctx.db.update(table).set(values as never).where(eq(table.id, row.id)).returning().get() as SyncedRow<T>;
  ctx.clock.observe(stamp.updatedAt);
  return written;
}

export function createRepositories(ctx: RepositoryContext) {
  const { households, people, visits, conflicts } = schema;
  return {
    households: new SyncedRepository(ctx, 'households', {
      searchable: [],
      fullText: true,
      filterable: { area: households.area, enteredBy: households.enteredBy },
      ignoringCase: ['area'],
      sortable: { headName: households.headName, area: households.area, enteredBy: households.enteredBy },
      dependents: ['people', 'visits'],
    }),
    people: new SyncedRepository(ctx, 'people', {
      searchable: [people.fullName, people.phone, people.idDocument],
      filterable: { householdId: people.householdId, gender: people.gender },
      sortable: { fullName: people.fullName },
      dependents: [],
    }),
    visits: new SyncedRepository(ctx, 'visits', {
      searchable: [visits.notes, visits.enteredBy],
      filterable: { householdId: visits.householdId, outcome: visits.outcome, enteredBy: visits.enteredBy },
      sortable: { visitedAt: visits.visitedAt },
      dependents: [],
    }),
    conflicts: new SyncedRepository(ctx, 'conflicts', {
      searchable: [],
      filterable: { recordTable: conflicts.recordTable, recordId: conflicts.recordId },
      sortable: {},
      dependents: [],
    }),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
