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

  it('ships the bundles, the local migrations and only better-sqlite3 from node_modules, unpacked from the asar', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', '!dist/**/*.map', 'migrations/local/**/*', 'package.json', '!node_modules/**/*']));
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/**']);
  });

  it("never rebuilds in the project's node_modules; afterPack puts in and checks the Electron build of better-sqlite3", () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.afterPack).toEqual(expect.any(Function));
    expect((config.afterPack as Function).name).toBe('afterPack');
  });

  it('gives the deb its homepage and Linux desktops the .desktop name of the window', () => {
    expect(config.extraMetadata).toMatchObject({ homepage: expect.stringMatching(/^https:\/\//), desktopName: 'blos-desktop.desktop' });
  });

  it('without BLOS_UPDATE_URL at build time: no feed, nothing to publish, signing not forced', () => {
    expect(config.publish).toBeNull();
    expect(config.win).toMatchObject({ forceCodeSigning: false, verifyUpdateCodeSignature: true });
    expect(config.mac).toMatchObject({ forceCodeSigning: false, hardenedRuntime: true });
  });

  it('with an https BLOS_UPDATE_URL: the generic feed, and Windows and macOS builds must be signed', () => {
    const withFeed = loadConfig({ BLOS_UPDATE_URL: 'https://updates.example.org/blos/' });
    expect(withFeed.publish).toEqual([{ provider: 'generic', url: 'https://updates.example.org/blos' }]);
    expect(withFeed.win).toMatchObject({ forceCodeSigning: true, verifyUpdateCodeSignature: true });
    expect(withFeed.mac).toMatchObject({ forceCodeSigning: true });
  });

  it('refuses a feed that is not https, or that carries credentials, naming BLOS_UPDATE_URL', () => {
    expect(() => loadConfig({ BLOS_UPDATE_URL: 'http://updates.example.org/blos' })).toThrow(/BLOS_UPDATE_URL: expected an https:\/\/ URL/);
    expect(() => loadConfig({ BLOS_UPDATE_URL: 'updates.example.org' })).toThrow(/BLOS_UPDATE_URL/);
    expect(() => loadConfig({ BLOS_UPDATE_URL: 'https://user:secret@updates.example.org/' })).toThrow(/without a user name or password/);
  });
});
