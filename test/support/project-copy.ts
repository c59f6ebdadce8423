import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp';

const ROOT = path.resolve(__dirname, '../..');
/** What building, migrating and running the app and the server needs; node_modules is linked, not copied. */
const PROJECT_FILES = ['src', 'migrations', 'scripts', 'drizzle.config.ts', 'drizzle.server.config.ts', 'drizzle.server-pg.config.ts', 'tsconfig.json', 'package.json'];

/** A copy of this project's sources in a fresh temp folder, to change its schema without touching this tree. */
export function copyProject(): string {
  const copy = tempDir('blos-project-copy-');
  for (const entry of PROJECT_FILES) fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

/** Replaces `find` (which must occur exactly once) in a file of `tree`: an edit a person makes by hand. */
export function editFile(tree: string, file: string, find: string, replace: string): void {
  const full = path.join(tree, file);
  const text = fs.readFileSync(full, 'utf8');
  const at = text.indexOf(find);
  if (at < 0 || text.indexOf(find, at + 1) >= 0) throw new Error(`${file}: expected exactly one ${JSON.stringify(find)}`);
  fs.writeFileSync(full, text.slice(0, at) + replace + text.slice(at + find.length));
}

export interface NpmRun {
  code: number;
  output: string;
}

/** `npm run <script>` in `tree`, without a terminal (as CI and editors run it); stdout and stderr together. */
export function npmRun(tree: string, script: string): Promise<NpmRun> {
  return new Promise((resolve) => {
    execFile('npm', ['run', script], { cwd: tree, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}\n${stderr}` });
    });
  });
}

/** The migration files of `set` (local, server or server-pg) in `tree`. */
export function migrationFiles(tree: string, set: 'local' | 'server' | 'server-pg'): string[] {
  return fs.readdirSync(path.join(tree, 'migrations', set)).filter((name) => name.endsWith('.sql')).sort();
}
