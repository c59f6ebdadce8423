/** The two fields that order versions of one row under last-write-wins (ARCHITECTURE 3.2). */
export interface VersionStamp {
  updatedAt: number;
  machineId: string;
}

/**
 * Compares two versions of a row: positive when `a` wins, negative when `b` wins, 0 when they are the
 * same version. `updatedAt` first, ties broken by `machineId` (as strings). The server and every
 * client call this one function, so every replica picks the same winner.
 */
export function compareVersions(a: VersionStamp, b: VersionStamp): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt > b.updatedAt ? 1 : -1;
  if (a.machineId === b.machineId) return 0;
  return a.machineId > b.machineId ? 1 : -1;
}
