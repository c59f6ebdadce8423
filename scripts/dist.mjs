// Builds the installers for one platform into release/: `npm run dist:win|mac|linux`. Steps: minified
// bundles in a clean dist/, their source maps copied to release/source-maps/<version>/ (kept with the
// installers, never inside them), then electron-builder with electron-builder.config.js, whose afterPack
// hook builds better-sqlite3 for Electron and checks it. Never uploads (`--publish never`: electron-builder
// would otherwise publish on its own on CI for a tag); the release workflow uploads when asked.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const argsSchema = z.tuple([z.enum(['win', 'mac', 'linux'])]);

function readPlatform() {
  const parsed = argsSchema.safeParse(process.argv.slice(2));
  if (parsed.success) return parsed.data[0];
  console.error('usage: node scripts/dist.mjs <win|mac|linux>');
  process.exit(2);
}

function run(args, env = process.env) {
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function keepSourceMaps(version) {
  const target = path.join(root, 'release', 'source-maps', version);
  fs.rmSync(target, { recursive: true, force: true });
  fs.cpSync(path.join(root, 'dist'), target, { recursive: true, filter: (file) => fs.statSync(file).isDirectory() || file.endsWith('.map') });
  console.log(`source maps kept in ${path.relative(root, target)}/`);
}

const platform = readPlatform();
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run([path.join(root, 'scripts/build.mjs')], { ...process.env, NODE_ENV: 'production' });
keepSourceMaps(version);
run([
  require.resolve('electron-builder/cli.js'),
  `--${platform}`,
  '--config',
  path.join(root, 'electron-builder.config.js'),
  '--publish',
  'never',
]);
