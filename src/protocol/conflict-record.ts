import { v7 as uuidv7 } from 'uuid';
import type { SyncedTableName } from '../db/schema';
import type { FieldConflict } from './merge';
import type { WireRecord } from './wire';

/**
 * A conflict as a synced record (table `conflicts`), made where it was decided: by the server for a
 * push, by a client for a pull. Stamped by the deciding clock and machine; dismissing it tombstones it.
 */
export function conflictRecord(table: SyncedTableName, recordId: string, conflict: FieldConflict, decidedBy: string, now: number): WireRecord {
  const { field, lost, won } = conflict;
  const at = Math.max(now, lost.stamp.updatedAt, won.stamp.updatedAt);
  return {
    id: uuidv7(),
    createdAt: at,
    updatedAt: at,
    machineId: decidedBy,
    updatedBy: '',
    fieldStamps: {},
    deletedAt: null,
    recordTable: table,
    recordId,
    field,
    lostValue: lost.value ?? null,
    wonValue: won.value ?? null,
    lostAt: lost.stamp.updatedAt,
    lostMachineId: lost.stamp.machineId,
    lostBy: lost.stamp.updatedBy,
    wonAt: won.stamp.updatedAt,
    wonMachineId: won.stamp.machineId,
    wonBy: won.stamp.updatedBy,
  };
}
