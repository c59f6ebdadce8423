// electron-builder configuration for `npm run dist:win|mac|linux` (scripts/dist.mjs). Plain CommonJS:
// electron-builder and Jest both load it without a TypeScript loader. docs/electron-shell.md explains it.
const afterPack = require('./scripts/after-pack');
const { updateFeed } = require('./scripts/update-feed');

// The update feed is fixed when the installers are built (BLOS_UPDATE_URL, https only) and baked into
// resources/app-update.yml; a build without one has no feed and never checks for updates.
const feed = updateFeed(process.env);

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.blos.desktop',
  productName: 'BLOS Desktop',
  copyright: 'Copyright © BLOS Desktop team',
  // Package name, not product name: no spaces in file names the update feed has to serve.
  artifactName: '${name}-${version}-${os}-${arch}.${ext}',
  directories: { output: 'release', buildResources: 'build' },
  extraMetadata: {
    // The deb's control file needs a homepage; Linux desktops match the window to its .desktop file
    // through desktopName (Electron reads it from the packaged package.json).
    homepage: 'https://blos.invalid/desktop',
    desktopName: 'blos-desktop.desktop',
  },

  // The app runs from its esbuild bundles (scripts/build.mjs), which already hold every JavaScript
  // dependency. node_modules contributes only better-sqlite3 (its lib/ and the compiled module, which
  // cannot be bundled) and the two small packages its lib/ requires to find that module.
  files: [
    'dist/**/*',
    '!dist/**/*.map',
    'migrations/local/**/*',
    'package.json',
    '!node_modules/**/*',
    'node_modules/better-sqlite3/package.json',
    'node_modules/better-sqlite3/lib/**/*',
    'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    'node_modules/{bindings,file-uri-to-path}/{package.json,*.js}',
  ],
  asar: true,
  // A native module cannot be loaded from inside an archive.
  asarUnpack: ['**/node_modules/better-sqlite3/**'],
  // Never rebuild in the project's node_modules (Jest needs its Node build there): afterPack puts in a
  // better-sqlite3 built for this Electron in a copy, then checks every native module's ABI.
  npmRebuild: false,
  afterPack,
  // Flipped in the Electron binary before signing (docs/electron-shell.md): it cannot be run as plain
  // Node (ELECTRON_RUN_AS_NODE), nor take NODE_OPTIONS or --inspect, so no one can borrow its identity
  // or keychain access to run other code; it loads the app only from app.asar, whose integrity is
  // checked (macOS, Windows); file:// gets no extra privileges (the app uses app://).
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
  },

  win: {
    target: ['nsis'],
    // Signed with WIN_CSC_LINK / WIN_CSC_KEY_PASSWORD (or CSC_LINK / CSC_KEY_PASSWORD). A build with an
    // update feed must be signed: electron-updater then checks each downloaded installer's signature
    // against the publisher name taken from the certificate (written into app-update.yml).
    forceCodeSigning: Boolean(feed),
    verifyUpdateCodeSignature: true,
  },
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
    // Signed with CSC_LINK / CSC_KEY_PASSWORD (a Developer ID Application certificate); notarized when
    // APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID (or APPLE_API_KEY, APPLE_API_KEY_ID and
    // APPLE_API_ISSUER) are set. The macOS updater installs only signed apps, hence forced with a feed.
    hardenedRuntime: true,
    forceCodeSigning: Boolean(feed),
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Office',
    maintainer: 'BLOS Desktop team <desktop@blos.invalid>',
    synopsis: 'Offline-first field data entry',
  },

  // Uploads happen only with `--publish always` (scripts/dist.mjs --publish), never implicitly on CI.
  publish: feed ? [{ provider: 'generic', url: feed }] : null,
};
