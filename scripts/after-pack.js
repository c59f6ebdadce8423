// electron-builder's afterPack hook (electron-builder.config.js): after the app folder is laid out and
// before it is signed or turned into installers, put in better-sqlite3 built for the Electron being
// packaged, then refuse the package unless every native module in it has Electron's ABI.
const fs = require('node:fs');
const path = require('node:path');
const { Arch } = require('builder-util');
const { assertModulesMatchElectron } = require('./native-abi');
const { buildForElectron, COMPILED, MODULE } = require('./native-for-electron');

/** The already-built module from BLOS_ELECTRON_NATIVE_MODULE, or a fresh build for this Electron. */
function electronBuild(env, build) {
  const given = env.BLOS_ELECTRON_NATIVE_MODULE;
  if (!given) return buildForElectron(build);
  if (!fs.existsSync(given)) throw new Error(`BLOS_ELECTRON_NATIVE_MODULE names ${given}, which does not exist.`);
  return { compiled: given, cleanUp: () => {} };
}

async function afterPack(context, env = process.env) {
  const electronVersion = context.packager.info.framework.version;
  const unpacked = path.join(context.packager.getResourcesDir(context.appOutDir), 'app.asar.unpacked');
  const { compiled, cleanUp } = electronBuild(env, {
    projectDir: context.packager.info.projectDir,
    electronVersion,
    arch: Arch[context.arch],
  });
  try {
    fs.copyFileSync(compiled, path.join(unpacked, 'node_modules', MODULE, COMPILED));
  } finally {
    cleanUp();
  }
  assertModulesMatchElectron(unpacked, electronVersion);
}

module.exports = afterPack;
