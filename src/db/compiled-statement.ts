import { is, Param, Placeholder } from 'drizzle-orm';
import type { SqliteDatabase } from './connection';

interface ToSQL {
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * A drizzle query whose parameters are the placeholders `keys`, in that order (an insert or upsert of
 * every column, from RowShape.placeholders()), compiled once into a raw better-sqlite3 statement that
 * binds an array of values already encoded by RowShape.encode.
 *
 * Why not drizzle's `.prepare()`: it re-resolves every placeholder through `is()` checks on each
 * call, a third of the cost of a SQLite insert; batch entry and pull apply run this per row
 * (figures in docs/architecture.md). The SQL still comes from the typed table definition,
 * and a query whose parameters are not exactly `keys` is refused when compiled, not mis-bound later.
 */
export function compileRowStatement(sqlite: SqliteDatabase, query: ToSQL, keys: readonly string[]) {
  const { sql, params } = query.toSQL();
  const names = params.map((param) => {
    if (is(param, Param) && is(param.value, Placeholder)) return param.value.name;
    return is(param, Placeholder) ? param.name : null;
  });
  if (names.length !== keys.length || names.some((name, i) => name !== keys[i])) {
    throw new Error(`compileRowStatement: the query binds (${names.join(', ')}), not (${keys.join(', ')})`);
  }
  const statement = sqlite.prepare<unknown[]>(sql);
  return {
    run(values: readonly unknown[]) {
      return statement.run(values as unknown[]);
    },
  };
}
