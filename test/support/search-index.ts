import type { SqliteDatabase } from '../../src/db/connection';

/**
 * What is wrong with a database's search index (migration 0004) against its rows, for the live
 * households: every live household and every live person of one has exactly one document, in the
 * household's slot, holding the text the index is meant to hold. Returns the documents missing from
 * the index and those it holds that it should not; both empty when the index is complete and true.
 */
export function searchIndexProblems(sqlite: SqliteDatabase): { missing: string[]; extra: string[] } {
  const digits = (phone: string) => `replace(replace(replace(replace(replace(${phone}, ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')`;
  const householdText = `h.head_name || ' ' || h.address || ' ' || h.area || ' ' || h.phone || ' ' || ${digits('h.phone')}`;
  const expected = sqlite
    .prepare(
      `SELECT h.id || ' | ' || ${householdText} FROM households h WHERE h.deleted_at IS NULL
       UNION ALL
       SELECT h.id || ' | ' || p.full_name || ' ' || p.phone || ' ' || ${digits('p.phone')} || ' ' || ${householdText}
       FROM people p JOIN households h ON h.id = p.household_id WHERE p.deleted_at IS NULL AND h.deleted_at IS NULL`,
    )
    .pluck()
    .all() as string[];
  const held = sqlite
    .prepare(
      `SELECT r.household_id || ' | ' || r.body || CASE WHEN r.rowid / ${2 ** 20} = s.seq THEN '' ELSE ' (outside its household''s slot)' END
       FROM record_search r JOIN households h ON h.id = r.household_id LEFT JOIN search_households s ON s.household_id = h.id
       WHERE h.deleted_at IS NULL`,
    )
    .pluck()
    .all() as string[];
  return { missing: difference(expected, held), extra: difference(held, expected) };
}

/** `a` without one occurrence of each item of `b`. */
function difference(a: string[], b: string[]): string[] {
  const left = new Map<string, number>();
  for (const item of b) left.set(item, (left.get(item) ?? 0) + 1);
  return a.filter((item) => {
    const n = left.get(item) ?? 0;
    if (n === 0) return true;
    left.set(item, n - 1);
    return false;
  });
}
