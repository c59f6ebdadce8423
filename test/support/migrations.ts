import fs from 'node:fs';
import path from 'node:path';
import { LOCAL_MIGRATIONS } from '../../src/db/migrate';
import { tempDir } from './temp';

/**
 * A copy of the app's migrations with one more migration appended, the way a future app version
 * would ship it. Statements are separated the way drizzle-kit writes them.
 */
export function migrationsWithExtra(tag: string, statements: string[]): string {
  const folder = path.join(tempDir('blos-migrations-'), 'local');
  fs.cpSync(LOCAL_MIGRATIONS, folder, { recursive: true });
  const journalFile = path.join(folder, 'meta/_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8'));
  const last = journal.entries.at(-1);
  journal.entries.push({ idx: last.idx + 1, version: last.version, when: last.when + 1000, tag, breakpoints: true });
  fs.writeFileSync(journalFile, JSON.stringify(journal, null, 2));
  fs.writeFileSync(path.join(folder, `${tag}.sql`), statements.join('\n--> statement-breakpoint\n'));
  return folder;
}

/**
 * The statements drizzle-kit generates when a SQLite column change forces a table rebuild
 * (here: households gets a `village` column and loses the default on notes).
 */
export const HOUSEHOLDS_REBUILD = [
  'PRAGMA foreign_keys=OFF;',
  `CREATE TABLE \`__new_households\` (
	\`id\` text PRIMARY KEY NOT NULL, \`created_at\` integer NOT NULL, \`updated_at\` integer NOT NULL,
	\`machine_id\` text NOT NULL, \`updated_by\` text DEFAULT '' NOT NULL, \`field_stamps\` text DEFAULT '{}' NOT NULL,
	\`deleted_at\` integer, \`server_version\` integer, \`base_stamps\` text DEFAULT '{}' NOT NULL,
	\`dirty\` integer DEFAULT true NOT NULL, \`area\` text NOT NULL, \`address\` text DEFAULT '' NOT NULL,
	\`head_name\` text DEFAULT '' NOT NULL, \`phone\` text DEFAULT '' NOT NULL, \`geo_lat\` real, \`geo_lng\` real,
	\`notes\` text NOT NULL, \`entered_by\` text DEFAULT '' NOT NULL, \`village\` text DEFAULT '' NOT NULL
);`,
  `INSERT INTO \`__new_households\`("id", "created_at", "updated_at", "machine_id", "updated_by", "field_stamps", "deleted_at", "server_version", "base_stamps", "dirty", "area", "address", "head_name", "phone", "geo_lat", "geo_lng", "notes", "entered_by") SELECT "id", "created_at", "updated_at", "machine_id", "updated_by", "field_stamps", "deleted_at", "server_version", "base_stamps", "dirty", "area", "address", "head_name", "phone", "geo_lat", "geo_lng", "notes", "entered_by" FROM \`households\`;`,
  'DROP TABLE `households`;',
  'ALTER TABLE `__new_households` RENAME TO `households`;',
  'PRAGMA foreign_keys=ON;',
  'CREATE INDEX `households_dirty_idx` ON `households` (`id`) WHERE "dirty" = 1;',
  'CREATE INDEX `households_area_idx` ON `households` (`area`);',
];
