import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/temp';

/**
 * A stand-in for better-sqlite3 compiled against Electron's headers, which cannot be downloaded here:
 * the module npm built for Node with its registration symbol renamed to the given ABI (same number of
 * digits, so the file keeps its size and layout). It carries Electron's ABI but is never loaded.
 */
export function standInElectronBuild(nodeBuild: string, abi: number): string {
  const bytes = fs.readFileSync(nodeBuild);
  const nodeSymbol = Buffer.from(`node_register_module_v${process.versions.modules}`, 'latin1');
  const electronSymbol = Buffer.from(`node_register_module_v${abi}`, 'latin1');
  if (nodeSymbol.length !== electronSymbol.length) throw new Error(`ABI ${abi} does not have as many digits as ${process.versions.modules}`);
  let at = bytes.indexOf(nodeSymbol);
  if (at < 0) throw new Error(`${nodeBuild} does not export ${nodeSymbol.toString('latin1')}`);
  for (; at >= 0; at = bytes.indexOf(nodeSymbol, at + 1)) electronSymbol.copy(bytes, at);
  const file = path.join(tempDir('blos-electron-module-'), 'better_sqlite3.node');
  fs.writeFileSync(file, bytes);
  return file;
}
