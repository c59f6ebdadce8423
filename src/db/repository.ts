import { and, asc, count, desc, eq, exists, gt, gte, inArray, isNull, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { SQLiteSyncDialect, type SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { v7 as uuidv7 } from 'uuid';
import type { HybridClock } from './clock';
import { compileRowStatement } from './compiled-statement';
import { nameWords, namesAlike } from './name-similarity';
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
  /** Exact matches on the table's filterable columns (e.g. area, householdId, outcome). */
  filters?: Record<string, string>;
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
  sortable: Record<string, SQLiteColumn>;
  /** Tables whose rows reference this one by household_id and are tombstoned with it. */
  dependents: readonly SyncedTableName[];
}

const LIKE_ESCAPE = '\\';
function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c)}%`;
}

/**
 * The user's words as FTS5 prefix queries, each quoted so that FTS syntax (quotes, `-`, `*`, `NEAR`,
 * column filters) is taken literally. A word without a letter or digit can match nothing.
 */
export function fullTextWords(search: string): string[] {
  return search
    .split(/\s+/)
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .map((word) => `"${word.replace(/"/g, '""')}"*`);
}

interface SearchHit {
  seq: number;
  id: string;
}

/** A household's search documents share the range [seq * DOC_SLOT, (seq + 1) * DOC_SLOT) (migration 0004). */
const DOC_SLOT = 2 ** 20;
// Inlined, not bound: better-sqlite3 binds numbers as REAL, which would turn the division fractional.
const SLOT_SQL = sql.raw(String(DOC_SLOT));
const dialect = new SQLiteSyncDialect();

/**
 * Tuning of a search with filters (`searchHits`). Tests pass small ones, so that a few hundred
 * households take every way a search can run.
 */
export interface SearchLimits {
  /** The newest documents of the words walked first, their filters checked on each. */
  windowDocuments: number;
  /**
   * If the filters passed fewer households than this share of the window's documents, and the words
   * have more documents below it than `mostGathered`, the households the filters pass below it are
   * gathered (otherwise the walk goes on)...
   */
  walkOnHitRate: number;
  /** ...up to this many: past it the walk goes on. */
  mostGathered: number;
}
/** Chosen from measurements at 100,000 households (docs/ui.md): each part's cost and what it saves. */
export const SEARCH_LIMITS: SearchLimits = { windowDocuments: 4_000, walkOnHitRate: 1 / 100, mostGathered: 10_000 };
/** Looking one household up in the index costs about what walking this many documents costs (docs/ui.md). */
const DOCUMENTS_PER_LOOKUP = 32;
/** The index's prefix lengths go up to this (migration 0004: prefix='1 2 3'). */
const LONGEST_INDEXED_PREFIX = 3;
const householdHasDocument = `select 1 from record_search where record_search match ? and rowid between ? and ?`;
const documentsBetweenUpTo = `select count(*) from (select 1 from record_search where record_search match ? and rowid between ? and ? limit ?)`;
const nthDocumentBelow = `select rowid from record_search where record_search match ? and rowid < ? order by rowid desc limit 1 offset ?`;

/**
 * Whether FTS5 finds this term's documents in a household's range with one seek: an exact term, or a
 * prefix the prefix index holds (of the last token: the ones before it in a phrase are exact). For a
 * longer prefix it merges the document lists of every term starting with it, again at each lookup.
 * Tokens are split here roughly as unicode61 splits them: a wrong guess costs time, never results.
 */
function seeksDirectly(term: string): boolean {
  if (!term.endsWith('*')) return true;
  const lastToken = term.slice(1, -2).split(/[^\p{L}\p{N}]+/u).filter(Boolean).at(-1) ?? '';
  return [...lastToken].length <= LONGEST_INDEXED_PREFIX;
}

/**
 * A term the prefix index answers whose documents include every document of `term`: its first
 * token's first letters. Where the documents need only be counted roughly, this spares FTS5 merging
 * the document lists of a longer prefix.
 */
function indexedPrefixOf(term: string): string {
  if (seeksDirectly(term)) return term;
  const firstToken = term.slice(1, -2).split(/[^\p{L}\p{N}]+/u).find(Boolean) ?? '';
  return `"${[...firstToken].slice(0, LONGEST_INDEXED_PREFIX).join('')}"*`;
}

/** Fewer digits than this are too common to call two households the same. */
const MIN_PHONE_DIGITS = 6;
/** A spelling variant of a name is looked for among documents whose words start with these many of its letters, */
const VARIANT_FIRST_LETTERS = 2;
/** the newest this many of them. */
const MOST_VARIANT_CANDIDATES = 500;

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
  private readonly limits: SearchLimits;

  constructor(
    private readonly ctx: RepositoryContext,
    readonly name: T,
    private readonly spec: RepositorySpec,
  ) {
    this.table = schema.syncedTables[name];
    this.shape = new RowShape(name);
    this.limits = ctx.searchLimits ?? SEARCH_LIMITS;
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

  list(query: ListQuery = {}): Page<SyncedRow<T>> {
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
  *matchingIds(query: Omit<ListQuery, 'sort' | 'limit' | 'after'>, size: number): Generator<string[]> {
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
    let found = 0;
    for (const hit of this.plannedHits(words, rest, belowSeq)) {
      yield hit;
      if (++found >= max) return;
    }
  }

  /**
   * A search reads the index newest document first, checking the filters on each household's. Where
   * the filters pass many households, that finds the page within a window of documents. A window
   * with few passing means the walk could read most of the index before it finds enough ("a" + a
   * week's visits made in the oldest households), so below it the filtered households are gathered,
   * when few enough, and only the documents between the newest and the oldest of them are read:
   * walked, or looked up household by household, whichever reads less.
   */
  private *plannedHits(words: string[], rest: ListQuery, belowSeq: number): Generator<SearchHit> {
    const filtered = Object.keys(rest.filters ?? {}).length > 0 || rest.visited !== undefined;
    const windowEnd = filtered ? this.windowEnd(words.map(indexedPrefixOf).join(' '), belowSeq) : null;
    let found = 0;
    for (const hit of this.walkedHits(words, rest, belowSeq, windowEnd ?? 0)) {
      found++;
      yield hit;
    }
    if (windowEnd === null) return;
    const fewFound = found < this.limits.windowDocuments * this.limits.walkOnHitRate;
    // Walking the words' last few documents costs less than gathering households, however few pass.
    const manyLeft = () => this.documentsBetween(words, 0, windowEnd - 1, this.limits.mostGathered) > this.limits.mostGathered;
    const gathered = fewFound && manyLeft() ? this.gatheredHits(words, rest, windowEnd) : null;
    yield* gathered ?? this.walkedHits(words, rest, windowEnd, 0);
  }

  /**
   * The seq of the household whose documents end the window below `belowSeq`, counted with the
   * words' indexed prefixes (so the window holds at most that many of the words' own); null: they
   * have no more documents than a window there.
   */
  private windowEnd(match: string, belowSeq: number): number | null {
    const below = BigInt(Number.isFinite(belowSeq) ? belowSeq * DOC_SLOT : Number.MAX_SAFE_INTEGER);
    const rowid = this.ctx.sqlite.prepare(nthDocumentBelow).pluck().safeIntegers().get(match, below, this.limits.windowDocuments) as bigint | undefined;
    return rowid === undefined ? null : Number(rowid / BigInt(DOC_SLOT));
  }

  /** The hits below `belowSeq` read from the filtered households; null: too many of those to gather. */
  private gatheredHits(words: string[], rest: ListQuery, belowSeq: number): Iterable<SearchHit> | null {
    const households = this.filteredHouseholds(rest, belowSeq);
    if (!households || households.length === 0) return households;
    const [newest, oldest] = [households[0]!.seq, households.at(-1)!.seq];
    if (this.lookupsReadLess(words, households.length, newest, oldest)) return this.lookedUpHits(words, households);
    return this.walkedHits(words, rest, newest + 1, oldest);
  }

  /** The live households below `belowSeq` the filters pass, newest first; null past `mostGathered`. */
  private filteredHouseholds(rest: ListQuery, belowSeq: number): SearchHit[] | null {
    // A column's index yields few households, each of whose visits is then checked at once; a visit
    // filter alone is quicker read once from the visits' index.
    const visitsChecked = Object.keys(rest.filters ?? {}).length > 0 ? 'per household' : 'gathered';
    // Unary + keeps SQLite from walking search_households by seq instead of the filters' indexes.
    const query = dialect.sqlToQuery(sql`select search_households.seq as seq, ${this.table.id} as id
      from ${this.table} join search_households on search_households.household_id = ${this.table.id}
      where +search_households.seq < ${belowSeq} and ${and(sql`1`, ...this.conditions(rest, visitsChecked))}
      limit ${sql.raw(String(this.limits.mostGathered + 1))}`);
    const households = this.ctx.sqlite.prepare(query.sql).all(...query.params) as SearchHit[];
    return households.length > this.limits.mostGathered ? null : households.sort((a, b) => b.seq - a.seq);
  }

  /**
   * Both ways yield the same households in the same order, so they stop at the same place, having
   * read the documents or looked up the filtered households above it: compared over the whole range.
   * A prefix longer than the prefix index's is no seek: FTS5 merges the document lists of every term
   * it starts at each lookup, as much as one walk.
   */
  private lookupsReadLess(words: string[], lookups: number, newest: number, oldest: number): boolean {
    if (!words.every(seeksDirectly)) return false;
    const walkedAsLong = lookups * DOCUMENTS_PER_LOOKUP;
    return this.documentsBetween(words, oldest, newest, walkedAsLong) > walkedAsLong;
  }

  /** The words' documents of the households from `oldest` to `newest` (seqs), counted up to `most` + 1. */
  private documentsBetween(words: string[], oldest: number, newest: number, most: number): number {
    const range = [BigInt(oldest * DOC_SLOT), BigInt((newest + 1) * DOC_SLOT - 1)];
    return this.ctx.sqlite.prepare(documentsBetweenUpTo).pluck().get(words.join(' '), ...range, most + 1) as number;
  }

  /** `households` (newest first) whose documents match the words, each looked up in its own range. */
  private *lookedUpHits(words: string[], households: SearchHit[]): Generator<SearchHit> {
    const hasDocument = this.ctx.sqlite.prepare(householdHasDocument).pluck();
    const match = words.join(' ');
    for (const household of households) {
      const first = household.seq * DOC_SLOT;
      if (hasDocument.get(match, BigInt(first), BigInt(first + DOC_SLOT - 1)) !== undefined) yield household;
    }
  }

  /** The index read newest document first, below `belowSeq`'s documents down to `fromSeq`'s, each household once, its filters checked per document. */
  private *walkedHits(words: string[], rest: ListQuery, belowSeq: number, fromSeq: number): Generator<SearchHit> {
    // CROSS JOIN keeps the index as the outer loop, read in descending document order.
    const below = Number.isFinite(belowSeq) ? sql`record_search.rowid < ${sql.raw(String(belowSeq * DOC_SLOT))}` : sql`1`;
    const query = dialect.sqlToQuery(sql`select record_search.rowid / ${SLOT_SQL} as seq, record_search.household_id as id
      from record_search cross join ${this.table} on ${this.table.id} = record_search.household_id
      where record_search match ${words.join(' ')} and ${below} and record_search.rowid >= ${sql.raw(String(fromSeq * DOC_SLOT))}
        and ${and(sql`1`, ...this.conditions(rest, 'per household'))}
      order by record_search.rowid desc`);
    let lastSeq: number | null = null;
    for (const hit of this.ctx.sqlite.prepare(query.sql).iterate(...query.params) as Iterable<SearchHit>) {
      if (hit.seq === lastSeq) continue; // another document of the same household
      lastSeq = hit.seq;
      yield hit;
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
    const area = typed.area.trim();
    const offer = (id: string) => found.size < limit && !found.has(id) && found.set(id, 'name');
    for (const name of typed.names) {
      const words = fullTextWords(name);
      if (!area || words.length === 0 || found.size >= limit) continue;
      for (const hit of this.searchHits(words, { filters: { area } }, limit)) offer(hit.id);
      for (const id of this.spelledAlike(name, area)) {
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
   * Households in `area` with a document whose words are another spelling of `name`'s, newest first.
   * A spelling variant mostly keeps a word's first letters, so the candidates are the newest
   * documents with words starting as the typed ones do.
   */
  private *spelledAlike(name: string, area: string): Generator<string> {
    const typed = nameWords(name);
    if (typed.length === 0) return;
    const match = typed.map((word) => `"${word.slice(0, VARIANT_FIRST_LETTERS)}"*`).join(' ');
    const query = dialect.sqlToQuery(sql`select record_search.household_id as id, record_search.body as body
      from record_search cross join ${this.table} on ${this.table.id} = record_search.household_id
      where record_search match ${match} and ${eq(this.spec.filterable.area!, area)} and ${isNull(this.table.deletedAt)}
      order by record_search.rowid desc limit ${sql.raw(String(MOST_VARIANT_CANDIDATES))}`);
    for (const document of this.ctx.sqlite.prepare(query.sql).iterate(...query.params) as Iterable<{ id: string; body: string }>) {
      if (namesAlike(typed, nameWords(document.body))) yield document.id;
    }
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
      conditions.push(eq(column, value));
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
