import type { SyncedRow } from '../ipc/contract';

/** Typed views of the rows `records.*` returns (the contract types them as the union of all tables). */
export type Household = SyncedRow<'households'>;
export type Person = SyncedRow<'people'>;
export type Visit = SyncedRow<'visits'>;

/** How a household is named in lists and headings. */
export function householdTitle(row: Pick<Household, 'headName' | 'address' | 'area'>): string {
  return row.headName || row.address || `Household in ${row.area}`;
}

/**
 * Form state holds strings; this turns one into a record's optional number: a decimal as people type
 * it, with a point or a comma; null when empty, NaN when it is no such number.
 */
export function optionalNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(trimmed) ? Number(trimmed.replace(',', '.')) : NaN;
}

export function numberText(value: number | null | undefined): string {
  return value == null ? '' : String(value);
}
