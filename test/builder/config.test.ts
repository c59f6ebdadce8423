import path from 'node:path';
import type { Configuration } from 'electron-builder';

const CONFIG_FILE = path.resolve(__dirname, '../../electron-builder.config.js');

function loadConfig(env: Record<string, string | undefined> = {}): Configuration {
  const saved = process.env.BLOS_UPDATE_URL;
  try {
    if ('BLOS_UPDATE_URL' in env) process.env.BLOS_UPDATE_URL = env.BLOS_UPDATE_URL;
    else delete process.env.BLOS_UPDATE_URL;
    let config: Configuration | undefined;
    jest.isolateModules(() => {
      config = require(CONFIG_FILE) as Configuration;
    });
    return config!;
  } finally {
    if (saved === undefined) delete process.env.BLOS_UPDATE_URL;
    else process.env.BLOS_UPDATE_URL = saved;
  }
}

const targetNames = (target: unknown) => (Array.isArray(target) ? target : [target]);

describe('electron-builder.config.js', () => {
  const config = loadConfig();

  it('names the app and writes installers to release/', () => {
    expect(config.appId).toBe('org.blos.desktop');
    expect(config.productName).toBe('BLOS Desktop');
    expect(config.directories?.output).toBe('release');
  });

  it('builds an assisted, per-user NSIS installer whose folder can be changed', () => {
    expect(targetNames(config.win?.target)).toEqual(['nsis']);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true });
  });

  it('builds dmg and zip for macOS (the zip feeds the mac updater) and AppImage and deb for Linux', () => {
    expect(targetNames(config.mac?.target)).toEqual(['dmg', 'zip']);
    expect(targetNames(config.linux?.target)).toEqual(['AppImage', 'deb']);
    expect(config.linux).toMatchObject({ category: 'Office', maintainer: expect.stringMatching(/<.+@.+>/) });
  });

  it('ships the bundles and the local migrations, and unpacks better-sqlite3 from the asar', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', 'migrations/local/**/*', 'package.json']));
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/**']);
  });

  it('rebuilds native modules for Electron while packaging (never in npm install or npm test)', () => {
    expect(config.npmRebuild).toBe(true);
  });

  it('publishes to a generic feed: BLOS_UPDATE_URL at build time, else a placeholder that cannot resolve', () => {
    expect(config.publish).toEqual([{ provider: 'generic', url: 'https://updates.blos.invalid/desktop' }]);
    expect(loadConfig({ BLOS_UPDATE_URL: 'https://updates.example.org/blos' }).publish).toEqual([
      { provider: 'generic', url: 'https://updates.example.org/blos' },
    ]);
  });
});
