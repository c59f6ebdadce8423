import { is, Param, Placeholder } from 'drizzle-orm';
import type { SqliteDatabase } from './connection';

interface ToSQL {
  toSQL(): { sql: string; params: unknown[] };
}

type Values = Record<string, unknown>;

/**
 * A drizzle query with `sql.placeholder` values, compiled once into a raw better-sqlite3 statement
 * whose parameters are bound by position through each column's own encoder (JSON, boolean).
 *
 * Why not drizzle's `.prepare()`: it re-resolves every placeholder through `is()` checks on each
 * call, which measured about 4 µs a row here, a third of a SQLite insert; batch entry and pull apply
 * run this per row (bench/local-entry.bench.ts). The SQL still comes from the typed table definition.
 */
export function compileStatement(sqlite: SqliteDatabase, query: ToSQL) {
  const { sql, params } = query.toSQL();
  const binders = params.map((param): ((values: Values) => unknown) => {
    if (is(param, Param) && is(param.value, Placeholder)) {
      const { name } = param.value;
      const encoder = param.encoder;
      return (values) => {
        const value = values[name];
        return value === null || value === undefined ? null : encoder.mapToDriverValue(value);
      };
    }
    if (is(param, Placeholder)) return (values) => values[param.name] ?? null;
    return () => param;
  });
  const statement = sqlite.prepare(sql);
  return {
    run(values: Values) {
      return statement.run(binders.map((bind) => bind(values)));
    },
  };
}
