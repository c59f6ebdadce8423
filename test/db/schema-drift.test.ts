import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/temp';

const ROOT = path.resolve(__dirname, '../..');
const CONFIGS = fs.readdirSync(ROOT).filter((f) => /^drizzle(\.[a-z-]+)?\.config\.ts$/.test(f));

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('the committed schema and migrations agree', () => {
  it('has a drizzle-kit config for the app database', () => {
    expect(CONFIGS).toContain('drizzle.config.ts');
  });

  it.each(CONFIGS)('drizzle-kit generate with %s creates no new migration', (config) => {
    // A temp copy: a drift must not leave a stray migration in the work tree.
    const copy = tempDir('blos-drift-');
    for (const entry of ['src', 'migrations', 'tsconfig.json', 'package.json', config]) {
      fs.cpSync(path.join(ROOT, entry), path.join(copy, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
    const before = listFiles(path.join(copy, 'migrations'));
    const output = execFileSync(process.execPath, [path.join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--config', config], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect(output).toMatch(/No schema changes/);
    expect(listFiles(path.join(copy, 'migrations'))).toEqual(before);
  });
});
