import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { assertModulesMatchElectron, electronAbi, moduleAbi } from '../../scripts/native-abi';
import { buildForElectron, rebuildEnv } from '../../scripts/native-for-electron';
import { tempDir } from '../support/temp';
import { standInElectronBuild } from './stand-in-native';

/**
 * The check that the installers ship better-sqlite3 built for Electron, on the module npm installed here
 * (compiled against Node's headers, the mistake the check exists for).
 */
const repo = path.resolve(__dirname, '../..');
const installedModule = path.join(repo, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const sqliteExtension = path.join(repo, 'node_modules/better-sqlite3/build/Release/test_extension.node');
const electronVersion: string = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules/electron/package.json'), 'utf8')).version;

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** An app.asar.unpacked folder holding the given module where the package puts better-sqlite3's. */
function unpackedWith(module: string): string {
  const folder = tempDir('blos-unpacked-');
  const target = path.join(folder, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(module, target);
  return folder;
}

describe('the module ABI of a compiled module', () => {
  it("reads Node's ABI from the better-sqlite3 npm built here", () => {
    expect(moduleAbi(installedModule)).toEqual({ kind: 'abi', abi: Number(process.versions.modules) });
  });

  it('knows Electron has its own ABI, different from Node', () => {
    expect(electronAbi(electronVersion)).toBeGreaterThan(0);
    expect(electronAbi(electronVersion)).not.toBe(Number(process.versions.modules));
  });

  it('tells a file that is no Node module (a SQLite extension) apart', () => {
    expect(moduleAbi(sqliteExtension)).toEqual({ kind: 'unknown' });
  });
});

describe('the packaged-module check', () => {
  it("fails on better-sqlite3 built for Node, naming the file, both ABIs and what to do", () => {
    const folder = unpackedWith(installedModule);
    expect(() => assertModulesMatchElectron(folder, electronVersion)).toThrow(
      new RegExp(
        `Electron ${electronVersion.replace(/\./g, '\\.')} \\(module ABI ${electronAbi(electronVersion)}\\) cannot load:\\n` +
          `  - node_modules/better-sqlite3/build/Release/better_sqlite3.node is built for module ABI ${process.versions.modules} \\(Node .*\\)\\n` +
          `The installed app would fail to open its database\\. Build the module for this Electron`,
      ),
    );
  });

  it("passes on a module with Electron's ABI", () => {
    const folder = unpackedWith(standInElectronBuild(installedModule, electronAbi(electronVersion)));
    expect(() => assertModulesMatchElectron(folder, electronVersion)).not.toThrow();
  });

  it('fails when any other shipped .node file has the wrong ABI or is no Node module', () => {
    const folder = unpackedWith(standInElectronBuild(installedModule, electronAbi(electronVersion)));
    fs.copyFileSync(sqliteExtension, path.join(folder, 'node_modules/better-sqlite3/build/Release/test_extension.node'));
    expect(() => assertModulesMatchElectron(folder, electronVersion)).toThrow(/test_extension\.node is not a Node module/);
  });

  it('fails when the package holds no compiled module at all', () => {
    expect(() => assertModulesMatchElectron(tempDir('blos-unpacked-'), electronVersion)).toThrow(/No compiled native module/);
  });
});

describe('building better-sqlite3 for Electron', () => {
  it("hides npm's nodedir (Node's headers) from the rebuild, whatever its case", () => {
    expect(rebuildEnv({ npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr', PATH: '/bin' })).toEqual({ PATH: '/bin' });
  });

  it('a failed rebuild says what failed and leaves the installed module as it was, still loading', () => {
    const before = sha256(installedModule);
    let message = '';
    try {
      // No Electron has this version: @electron/rebuild gives up as a real failure would, deterministically.
      buildForElectron({ projectDir: repo, electronVersion: '999.0.0', arch: process.arch });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')[0]).toBe(`Could not build better-sqlite3 for Electron 999.0.0 (${process.arch}). node_modules is unchanged.`);
    expect(message).toMatch(/set BLOS_ELECTRON_NATIVE_MODULE to a better_sqlite3\.node already built for this Electron/);
    expect(message).toMatch(/Could not detect abi for version 999\.0\.0/);
    expect(sha256(installedModule)).toBe(before);
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    expect(db.prepare('select 1 as one').get()).toEqual({ one: 1 });
    db.close();
  });
});
