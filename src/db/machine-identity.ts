import { createHash, randomBytes } from 'node:crypto';
import { machineIdSync } from 'node-machine-id';
import { readMeta, writeMeta, type MetaDatabase } from './instance-meta';

/** Reads the operating system's machine ID (hashed by node-machine-id). Replaceable in tests. */
export type OsMachineId = () => string;

export const systemMachineId: OsMachineId = () => machineIdSync();

const KEYS = { osId: 'machine.os_id', salt: 'machine.salt', machineId: 'machine.id' } as const;

/**
 * The stable 64-hex identity of this installation: the OS machine ID combined with a random
 * per-install salt, hashed. Stored in the database together with the OS ID it was made on, so a
 * database copied to another PC notices and takes a new identity instead of impersonating the
 * original. Two databases on one PC (tests, several profiles) get different identities too.
 */
export function loadMachineIdentity(db: MetaDatabase, osMachineId: OsMachineId = systemMachineId): string {
  const osId = createHash('sha256').update(osMachineId()).digest('hex');
  const stored = readMeta(db, KEYS.machineId);
  if (stored && readMeta(db, KEYS.osId) === osId) return stored;

  const salt = randomBytes(32).toString('hex');
  const machineId = createHash('sha256').update(`${osId}:${salt}`).digest('hex');
  db.transaction((tx) => {
    writeMeta(tx, KEYS.osId, osId);
    writeMeta(tx, KEYS.salt, salt);
    writeMeta(tx, KEYS.machineId, machineId);
  });
  return machineId;
}
