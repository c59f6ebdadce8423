// Run by scripts/native-for-electron.js in a child process: @electron/rebuild is ESM only, and its
// node-gyp must see the environment that script prepares.
// Usage: node scripts/rebuild-for-electron.mjs <stage folder> <electron version> <arch>
import { rebuild } from '@electron/rebuild';

const [buildPath, electronVersion, arch] = process.argv.slice(2);
await rebuild({ buildPath, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true });
