import { createHash, randomBytes } from 'node:crypto';
import { machineIdSync } from 'node-machine-id';
import type { SqliteDatabase } from './connection';

/** Reads the operating system's machine ID (hashed by node-machine-id). Replaceable in tests. */
export type OsMachineId = () => string;

export const systemMachineId: OsMachineId = () => machineIdSync();

const KEYS = { osId: 'machine.os_id', salt: 'machine.salt', machineId: 'machine.id' } as const;

function readMeta(sqlite: SqliteDatabase, key: string): string | undefined {
  const row = sqlite.prepare('SELECT value FROM instance_meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/**
 * The stable 64-hex identity of this installation: the OS machine ID combined with a random
 * per-install salt, hashed. Stored in the database together with the OS ID it was made on, so a
 * database copied to another PC notices and takes a new identity instead of impersonating the
 * original. Two databases on one PC (tests, several profiles) get different identities too.
 */
export function loadMachineIdentity(sqlite: SqliteDatabase, osMachineId: OsMachineId = systemMachineId): string {
  const osId = createHash('sha256').update(osMachineId()).digest('hex');
  const stored = readMeta(sqlite, KEYS.machineId);
  if (stored && readMeta(sqlite, KEYS.osId) === osId) return stored;

  const salt = randomBytes(32).toString('hex');
  const machineId = createHash('sha256').update(`${osId}:${salt}`).digest('hex');
  const upsert = sqlite.prepare(
    'INSERT INTO instance_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  sqlite.transaction(() => {
    upsert.run(KEYS.osId, osId);
    upsert.run(KEYS.salt, salt);
    upsert.run(KEYS.machineId, machineId);
  })();
  return machineId;
}
