import type { RecordTableName } from '../ipc/contract';

/** Each synced field as the forms name it: what people read wherever a field is mentioned. */
export const FIELD_LABELS = {
  households: {
    area: 'Area',
    address: 'Address',
    headName: 'Head of household',
    phone: 'Phone',
    geoLat: 'Latitude',
    geoLng: 'Longitude',
    notes: 'Notes',
    enteredBy: 'Entered by',
  },
  people: {
    householdId: 'Household',
    fullName: 'Full name',
    dateOfBirth: 'Date of birth',
    gender: 'Gender',
    phone: 'Phone',
    idDocument: 'ID document',
    attributes: 'Other details',
    enteredBy: 'Entered by',
  },
  visits: {
    householdId: 'Household',
    visitedAt: 'Visited at',
    outcome: 'Outcome',
    notes: 'Notes',
    answers: 'Answers',
    enteredBy: 'Entered by',
  },
} as const satisfies Record<RecordTableName, Record<string, string>>;

export function fieldLabel(table: RecordTableName, field: string): string {
  return (FIELD_LABELS[table] as Record<string, string>)[field] ?? field;
}
