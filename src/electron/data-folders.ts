import fs from 'node:fs';
import path from 'node:path';

export interface DataFolders {
  /** Holds the database and the user's `.env`; handed to the core as its dataDir. */
  dataDir: string;
  logsDir: string;
  backupsDir: string;
}

/**
 * The folders the app keeps its state in: Electron's per-user userData folder, or BLOS_DATA_DIR when
 * set (a portable install, or a second profile for testing). Created if missing.
 */
export function prepareDataFolders(userDataPath: string, env: Record<string, string | undefined>): DataFolders {
  const dataDir = path.resolve(env.BLOS_DATA_DIR || userDataPath);
  const folders = { dataDir, logsDir: path.join(dataDir, 'logs'), backupsDir: path.join(dataDir, 'backups') };
  for (const folder of Object.values(folders)) fs.mkdirSync(folder, { recursive: true });
  return folders;
}

/**
 * The folders whose `.env` the app reads, first wins: the data folder, and while developing also the
 * working folder. An installed app ignores the working folder: it would take its settings from
 * whatever folder it happened to be started in.
 */
export function envFolders(dataDir: string, options: { isPackaged: boolean; cwd: string }): string[] {
  return options.isPackaged ? [dataDir] : [dataDir, options.cwd];
}
