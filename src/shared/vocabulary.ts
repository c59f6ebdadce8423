/**
 * The fixed value lists that the database columns, the contract's schemas and the screens' choices
 * all name. They live here, free of drizzle and zod, so the renderer bundle can carry them.
 */

export const ACCOUNT_ROLES = ['admin', 'field_worker'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

/** Outcomes a visit can record; the UI offers them in this order. */
export const VISIT_OUTCOMES = ['completed', 'not_home', 'refused', 'follow_up', 'moved'] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

/** What a supervisor can export as CSV: the households of the list, or their people, or their visits. */
export const EXPORT_KINDS = ['households', 'people', 'visits'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
