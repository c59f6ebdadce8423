// electron-builder configuration for `npm run dist:win|mac|linux` (plain CommonJS: electron-builder and
// Jest both load it without a TypeScript loader).
//
// The update feed: BLOS_UPDATE_URL at build time becomes the generic publish URL baked into
// app-update.yml; without it a placeholder is used and the built app checks for updates only where
// BLOS_UPDATE_URL is configured at run time (see docs/electron-shell.md).

const UPDATE_URL_PLACEHOLDER = 'https://updates.blos.invalid/desktop';

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.blos.desktop',
  productName: 'BLOS Desktop',
  copyright: 'Copyright © BLOS Desktop team',
  // Package name, not product name: no spaces in file names the update feed has to serve.
  artifactName: '${name}-${version}-${os}-${arch}.${ext}',
  directories: { output: 'release', buildResources: 'build' },

  // What goes into app.asar, besides the production node_modules electron-builder adds itself.
  // migrations/local is read at start-up by the migrator (main.ts passes app.getAppPath()/migrations/local).
  files: [
    'dist/**/*',
    '!dist/**/*.map',
    'migrations/local/**/*',
    'package.json',
    // better-sqlite3's C sources and build leftovers: the app needs only its lib/ and the compiled .node.
    '!**/node_modules/better-sqlite3/{deps,src}/**',
    '!**/node_modules/better-sqlite3/build/{deps,Release/obj}/**',
    '!**/node_modules/better-sqlite3/build/Release/test_extension.node',
  ],
  asar: true,
  // A native module cannot be loaded from inside an archive.
  asarUnpack: ['**/node_modules/better-sqlite3/**'],
  // Rebuilds better-sqlite3 for Electron's ABI while packaging only; npm install / npm test keep Node's build.
  npmRebuild: true,

  win: { target: ['nsis'] },
  nsis: {
    // An assisted installer, per-user by default (no administrator rights needed), folder can be changed.
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
    createStartMenuShortcut: true,
  },
  mac: {
    // The zip is what electron-updater downloads on macOS; the dmg is for the first install.
    target: ['dmg', 'zip'],
    category: 'public.app-category.productivity',
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    maintainer: 'BLOS Desktop team <desktop@blos.invalid>',
    synopsis: 'Offline-first field data entry',
  },

  publish: [{ provider: 'generic', url: process.env.BLOS_UPDATE_URL || UPDATE_URL_PLACEHOLDER }],
};
