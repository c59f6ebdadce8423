import { listPackage, statFile } from '@electron/asar';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../support/temp';

/**
 * Packages the app for real with electron-builder (`--dir`: the unpacked app, no installer), using a
 * stand-in Electron folder because the Electron binary is not downloaded here (ARCHITECTURE 7), and
 * checks the layout an installed app depends on. Offline; about 15 s.
 */
const repo = path.resolve(__dirname, '../..');
const UPDATE_URL = 'https://updates.example.org/blos';
const run = promisify(execFile);

function writeFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** The worker threads scripts/build.mjs bundles beside main.js. */
const workers = Object.keys(JSON.parse(fs.readFileSync(path.join(repo, 'scripts/worker-entries.json'), 'utf8')) as Record<string, string>);

/** A copy of the project with stand-in bundles (their content does not matter here) and the real migrations. */
function stageProject(): string {
  const project = tempDir('blos-package-');
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  writeFile(path.join(project, 'package.json'), JSON.stringify(pkg, null, 2));
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  writeFile(path.join(project, 'dist/main.js'), '"use strict";');
  writeFile(path.join(project, 'dist/main.js.map'), '{}');
  writeFile(path.join(project, 'dist/preload.js'), '"use strict";');
  for (const worker of workers) writeFile(path.join(project, `dist/${worker}.js`), '"use strict";');
  writeFile(path.join(project, 'dist/renderer/index.html'), '<!doctype html>');
  writeFile(path.join(project, 'src/electron/main.ts'), 'source that must not ship');
  fs.cpSync(path.join(repo, 'migrations'), path.join(project, 'migrations'), { recursive: true });
  return project;
}

function standInElectron(): string {
  const folder = tempDir('blos-electron-dist-');
  writeFile(path.join(folder, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n');
  fs.chmodSync(path.join(folder, 'electron'), 0o755);
  writeFile(path.join(folder, 'LICENSE'), 'stand-in');
  return folder;
}

const linuxOnly = process.platform === 'linux' ? describe : describe.skip;

linuxOnly('the packaged app (electron-builder --dir, stand-in Electron)', () => {
  let resources = '';
  let appDir = '';

  beforeAll(async () => {
    const project = stageProject();
    const output = tempDir('blos-release-');
    const electronVersion = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules/electron/package.json'), 'utf8')).version;
    await run(
      process.execPath,
      [
        path.join(repo, 'node_modules/electron-builder/cli.js'),
        '--dir',
        '--linux',
        '--projectDir',
        project,
        '--config',
        path.join(repo, 'electron-builder.config.js'),
        `-c.electronDist=${standInElectron()}`,
        `-c.electronVersion=${electronVersion}`,
        '-c.npmRebuild=false',
        `-c.directories.output=${output}`,
      ],
      { env: { ...process.env, BLOS_UPDATE_URL: UPDATE_URL, CI: '1' }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    appDir = path.join(output, 'linux-unpacked');
    resources = path.join(appDir, 'resources');
  }, 150_000);

  it('puts the bundles, package.json and the local migrations in app.asar, without sources, source maps or server migrations', () => {
    const entries = listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((entry) => entry.split(path.sep).join('/'));
    expect(entries).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/dist/main.js',
        '/dist/preload.js',
        ...workers.map((worker) => `/dist/${worker}.js`),
        '/dist/renderer/index.html',
        '/migrations/local/0000_initial.sql',
        '/migrations/local/meta/_journal.json',
      ]),
    );
    expect(entries.filter((entry) => /^\/(src|test)\b|^\/dist\/.*\.map$|^\/migrations\/server/.test(entry))).toEqual([]);
  });

  it('unpacks the compiled better-sqlite3 module beside the asar, without its C sources', () => {
    const unpacked = path.join(resources, 'app.asar.unpacked/node_modules/better-sqlite3');
    expect(fs.existsSync(path.join(unpacked, 'build/Release/better_sqlite3.node'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'lib/index.js'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'deps'))).toBe(false);
    expect(fs.existsSync(path.join(unpacked, 'src'))).toBe(false);
    const stat = statFile(path.join(resources, 'app.asar'), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(stat).toMatchObject({ unpacked: true });
  });

  it("writes app-update.yml pointing electron-updater at the build's generic feed", () => {
    const yml = fs.readFileSync(path.join(resources, 'app-update.yml'), 'utf8');
    expect(yml).toMatch(/^provider: generic$/m);
    expect(yml).toContain(`url: ${UPDATE_URL}`);
  });

  it('names the executable after the package', () => {
    expect(fs.existsSync(path.join(appDir, 'blos-desktop'))).toBe(true);
  });
});
