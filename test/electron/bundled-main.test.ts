import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import bundleExternals from '../../scripts/bundle-externals.json';
import workerScripts from '../../scripts/worker-entries.json';
import { eventually } from '../support/eventually';
import { tempDir } from '../support/temp';
import { createFakeElectron } from './fake-electron';

/**
 * The bundled main process (dist/main.js, as scripts/build.mjs builds it) started from the layout of
 * the packaged app: <app>/dist/main.js, <app>/migrations/local, <app>/node_modules, with a stand-in
 * Electron whose app.getAppPath() is <app>. Unlike main-process.test.ts (which runs the source), this
 * catches paths that only break once bundled, where every module's __dirname is <app>/dist.
 */
const repo = path.resolve(__dirname, '../..');
const workerEntries = Object.fromEntries(Object.entries(workerScripts).map(([name, source]) => [name, path.join(repo, source)]));

async function stageBundledApp(): Promise<string> {
  const appDir = path.join(tempDir('blos-bundled-'), 'app');
  await esbuild.build({
    // main.js and, beside it, each worker thread's script, as scripts/build.mjs lays them out.
    entryPoints: { main: path.join(repo, 'src/electron/main.ts'), ...workerEntries },
    outdir: path.join(appDir, 'dist'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: bundleExternals.main,
    logLevel: 'silent',
  });
  fs.cpSync(path.join(repo, 'migrations/local'), path.join(appDir, 'migrations/local'), { recursive: true });
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
  return appDir;
}

// Regression: bundled, every module's __dirname is <app>/dist, and the migrations folder was once
// resolved relative to it, one folder above the app.
describe('the bundled main process in the packaged layout', () => {
  it('opens its database with the migrations shipped inside the app', async () => {
    const appDir = await stageBundledApp();
    const userData = tempDir('blos-bundled-data-');
    const fake = createFakeElectron({ userData, appPath: appDir });
    const savedEnv = { ...process.env };
    process.env.BLOS_DISABLE_UPDATES = '1';
    try {
      jest.isolateModules(() => {
        jest.doMock('electron', () => fake.electron);
        jest.doMock('electron-updater', () => ({ autoUpdater: null }));
        require(path.join(appDir, 'dist/main.js'));
      });
      await eventually(() => fake.state.windows.length > 0 || fake.state.errorBoxes.length > 0, { what: 'the window or an error' });
    } finally {
      process.env = savedEnv;
    }
    if (fake.state.windows.length > 0) {
      fake.app.quit();
      await eventually(() => fake.state.quitCompleted, { what: 'the quit' });
    }
    expect(fake.state.errorBoxes).toEqual([]);
    expect(fake.state.windows).toHaveLength(1);
    expect(fs.existsSync(path.join(userData, 'blos.db'))).toBe(true);
  });
});
