import fs from 'node:fs';
import path from 'node:path';

/**
 * Only the two entry points may load `electron` at run time: every other shell module is tested in
 * plain Node, where the Electron binary does not exist. A value import of 'electron' or
 * 'electron-updater' in one of them would break those tests (and the browser host) on CI.
 */
const shellDir = path.resolve(__dirname, '../../src/electron');
const ENTRY_POINTS = ['main.ts', 'preload.ts'];
const VALUE_IMPORT = /^\s*import\s+(?!type\b)[^;]*from\s+['"](electron|electron-updater)['"]|require\(\s*['"](electron|electron-updater)['"]\s*\)/m;

describe('the Electron shell modules', () => {
  const modules = fs.readdirSync(shellDir).filter((file) => file.endsWith('.ts'));

  it('are found', () => {
    expect(modules).toEqual(expect.arrayContaining([...ENTRY_POINTS, 'guards.ts', 'updater-controller.ts']));
  });

  it.each(modules.filter((file) => !ENTRY_POINTS.includes(file)))('%s imports electron for types only', (file) => {
    expect(fs.readFileSync(path.join(shellDir, file), 'utf8')).not.toMatch(VALUE_IMPORT);
  });

  it('the entry points do load electron (the pattern above can match)', () => {
    for (const file of ENTRY_POINTS) expect(fs.readFileSync(path.join(shellDir, file), 'utf8')).toMatch(VALUE_IMPORT);
  });
});
