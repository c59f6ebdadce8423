// The ABI of compiled Node modules (`*.node`), and the check that every one an installer ships was built
// for the Electron it packages. Plain CommonJS: electron-builder's afterPack hook and Jest both load it.
//
// A module compiled against V8 (better-sqlite3 is one) exports `node_register_module_v<ABI>`; Node 20 is
// ABI 115, Electron 42 is 146, and a module of the wrong ABI refuses to load ("was compiled against a
// different Node.js version"), so a package holding one cannot open its database. A Node-API module
// exports `napi_register_module_v1` instead and loads under any runtime.
const fs = require('node:fs');
const path = require('node:path');

const V8_ABI_SYMBOL = /node_register_module_v(\d+)/;
const NODE_API_SYMBOL = 'napi_register_module_v1';

/**
 * What a compiled module was built for: `{ kind: 'abi', abi }`, `{ kind: 'node-api' }`, or
 * `{ kind: 'unknown' }` for a file that is not a Node module. The symbol name is read from the binary's
 * export strings, which ELF, PE and Mach-O files all hold as plain bytes.
 */
function moduleAbi(file) {
  const text = fs.readFileSync(file).toString('latin1');
  const v8 = V8_ABI_SYMBOL.exec(text);
  if (v8) return { kind: 'abi', abi: Number(v8[1]) };
  return text.includes(NODE_API_SYMBOL) ? { kind: 'node-api' } : { kind: 'unknown' };
}

/**
 * Electron's module ABI (one per major version), from the registry of node-abi: the table
 * @electron/rebuild builds against. Read as data because node-abi itself is ESM only.
 */
function electronAbi(electronVersion) {
  const nodeAbi = require.resolve('node-abi', { paths: [path.dirname(require.resolve('@electron/rebuild'))] });
  const registry = JSON.parse(fs.readFileSync(path.join(path.dirname(nodeAbi), 'abi_registry.json'), 'utf8'));
  const major = electronVersion.split('.')[0];
  const entry = registry.find((item) => item.runtime === 'electron' && item.target.split('.')[0] === major);
  if (!entry) throw new Error(`The module ABI of Electron ${electronVersion} is unknown to node-abi: update electron-builder (and with it @electron/rebuild).`);
  return Number(entry.abi);
}

/** Every `*.node` file under a folder (the package's app.asar.unpacked). */
function findCompiledModules(folder) {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.node'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Throws, naming each offending file and what it was built for, unless every compiled module under
 * `folder` loads in Electron `electronVersion`. A folder without any compiled module fails too: the app
 * cannot run without better-sqlite3's.
 */
function assertModulesMatchElectron(folder, electronVersion) {
  const expected = electronAbi(electronVersion);
  const modules = findCompiledModules(folder);
  if (modules.length === 0) {
    throw new Error(`No compiled native module (better_sqlite3.node) was found in ${folder}: the packaged app could not open its database.`);
  }
  const wrong = modules
    .map((file) => ({ file, built: moduleAbi(file) }))
    .filter(({ built }) => built.kind === 'unknown' || (built.kind === 'abi' && built.abi !== expected));
  if (wrong.length === 0) return;
  const lines = wrong.map(({ file, built }) =>
    built.kind === 'unknown'
      ? `  - ${path.relative(folder, file)} is not a Node module`
      : `  - ${path.relative(folder, file)} is built for module ABI ${built.abi}${describeAbi(built.abi)}`,
  );
  throw new Error(
    [
      `The package holds native modules that Electron ${electronVersion} (module ABI ${expected}) cannot load:`,
      ...lines,
      'The installed app would fail to open its database. Build the module for this Electron (npm run dist:* does it) and package again.',
    ].join('\n'),
  );
}

function describeAbi(abi) {
  return abi === Number(process.versions.modules) ? ` (Node ${process.versions.node}'s, the one npm install builds)` : '';
}

module.exports = { moduleAbi, electronAbi, findCompiledModules, assertModulesMatchElectron };
