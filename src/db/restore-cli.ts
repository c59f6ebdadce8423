import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { knownKeys } from './database-key';
import { restoreDatabase, RestoreError } from './restore';

/**
 * `npm run db:restore -- --data DIR [--backup FILE]`: puts the newest backup in DIR/backups (or FILE)
 * in place of DIR/blos.db. `--db FILE` instead of `--data DIR` names another database (the sync CLI's,
 * the server's). See README, "Restoring a backup".
 */

const USAGE = 'usage: npm run db:restore -- (--data DIR | --db FILE) [--backup FILE]';

const argsSchema = z
  .object({ data: z.string().min(1).optional(), db: z.string().min(1).optional(), backup: z.string().min(1).optional() })
  .refine((args) => (args.data === undefined) !== (args.db === undefined), { message: 'give either --data DIR or --db FILE' });

function databaseFile(argv: string[]): { file: string; backup?: string } | null {
  const { values } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, db: { type: 'string' }, backup: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) return null;
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new RestoreError(`${parsed.error.issues[0]!.message}\n${USAGE}`);
  const { data, db, backup } = parsed.data;
  return { file: path.resolve(db ?? path.join(data!, 'blos.db')), backup };
}

export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const target = databaseFile(argv);
  if (!target) {
    console.log(USAGE);
    return 0;
  }
  // Backups are encrypted with the database's key: the one in BLOS_DATABASE_KEY or the key file.
  const result = restoreDatabase(target.file, target.backup, knownKeys(target.file, { env }));
  console.log(`restored ${result.file} from ${result.backup} (it passed the integrity check)`);
  if (result.keptAside) console.log(`the file it replaced is kept as ${result.keptAside}`);
  console.log('Changes made after the backup are not in it: those that were synced come back at the next sync.');
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    // For a person at a terminal: what happened, never a stack trace.
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
