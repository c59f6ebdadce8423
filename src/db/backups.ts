import fs from 'node:fs';
import path from 'node:path';

/** Copies of a database live in `backups/` beside it (the data folder's backups for `blos.db`). */
export function backupsFolder(file: string): string {
  return path.join(path.dirname(path.resolve(file)), 'backups');
}

const fileStem = (file: string) => path.basename(file, path.extname(file));
/** `blos-schema3-2026-05-04T10-00-00-000Z.db`: the schema it had, and when it was taken (UTC). */
const BACKUP_NAME = /^(.+)-schema\d+-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.db$/;

/** Where a new backup of `file` at `schemaVersion` goes (the folder is created). */
export function newBackupPath(file: string, schemaVersion: number, at = new Date()): string {
  const dir = backupsFolder(file);
  fs.mkdirSync(dir, { recursive: true });
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return path.join(dir, `${fileStem(file)}-schema${schemaVersion}-${stamp}.db`);
}

/** The backups taken of `file`, newest first (by the time in their names, which copying keeps). */
export function listBackups(file: string): string[] {
  const dir = backupsFolder(file);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => ({ name, match: BACKUP_NAME.exec(name) }))
    .filter(({ match }) => match?.[1] === fileStem(file))
    .sort((a, b) => b.match![2]!.localeCompare(a.match![2]!))
    .map(({ name }) => path.join(dir, name));
}

export function newestBackup(file: string): string | null {
  return listBackups(file)[0] ?? null;
}
