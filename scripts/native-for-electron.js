// Builds better-sqlite3 for the Electron an installer packages, in a copy of the module, never in the
// project's node_modules: Jest needs the Node build there, and a rebuild that fails half-way (node-gyp
// deletes build/ before compiling) must not leave the development install unable to open a database.
// Plain CommonJS, called from scripts/after-pack.js.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MODULE = 'better-sqlite3';
const COMPILED = path.join('build', 'Release', 'better_sqlite3.node');

const REBUILD = path.join(__dirname, 'rebuild-for-electron.mjs');

/**
 * The environment for the rebuild. npm exports its `nodedir` setting (`npm_config_nodedir`, set here to
 * Node's own headers for `npm install`) to every script it runs; node-gyp would then compile against
 * Node's headers instead of Electron's and produce a module Electron refuses.
 */
function rebuildEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.toLowerCase() !== 'npm_config_nodedir'));
}

/**
 * A copy of the installed module without its compiled build/, in a fresh folder the rebuild may change,
 * beside a link to prebuild-install, through which @electron/rebuild first tries a prebuilt module.
 */
function stageModule(projectDir) {
  const installed = fs.realpathSync(path.join(projectDir, 'node_modules', MODULE));
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-native-'));
  const copy = path.join(stage, 'node_modules', MODULE);
  fs.cpSync(installed, copy, { recursive: true, filter: (source) => source !== path.join(installed, 'build') });
  const prebuildInstall = path.dirname(require.resolve('prebuild-install/package.json', { paths: [installed] }));
  fs.symlinkSync(prebuildInstall, path.join(stage, 'node_modules', 'prebuild-install'), 'junction');
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify({ name: 'blos-native-stage', private: true, dependencies: { [MODULE]: '*' } }));
  return { stage, compiled: path.join(copy, COMPILED) };
}

/** The lines of node-gyp's and @electron/rebuild's output that say what went wrong, without stack frames. */
function errorLines(output) {
  const lines = output.split('\n').map((line) => line.trim());
  const telling = lines.filter((line) => /error|err!|network|proxy|not found/i.test(line) && !line.startsWith('at ') && !line.includes('${'));
  return [...new Set(telling)].slice(-12);
}

/**
 * Compiles (or fetches a prebuilt) better_sqlite3.node for `electronVersion` and `arch` and returns
 * its path, in a temporary folder the caller removes with `cleanUp`. Needs the network (Electron's
 * headers from electronjs.org, or a prebuilt from GitHub) and, without a prebuilt, a C++ toolchain.
 * Throws a message that says what failed and that node_modules is unchanged.
 */
function buildForElectron({ projectDir, electronVersion, arch }) {
  const { stage, compiled } = stageModule(projectDir);
  const result = spawnSync(process.execPath, [REBUILD, stage, electronVersion, arch], {
    env: rebuildEnv(process.env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status === 0 && fs.existsSync(compiled)) return { compiled, cleanUp: () => fs.rmSync(stage, { recursive: true, force: true }) };
  fs.rmSync(stage, { recursive: true, force: true });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  throw new Error(
    [
      `Could not build ${MODULE} for Electron ${electronVersion} (${arch}). node_modules is unchanged.`,
      'Building it downloads Electron\'s headers (electronjs.org) or a prebuilt module (github.com) and may need a C++ compiler;',
      'or set BLOS_ELECTRON_NATIVE_MODULE to a better_sqlite3.node already built for this Electron. The rebuild said:',
      ...errorLines(output).map((line) => `  ${line}`),
    ].join('\n'),
  );
}

module.exports = { buildForElectron, rebuildEnv, COMPILED, MODULE };
