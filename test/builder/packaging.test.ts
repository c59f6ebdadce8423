import { extractFile, listPackage, statFile } from '@electron/asar';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../support/temp';
import { standInElectronBuild } from './stand-in-native';

import { electronAbi } from '../../scripts/native-abi';

/**
 * Packages the app for real with electron-builder (`--dir`: the unpacked app, no installer) from the
 * production bundles, using stand-ins for the two things that cannot be downloaded here (ARCHITECTURE 7):
 * the Electron binary (a folder with a script) and better-sqlite3 compiled against Electron's headers
 * (the Node build with Electron's ABI in its registration symbol, handed in through
 * BLOS_ELECTRON_NATIVE_MODULE). Offline; about 30 s for two packagings.
 */
const repo = path.resolve(__dirname, '../..');
const UPDATE_URL = 'https://updates.example.org/blos';
const ASAR_LIMIT_BYTES = 5 * 1000 * 1000;
const run = promisify(execFile);
/** Where Electron's fuse wire starts in its binary (@electron/fuses' SENTINEL). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const electronVersion: string = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules/electron/package.json'), 'utf8')).version;
const installedModule = path.join(repo, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function writeFile(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** The worker threads scripts/build.mjs bundles beside main.js. */
const workers = Object.keys(JSON.parse(fs.readFileSync(path.join(repo, 'scripts/worker-entries.json'), 'utf8')) as Record<string, string>);

/** A copy of the project (sources, scripts, migrations; node_modules linked) with its production bundles built. */
async function stageProject(): Promise<string> {
  const project = tempDir('blos-package-');
  for (const entry of ['package.json', 'tsconfig.json', 'src', 'scripts', 'migrations']) {
    fs.cpSync(path.join(repo, entry), path.join(project, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'), 'dir');
  await run(process.execPath, [path.join(project, 'scripts/build.mjs')], { cwd: project, env: { ...process.env, NODE_ENV: 'production' } });
  return project;
}

function standInElectron(): string {
  const folder = tempDir('blos-electron-dist-');
  // With Electron's fuse wire as it ships (version 1, eight fuses; RunAsNode, NODE_OPTIONS, --inspect
  // and file:// privileges on), so electron-builder has fuses to flip and the test can read them back.
  writeFile(path.join(folder, 'electron'), `#!/bin/sh\necho "stand-in for the Electron binary"\n# ${FUSE_SENTINEL}\x01\x0810110001\n`);
  fs.chmodSync(path.join(folder, 'electron'), 0o755);
  writeFile(path.join(folder, 'LICENSE'), 'stand-in');
  return folder;
}

/** `electron-builder --dir --linux` on the staged project with our config; resolves to its output folder. */
async function packageApp(project: string, nativeModule: string): Promise<string> {
  const output = tempDir('blos-release-');
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
      `-c.directories.output=${output}`,
    ],
    {
      env: { ...process.env, BLOS_UPDATE_URL: UPDATE_URL, BLOS_ELECTRON_NATIVE_MODULE: nativeModule, CI: '1' },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return output;
}

const linuxOnly = process.platform === 'linux' ? describe : describe.skip;

linuxOnly('the packaged app (electron-builder --dir, stand-in Electron)', () => {
  let project = '';
  let resources = '';
  let appDir = '';
  let electronModule = '';
  let installedBefore = '';

  beforeAll(async () => {
    installedBefore = sha256(installedModule);
    project = await stageProject();
    electronModule = standInElectronBuild(installedModule, electronAbi(electronVersion));
    appDir = path.join(await packageApp(project, electronModule), 'linux-unpacked');
    resources = path.join(appDir, 'resources');
  }, 150_000);

  const asarEntries = () => listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((entry) => entry.split(path.sep).join('/'));

  it('puts the bundles, package.json and the local migrations in app.asar, without sources, source maps or server migrations', () => {
    expect(asarEntries()).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/dist/main.js',
        '/dist/preload.js',
        ...workers.map((worker) => `/dist/${worker}.js`),
        '/dist/renderer/index.html',
        '/dist/renderer/app.js',
        '/migrations/local/0000_initial.sql',
        '/migrations/local/meta/_journal.json',
      ]),
    );
    expect(asarEntries().filter((entry) => /^\/(src|test|scripts)\b|\.map$|\.d\.ts$|^\/migrations\/server/.test(entry))).toEqual([]);
  });

  it('ships from node_modules only better-sqlite3 and the two packages its lib/ requires', () => {
    const packages = new Set(asarEntries().flatMap((entry) => /^\/node_modules\/([^/]+)/.exec(entry)?.[1] ?? []));
    expect([...packages].sort()).toEqual(['better-sqlite3', 'bindings', 'file-uri-to-path']);
  });

  it(`keeps app.asar under ${ASAR_LIMIT_BYTES / 1e6} MB, with minified bundles`, () => {
    const size = fs.statSync(path.join(resources, 'app.asar')).size;
    const entries = asarEntries().length;
    expect({ size, entries, underLimit: size < ASAR_LIMIT_BYTES }).toEqual({ size, entries, underLimit: true });
    const mainJs = fs.readFileSync(path.join(project, 'dist/main.js'), 'utf8');
    // Minified (long lines: unminified esbuild output averages about 30 characters a line), and no
    // pointer to a source map that is not shipped.
    const averageLine = Math.round(mainJs.length / mainJs.split('\n').length);
    expect({ averageLine, pointsAtSourceMap: mainJs.includes('sourceMappingURL') }).toEqual({ averageLine: expect.any(Number), pointsAtSourceMap: false });
    expect(averageLine).toBeGreaterThan(500);
  });

  it('unpacks the Electron build of better-sqlite3 beside the asar, without its C sources, and leaves node_modules alone', () => {
    const unpacked = path.join(resources, 'app.asar.unpacked/node_modules/better-sqlite3');
    expect(sha256(path.join(unpacked, 'build/Release/better_sqlite3.node'))).toBe(sha256(electronModule));
    expect(fs.existsSync(path.join(unpacked, 'lib/index.js'))).toBe(true);
    expect(fs.existsSync(path.join(unpacked, 'deps'))).toBe(false);
    expect(fs.existsSync(path.join(unpacked, 'src'))).toBe(false);
    const stat = statFile(path.join(resources, 'app.asar'), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(stat).toMatchObject({ unpacked: true });
    expect(sha256(installedModule)).toBe(installedBefore);
  });

  it('fails the build, saying why, when the module it would ship is built for Node', async () => {
    const failure = await packageApp(project, installedModule).then(
      () => 'packaged',
      (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
    );
    expect(failure).toContain(`native modules that Electron ${electronVersion} (module ABI ${electronAbi(electronVersion)}) cannot load`);
    expect(failure).toContain(`better_sqlite3.node is built for module ABI ${process.versions.modules}`);
  }, 150_000);

  it("writes app-update.yml pointing electron-updater at the build's https feed", () => {
    const yml = fs.readFileSync(path.join(resources, 'app-update.yml'), 'utf8');
    expect(yml).toMatch(/^provider: generic$/m);
    expect(yml).toContain(`url: ${UPDATE_URL}`);
  });

  it('flips the fuses: no run-as-Node, NODE_OPTIONS or --inspect, app only from an integrity-checked app.asar, cookies encrypted, no file:// privileges', () => {
    const binary = fs.readFileSync(path.join(appDir, 'blos-desktop'));
    const wire = binary.indexOf(FUSE_SENTINEL) + FUSE_SENTINEL.length;
    // RunAsNode, CookieEncryption, NodeOptions, NodeCliInspect, AsarIntegrity, OnlyLoadAppFromAsar, V8 snapshot (as shipped), FileProtocolExtraPrivileges
    expect(binary.subarray(wire + 2, wire + 10).toString('latin1')).toBe('01001100');
  });

  it('names the executable after the package, and gives the packaged package.json its desktop name', () => {
    expect(fs.existsSync(path.join(appDir, 'blos-desktop'))).toBe(true);
    const pkg = JSON.parse(extractFile(path.join(resources, 'app.asar'), 'package.json').toString('utf8'));
    expect(pkg).toMatchObject({ main: 'dist/main.js', desktopName: 'blos-desktop.desktop' });
  });
});
