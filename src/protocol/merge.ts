/**
 * Per-field last-write-wins (ARCHITECTURE 3.2, docs/sync-protocol.md section 6): the one merge the
 * server and every client run, so every replica picks the same value for every field.
 */
import { compareStamps, sameStamp, type Stamp } from '../db/field-stamps';

export { type Stamp };

/** A record's field values with every field's stamp spelled out (fields the record lacks have none). */
export interface FieldState {
  values: Record<string, unknown>;
  stamps: Record<string, Stamp>;
}

/**
 * One side's pending edits: the fields it changed since the other side last acknowledged it, each
 * with the stamp of the value it replaced (null: there was none).
 */
export type Base = Record<string, Stamp | null>;

/** A field value overwritten by a concurrent write. `deletedAt` means an edit that a delete hid. */
export interface FieldConflict {
  field: string;
  lost: { value: unknown; stamp: Stamp };
  won: { value: unknown; stamp: Stamp };
  /** Whose value lost: the side with pending edits, or the other one. */
  loser: 'pending' | 'other';
}

export interface Merge {
  state: FieldState;
  /** Fields where the pending side's write won over a different one. */
  pendingWon: string[];
  /** Fields where the other side's write won over a different one. */
  otherWon: string[];
  conflicts: FieldConflict[];
}

/**
 * Merges two states of one record field by field: each field keeps the later write. A field only one
 * side has is taken from it. `pending` is the side whose edits `base` describes (a pushed record on
 * the server, the local row on a client); conflicts are the pending edits made without seeing the
 * other side's write of the same field, and are never between two writes of one machine.
 */
export function mergeFields(pending: FieldState, base: Base, other: FieldState): Merge {
  const state: FieldState = { values: { ...other.values }, stamps: { ...other.stamps } };
  const pendingWon: string[] = [];
  const otherWon: string[] = [];
  const conflicts: FieldConflict[] = [];
  for (const [field, stamp] of Object.entries(pending.stamps)) {
    const theirs = other.stamps[field];
    const order = theirs ? compareStamps(stamp, theirs) : 1;
    if (order === 0) continue;
    const value = pending.values[field];
    if (order > 0) {
      state.values[field] = value;
      state.stamps[field] = stamp;
      if (theirs) pendingWon.push(field);
    } else {
      otherWon.push(field);
    }
    if (theirs && field in base && !sameStamp(base[field], theirs) && stamp.machineId !== theirs.machineId) {
      const mine = { value, stamp };
      const their = { value: other.values[field], stamp: theirs };
      conflicts.push(order > 0 ? { field, lost: their, won: mine, loser: 'other' } : { field, lost: mine, won: their, loser: 'pending' });
    }
  }
  const hidden = editHiddenByDelete(pending, base, other, state);
  if (hidden) conflicts.push(hidden);
  return { state, pendingWon, otherWon, conflicts };
}

const DELETED = 'deletedAt';

/**
 * A delete is a write of `deletedAt`: it keeps every value, and an edit of another field does not
 * bring the record back. When a delete and an edit the deleting side had not seen meet, the edit is
 * kept inside the tombstone and its author is told (a conflict on `deletedAt`).
 */
function editHiddenByDelete(pending: FieldState, base: Base, other: FieldState, merged: FieldState): FieldConflict | null {
  const deletion = merged.stamps[DELETED];
  if (merged.values[DELETED] == null || !deletion) return null;
  const deletedBy: 'pending' | 'other' = sameStamp(deletion, pending.stamps[DELETED]) ? 'pending' : 'other';
  if (deletedBy === 'pending' && !(DELETED in base)) return null;
  const editor = deletedBy === 'pending' ? other : pending;
  const deleter = deletedBy === 'pending' ? pending : other;
  if (editor.values[DELETED] != null) return null;
  // The editor's writes the deleting side had not seen (for the pending side: its pending edits).
  const unseen = Object.entries(editor.stamps).filter(
    ([field, stamp]) =>
      field !== DELETED &&
      stamp.machineId !== deletion.machineId &&
      (deletedBy === 'other' ? field in base : !deleter.stamps[field] || compareStamps(stamp, deleter.stamps[field]) > 0),
  );
  if (unseen.length === 0) return null;
  const latest = unseen.reduce((a, b) => (compareStamps(a[1], b[1]) >= 0 ? a : b))[1];
  return {
    field: DELETED,
    lost: { value: null, stamp: latest },
    won: { value: merged.values[DELETED], stamp: deletion },
    loser: deletedBy === 'pending' ? 'other' : 'pending',
  };
}

