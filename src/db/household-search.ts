import { inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type { SqliteDatabase } from './connection';
import { nameWords, namesAlike } from './name-similarity';
import * as schema from './schema';

/**
 * Households found in the full-text index (migration 0004, docs/architecture.md "Household search"):
 * by the words typed, with the list's other conditions, and by another spelling of a name.
 */

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

export interface SearchHit {
  seq: number;
  id: string;
}

/** A household's search documents share the range [seq * DOC_SLOT, (seq + 1) * DOC_SLOT) (migration 0004). */
const DOC_SLOT = 2 ** 20;
// Inlined, not bound: better-sqlite3 binds numbers as REAL, which would turn the division fractional.
const SLOT_SQL = sql.raw(String(DOC_SLOT));
const dialect = new SQLiteSyncDialect();

/**
 * Tuning of a search with filters (`HouseholdSearch.hits`). Tests pass small ones, so that a few hundred
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
  return !term.endsWith('*') || [...(prefixTokens(term).at(-1) ?? '')].length <= LONGEST_INDEXED_PREFIX;
}

/** The tokens of a quoted prefix term (`"amina-bel"*`), split roughly as unicode61 splits them. */
function prefixTokens(term: string): string[] {
  return term.slice(1, -2).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * A term the prefix index answers whose documents include every document of `term`: its first
 * token's first letters. Where the documents need only be counted roughly, this spares FTS5 merging
 * the document lists of a longer prefix.
 */
function indexedPrefixOf(term: string): string {
  if (seeksDirectly(term)) return term;
  return `"${[...(prefixTokens(term)[0] ?? '')].slice(0, LONGEST_INDEXED_PREFIX).join('')}"*`;
}

/** A spelling variant of a name is looked for among documents whose words start with these many of its letters, */
const VARIANT_FIRST_LETTERS = 2;
/** the newest this many of them. */
const MOST_VARIANT_CANDIDATES = 500;

/** The conditions besides the words, as SQL on `households`. */
export interface SearchFilters {
  /** Whether there are any besides the household being live. */
  any: boolean;
  /** Checked on each document's household as the index is walked. */
  perHousehold: SQL;
  /** The same, as quickest when the households that pass are gathered. */
  gathering: SQL;
}

export class HouseholdSearch {
  constructor(
    private readonly sqlite: SqliteDatabase,
    private readonly limits: SearchLimits = SEARCH_LIMITS,
  ) {}

  /**
   * The live households matching every word (in one document: the household's own, or one of its
   * people's, which carries the household's fields too) and the filters, newest first, each once,
   * lazily: the caller stops reading when it has enough.
   *
   * A search reads the index newest document first, checking the filters on each household's. Where
   * the filters pass many households, that finds the page within a window of documents. A window
   * with few passing means the walk could read most of the index before it finds enough ("a" + a
   * week's visits made in the oldest households), so below it the filtered households are gathered,
   * when few enough, and only the documents between the newest and the oldest of them are read:
   * walked, or looked up household by household, whichever reads less.
   */
  *hits(words: string[], filters: SearchFilters, belowSeq = Infinity): Generator<SearchHit> {
    const windowEnd = filters.any ? this.windowEnd(words.map(indexedPrefixOf).join(' '), belowSeq) : null;
    let found = 0;
    for (const hit of this.walkedHits(words, filters, belowSeq, windowEnd ?? 0)) {
      found++;
      yield hit;
    }
    if (windowEnd === null) return;
    const fewFound = found < this.limits.windowDocuments * this.limits.walkOnHitRate;
    // Walking the words' last few documents costs less than gathering households, however few pass.
    const worthGathering = fewFound && this.documentsBetween(words, 0, windowEnd - 1, this.limits.mostGathered) > this.limits.mostGathered;
    const gathered = worthGathering ? this.gatheredHits(words, filters, windowEnd) : null;
    yield* gathered ?? this.walkedHits(words, filters, windowEnd, 0);
  }

  /**
   * The seq of the household whose documents end the window below `belowSeq`, counted with the
   * words' indexed prefixes (so the window holds at most that many of the words' own); null: they
   * have no more documents than a window there.
   */
  private windowEnd(match: string, belowSeq: number): number | null {
    const below = BigInt(Number.isFinite(belowSeq) ? belowSeq * DOC_SLOT : Number.MAX_SAFE_INTEGER);
    const rowid = this.sqlite.prepare(nthDocumentBelow).pluck().safeIntegers().get(match, below, this.limits.windowDocuments) as bigint | undefined;
    return rowid === undefined ? null : Number(rowid / BigInt(DOC_SLOT));
  }

  /** The hits below `belowSeq` read from the filtered households; null: too many of those to gather. */
  private gatheredHits(words: string[], filters: SearchFilters, belowSeq: number): Iterable<SearchHit> | null {
    const households = this.filteredHouseholds(filters, belowSeq);
    if (!households || households.length === 0) return households;
    const [newest, oldest] = [households[0]!.seq, households.at(-1)!.seq];
    if (this.lookupsReadLess(words, households.length, newest, oldest)) return this.lookedUpHits(words, households);
    return this.walkedHits(words, filters, newest + 1, oldest);
  }

  /** The live households below `belowSeq` the filters pass, newest first; null past `mostGathered`. */
  private filteredHouseholds(filters: SearchFilters, belowSeq: number): SearchHit[] | null {
    // Unary + keeps SQLite from walking search_households by seq instead of the filters' indexes.
    const query = dialect.sqlToQuery(sql`select search_households.seq as seq, ${schema.households.id} as id
      from ${schema.households} join search_households on search_households.household_id = ${schema.households.id}
      where +search_households.seq < ${belowSeq} and ${filters.gathering}
      limit ${sql.raw(String(this.limits.mostGathered + 1))}`);
    const households = this.sqlite.prepare(query.sql).all(...query.params) as SearchHit[];
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
    return this.sqlite.prepare(documentsBetweenUpTo).pluck().get(words.join(' '), ...range, most + 1) as number;
  }

  /** `households` (newest first) whose documents match the words, each looked up in its own range. */
  private *lookedUpHits(words: string[], households: SearchHit[]): Generator<SearchHit> {
    const hasDocument = this.sqlite.prepare(householdHasDocument).pluck();
    const match = words.join(' ');
    for (const household of households) {
      const first = household.seq * DOC_SLOT;
      if (hasDocument.get(match, BigInt(first), BigInt(first + DOC_SLOT - 1)) !== undefined) yield household;
    }
  }

  /** The index read newest document first, below `belowSeq`'s documents down to `fromSeq`'s, each household once, its filters checked per document. */
  private *walkedHits(words: string[], filters: SearchFilters, belowSeq: number, fromSeq: number): Generator<SearchHit> {
    // CROSS JOIN keeps the index as the outer loop, read in descending document order.
    const below = Number.isFinite(belowSeq) ? sql`record_search.rowid < ${sql.raw(String(belowSeq * DOC_SLOT))}` : sql`1`;
    const query = dialect.sqlToQuery(sql`select record_search.rowid / ${SLOT_SQL} as seq, record_search.household_id as id
      from record_search cross join ${schema.households} on ${schema.households.id} = record_search.household_id
      where record_search match ${words.join(' ')} and ${below} and record_search.rowid >= ${sql.raw(String(fromSeq * DOC_SLOT))}
        and ${filters.perHousehold}
      order by record_search.rowid desc`);
    let lastSeq: number | null = null;
    for (const hit of this.sqlite.prepare(query.sql).iterate(...query.params) as Iterable<SearchHit>) {
      if (hit.seq === lastSeq) continue; // another document of the same household
      lastSeq = hit.seq;
      yield hit;
    }
  }

  /**
   * Households in `area` (its stored spellings) with a document whose words are another spelling of `name`'s, newest first.
   * A spelling variant mostly keeps a word's first letters, so the candidates are the newest
   * documents with words starting as the typed ones do.
   */
  *spelledAlike(name: string, area: readonly string[]): Generator<string> {
    const typed = nameWords(name);
    if (typed.length === 0) return;
    const match = typed.map((word) => `"${word.slice(0, VARIANT_FIRST_LETTERS)}"*`).join(' ');
    const query = dialect.sqlToQuery(sql`select record_search.household_id as id, record_search.body as body
      from record_search cross join ${schema.households} on ${schema.households.id} = record_search.household_id
      where record_search match ${match} and ${inArray(schema.households.area, [...area])} and ${isNull(schema.households.deletedAt)}
      order by record_search.rowid desc limit ${sql.raw(String(MOST_VARIANT_CANDIDATES))}`);
    for (const document of this.sqlite.prepare(query.sql).iterate(...query.params) as Iterable<{ id: string; body: string }>) {
      if (namesAlike(typed, nameWords(document.body))) yield document.id;
    }
  }
}
