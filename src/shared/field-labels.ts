/** Each synced field as the forms name it: what people read wherever a field is mentioned (screens, exports). */
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
} as const satisfies Record<'households' | 'people' | 'visits', Record<string, string>>;

export function fieldLabel(table: keyof typeof FIELD_LABELS, field: string): string {
  return (FIELD_LABELS[table] as Record<string, string>)[field] ?? field;
}

/** A stored value in words: `not_home` -> "Not home", `headName` -> "Head name". */
export function humanize(value: string): string {
  const text = value.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
