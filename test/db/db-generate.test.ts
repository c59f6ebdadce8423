import { copyProject, editFile, migrationFiles, npmRun } from '../support/project-copy';

/** `npm run db:generate` (scripts/db-generate.mjs) on copies of this project, without a terminal, as CI runs it. */

jest.setTimeout(60_000);

/** One per drizzle config: the app, the server on SQLite, the server on PostgreSQL. */
const MIGRATION_SETS = ['local', 'server', 'server-pg'] as const;

describe('npm run db:generate', () => {
  it('exits 0 and writes nothing on a tree whose migrations match its schema', async () => {
    const copy = copyProject();
    const before = MIGRATION_SETS.map((set) => migrationFiles(copy, set));
    const run = await npmRun(copy, 'db:generate');
    expect(run.code).toBe(0);
    expect(run.output.match(/No schema changes, nothing to migrate/g)).toHaveLength(MIGRATION_SETS.length);
    expect(MIGRATION_SETS.map((set) => migrationFiles(copy, set))).toEqual(before);
  });

  it('fails with a message saying what to do when drizzle-kit would have to ask (a renamed column), writing nothing', async () => {
    const copy = copyProject();
    const before = MIGRATION_SETS.map((set) => migrationFiles(copy, set));
    editFile(copy, 'src/db/domain-columns.ts', "headName: text('head_name')", "headName: text('head_of_household')");
    const run = await npmRun(copy, 'db:generate');
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/db:generate stopped: for drizzle\.config\.ts, drizzle-kit needs to ask whether a table or column was renamed/);
    expect(run.output).toMatch(/docs\/adding-a-field\.md/);
    expect(MIGRATION_SETS.map((set) => migrationFiles(copy, set))).toEqual(before);
  });
});
