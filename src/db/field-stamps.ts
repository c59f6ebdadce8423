/**
 * Every field of a synced record carries the stamp of its last write (protocol v2): a row stores its
 * latest stamp in `updated_at`, `machine_id`, `updated_by`, and only the fields written at another
 * moment in `field_stamps`.
 */

/** Who wrote a field's value, and when (hybrid-clock ms); orders two writes of one field. */
export interface Stamp {
  updatedAt: number;
  machineId: string;
  /** The account (username) that made the write; not part of the order. */
  updatedBy: string;
}

/** A stamp per field name. */
export type FieldStamps = Record<string, Stamp>;

/** The stamp of a field nobody has written yet (a column added after the record was made): every write beats it. */
export const NEVER_WRITTEN: Stamp = Object.freeze({ updatedAt: 0, machineId: '0'.repeat(64), updatedBy: '' });

/**
 * Positive when `a` is the later write, negative when `b` is, 0 when they are the same write:
 * `updatedAt` first, ties broken by `machineId` (plain string order of lowercase hex).
 */
export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? 1 : -1;
  if (a.machineId === b.machineId) return 0;
  return a.machineId > b.machineId ? 1 : -1;
}

export function sameStamp(a: Stamp | null | undefined, b: Stamp | null | undefined): boolean {
  return !!a && !!b && compareStamps(a, b) === 0;
}

/** The record-level stamp and the fields whose stamp differs from it: how stamps travel and are stored. */
export interface CompactStamps extends Stamp {
  fieldStamps: Record<string, Stamp>;
}

/** The latest stamp is the record's; only fields written at another moment are listed. */
export function compactStamps(stamps: Record<string, Stamp>): CompactStamps {
  const all = Object.values(stamps);
  const latest = all.reduce((a, b) => (compareStamps(a, b) >= 0 ? a : b), NEVER_WRITTEN);
  const fieldStamps: Record<string, Stamp> = {};
  for (const [field, stamp] of Object.entries(stamps)) {
    if (!sameStamp(stamp, latest)) fieldStamps[field] = stamp;
  }
  return { updatedAt: latest.updatedAt, machineId: latest.machineId, updatedBy: latest.updatedBy, fieldStamps };
}

/** Every field of `fields` the record carries, with its stamp: its own entry, else the record's. */
export function expandStamps(record: Stamp & { fieldStamps?: Record<string, Stamp> }, fields: readonly string[], present: (field: string) => boolean): Record<string, Stamp> {
  const own: Stamp = { updatedAt: record.updatedAt, machineId: record.machineId, updatedBy: record.updatedBy };
  const stamps: Record<string, Stamp> = {};
  for (const field of fields) {
    if (present(field)) stamps[field] = record.fieldStamps?.[field] ?? own;
  }
  return stamps;
}
