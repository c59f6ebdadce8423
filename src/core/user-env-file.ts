import dotenv from 'dotenv';
import fs from 'node:fs';
import path from 'node:path';
import { clientEnvSchema, ConfigError, parseEnv } from '../config/env';

/**
 * The `.env` in the user-data folder: where the settings screen saves the sync settings. Other
 * variables in it are kept. The file is validated as a whole before it replaces the old one
 * (written to a temporary file, then renamed), so a bad value never leaves a half-written file.
 */
export function userEnvFile(dataDir: string): string {
  return path.join(dataDir, '.env');
}

export function readUserEnv(dataDir: string): Record<string, string> {
  const file = userEnvFile(dataDir);
  return fs.existsSync(file) ? dotenv.parse(fs.readFileSync(file)) : {};
}

function serialize(vars: Record<string, string>): string {
  const lines = ['# Saved by BLOS Desktop (Settings). Values here are overridden by the process environment.'];
  for (const [key, value] of Object.entries(vars)) {
    if (/["\r\n\\]/.test(value)) throw new ConfigError([`${key}: contains a quote, backslash or line break`]);
    lines.push(`${key}="${value}"`);
  }
  return lines.join('\n') + '\n';
}

/** Sets (string) or removes (undefined) variables; throws ConfigError when the result is invalid. */
export function updateUserEnv(dataDir: string, changes: Record<string, string | undefined>): void {
  const vars = readUserEnv(dataDir);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete vars[key];
    else vars[key] = value;
  }
  parseEnv(clientEnvSchema, vars);
  fs.mkdirSync(dataDir, { recursive: true });
  const file = userEnvFile(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  // The file holds the API key: readable by this user only.
  fs.writeFileSync(temporary, serialize(vars), { mode: 0o600 });
  fs.renameSync(temporary, file);
}
