/**
 * The most characters each text field of a record takes: the record schemas refuse more, and the
 * forms stop typing there. Here, free of drizzle and zod, so the renderer bundle can carry them.
 */
export const TEXT_LIMITS = {
  households: { area: 100, address: 300, headName: 200, phone: 40, notes: 4000, enteredBy: 100 },
  people: { fullName: 200, phone: 40, idDocument: 100, enteredBy: 100 },
  visits: { notes: 4000, enteredBy: 100 },
} as const;
