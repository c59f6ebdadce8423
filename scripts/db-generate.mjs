// `npm run db:generate`: drizzle-kit migrations for the app's database and the server's, in turn.
// drizzle-kit asks interactively when it cannot tell a rename from a drop and an add; without a
// terminal it prints "Interactive prompts require a TTY" and still exits 0, having written nothing.
// This wrapper turns that into a failure that says what to do.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const CONFIGS = ['drizzle.config.ts', 'drizzle.server.config.ts', 'drizzle.server-pg.config.ts'];
// The package exports no paths; its bin is where npm installed it.
const drizzleKit = path.resolve(import.meta.dirname, '../node_modules/drizzle-kit/bin.cjs');
const extra = process.argv.slice(2);

for (const config of CONFIGS) {
  const run = spawnSync(process.execPath, [drizzleKit, 'generate', '--config', config, ...extra], { encoding: 'utf8' });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const output = `${run.stdout}\n${run.stderr}`;
  if (/Interactive prompts require a TTY/i.test(output)) {
    console.error(
      `\ndb:generate stopped: for ${config}, drizzle-kit needs to ask whether a table or column was renamed, ` +
        'and there is no terminal to ask in. Nothing was generated.\n' +
        `Run \`npx drizzle-kit generate --config ${config}\` in a terminal and answer it, or make the change in two steps ` +
        '(remove in one migration, add in the next). A synced field is never renamed on the wire: see docs/adding-a-field.md.',
    );
    process.exit(1);
  }
  if (run.status !== 0) {
    console.error(`\ndb:generate stopped: drizzle-kit failed for ${config} (exit ${run.status ?? run.signal}).`);
    process.exit(run.status ?? 1);
  }
}
