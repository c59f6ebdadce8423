import { randomId } from './client';
import type { Change, Session } from './session';

/** Valid records of each table as docs/sync-protocol.md section 4 describes them, with fresh ids and stamps. */

function syncColumns(session: Session) {
  const at = session.stamp();
  return { id: randomId(), createdAt: at, updatedAt: at, machineId: session.machineId, deletedAt: null };
}

export function household(session: Session, patch: Record<string, unknown> = {}): Change {
  return {
    table: 'households',
    row: {
      ...syncColumns(session),
      area: 'Conformance',
      address: '12 River Road',
      headName: 'Amina Diallo',
      phone: '+221 555 0100',
      geoLat: 14.69,
      geoLng: -17.44,
      notes: '',
      enteredBy: 'conformance',
      ...patch,
    },
  };
}

export function person(session: Session, householdId: string, patch: Record<string, unknown> = {}): Change {
  return {
    table: 'people',
    row: {
      ...syncColumns(session),
      householdId,
      fullName: 'Moussa Diallo',
      dateOfBirth: '1984-03-02',
      gender: 'male',
      phone: '',
      idDocument: 'SN-123',
      attributes: { languages: ['wo', 'fr'], literate: true },
      enteredBy: 'conformance',
      ...patch,
    },
  };
}

export function visit(session: Session, householdId: string, patch: Record<string, unknown> = {}): Change {
  return {
    table: 'visits',
    row: {
      ...syncColumns(session),
      householdId,
      visitedAt: session.stamp(),
      outcome: 'completed',
      notes: 'All present',
      answers: { q1: 'yes', q2: 3, water: { source: 'well', distanceM: 250 }, crops: ['millet', 'peanut'] },
      enteredBy: 'conformance',
      ...patch,
    },
  };
}

/** The same record, written later (a fresh stamp) with `patch` applied. */
export function edited(change: Change, session: Session, patch: Record<string, unknown> = {}): Change {
  return { table: change.table, row: { ...change.row, updatedAt: session.stamp(), ...patch } };
}
