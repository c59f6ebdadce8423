// Bundles the app with esbuild into dist/:
//   main     src/electron/main.ts -> dist/main.js (Electron main process, Node platform), with each
//            worker thread of scripts/worker-entries.json beside it as dist/<name>.js
//   preload  src/electron/preload.ts -> dist/preload.js (one sandboxed file)
//   renderer src/renderer.ts -> dist/renderer/ (browser bundle + index.html + styles.css)
// What each bundle leaves to require at run time is in scripts/bundle-externals.json, which the tests
// that bundle the same entries read too.
// Usage: node scripts/build.mjs [main|preload|renderer ...]   (default: all three)
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const production = process.env.NODE_ENV === 'production';
const workerEntries = JSON.parse(fs.readFileSync(path.join(root, 'scripts/worker-entries.json'), 'utf8'));
const externals = JSON.parse(fs.readFileSync(path.join(root, 'scripts/bundle-externals.json'), 'utf8'));

const common = {
  bundle: true,
  // Installers ship minified bundles; their maps stay in dist/ (scripts/dist.mjs keeps a copy beside the
  // installers), so the shipped files carry no sourceMappingURL pointing at a file that is not there.
  sourcemap: production ? 'external' : true,
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const targets = {
  main: () =>
    esbuild.build({
      ...common,
      // Worker threads are their own entries: src/worker-script.ts finds them next to main.js.
      entryPoints: { main: 'src/electron/main.ts', ...workerEntries },
      outdir: dist,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      // Native and runtime-resolved packages load from node_modules (better-sqlite3 is unpacked from the asar).
      // (@swc-node/register is only named for running worker threads from the .ts sources, never bundled.)
      external: externals.main,
    }),
  preload: () =>
    esbuild.build({
      ...common,
      entryPoints: ['src/electron/preload.ts'],
      outfile: path.join(dist, 'preload.js'),
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      // A sandboxed preload may require only `electron`: everything else is bundled in.
      external: externals.preload,
    }),
  renderer: async () => {
    const out = path.join(dist, 'renderer');
    await esbuild.build({
      ...common,
      entryPoints: ['src/renderer.ts'],
      outfile: path.join(out, 'app.js'),
      platform: 'browser',
      target: 'chrome120',
      format: 'esm',
    });
    for (const file of ['index.html', 'styles.css']) {
      fs.copyFileSync(path.join(root, 'src/views', file), path.join(out, file));
    }
  },
};

const requested = process.argv.slice(2);
const names = requested.length ? requested : Object.keys(targets);
for (const name of names) {
  if (!targets[name]) {
    console.error(`unknown build target "${name}" (expected: ${Object.keys(targets).join(', ')})`);
    process.exit(1);
  }
}
await Promise.all(names.map((name) => targets[name]()));
console.log(`built ${names.join(', ')} into ${path.relative(root, dist)}/`);
