import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { changeDatabaseKey, issueRecoveryCode, keyFilePath, recoverWithCode, unlockDatabase } from './database-key';
import { DatabaseKeyError, fileFormat } from './encryption';
import { whileNotInUse } from './open-lock';

/**
 * `npm run db:key -- COMMAND --db FILE`: the database key from a terminal (docs/encryption.md).
 *   recover          reads the recovery code from standard input and writes the key to FILE.key,
 *                    where the app and the tools find it (the app then moves it into the keychain)
 *   change           re-encrypts FILE and its backups with a new key and prints a new recovery code;
 *                    with --recovery, the current key comes from the recovery code on standard input
 *   recovery-code    prints a new recovery code for the current key (the old code stops working)
 * Refused while the app, the browser host or the sync CLI has the database open: it is replaced.
 */

const USAGE = 'usage: npm run db:key -- recover|change|recovery-code --db FILE [--recovery]';

const argsSchema = z.object({
  command: z.enum(['recover', 'change', 'recovery-code'], { error: `expected recover, change or recovery-code\n${USAGE}` }),
  db: z.string({ error: `--db FILE is required\n${USAGE}` }).min(1),
  recovery: z.boolean(),
});

async function readCode(input: NodeJS.ReadableStream): Promise<string> {
  if (input === process.stdin && process.stdin.isTTY) process.stderr.write('Recovery code: ');
  const lines = readline.createInterface({ input, terminal: false });
  for await (const line of lines) {
    if (line.trim() !== '') {
      lines.close();
      return line.trim();
    }
  }
  throw new DatabaseKeyError('recovery', 'No recovery code was given on standard input.');
}

function printCode(code: string): void {
  console.log(`New recovery code (shown once; keep it on paper, away from this PC):\n\n    ${code}\n`);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { db: { type: 'string' }, recovery: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const parsed = argsSchema.safeParse({ command: positionals[0], db: values.db, recovery: values.recovery });
  if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
  const { command, recovery } = parsed.data;
  const file = path.resolve(parsed.data.db);
  if (fileFormat(file) !== 'encrypted') throw new Error(`There is no encrypted database at ${file}. Check the path.`);
  const code = command === 'recover' || recovery ? await readCode(input) : null;

  // Re-encrypting replaces the file: refused at once while the app or a tool has it open.
  return whileNotInUse(file, () => {
    if (command === 'recover') {
      recoverWithCode(file, code!);
      console.log(`The key of ${file} is back in ${keyFilePath(file)} (readable only by you). Start the app or the tools as usual.`);
      return 0;
    }
    const current = code ? recoverWithCode(file, code) : unlockDatabase(file, { env });
    if (command === 'recovery-code') {
      printCode(issueRecoveryCode(file, current));
      return 0;
    }
    const changed = changeDatabaseKey(file, current, { env });
    console.log(`${file} and its backups are encrypted with a new key, kept in ${keyFilePath(file)}; the old recovery code no longer works.`);
    printCode(changed.recoveryCode);
    return 0;
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
