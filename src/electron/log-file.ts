import fs from 'node:fs';
import path from 'node:path';

export type LogLine = (message: string) => void;

/**
 * An append-only log file in the logs folder, for what happens in the main process (start, quit,
 * updater, refused IPC). When it passes maxBytes it moves to `<name>.1` (replacing the older one), so
 * two files bound the disk use. Logging never throws: a full disk must not stop the app.
 */
export function openLogFile(logsDir: string, name = 'main.log', maxBytes = 5 * 1024 * 1024): LogLine {
  const file = path.join(logsDir, name);
  return (message) => {
    try {
      if (fs.existsSync(file) && fs.statSync(file).size >= maxBytes) fs.renameSync(file, `${file}.1`);
      fs.appendFileSync(file, `${new Date().toISOString()} ${message}\n`);
    } catch {
      // Nowhere left to report it.
    }
  };
}
