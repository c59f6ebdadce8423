/** Dates and times as a person in the field reads them, in the PC's locale and time zone. */

export function dateTime(ms: number | null | undefined): string {
  if (ms == null) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "just now", "3 min ago", "2 h ago", else the date. */
export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (ms == null) return 'never';
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return dateTime(ms);
}

export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? noun : plural}`;
}

export function shortId(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}


type DatePart = 'day' | 'month' | 'year';
const SAMPLE_DATE = new Date(2033, 10, 22); // parts told apart by their values: 22, 11, 2033
const numericDate = new Intl.DateTimeFormat(undefined, { day: '2-digit', month: '2-digit', year: 'numeric' });

/** The order of day, month and year in this PC's locale, and what it looks like ("dd/mm/yyyy"). */
export function localeDateOrder(): { order: DatePart[]; pattern: string } {
  const parts = numericDate.formatToParts(SAMPLE_DATE);
  const order = parts.filter((p) => p.type === 'day' || p.type === 'month' || p.type === 'year').map((p) => p.type as DatePart);
  const names: Record<string, string> = { day: 'dd', month: 'mm', year: 'yyyy' };
  return { order, pattern: parts.map((p) => names[p.type] ?? p.value).join('') };
}

/** An ISO date (YYYY-MM-DD) as this PC's locale writes it with digits, e.g. 09/03/2015. */
export function localDate(iso: string | null | undefined): string {
  if (!iso) return '';
  const [y, m, d] = iso.split('-').map(Number);
  return numericDate.format(new Date(y!, m! - 1, d!));
}

/** The local calendar day of a timestamp, as ISO (YYYY-MM-DD). */
export function isoDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Hours and minutes of a timestamp, 24-hour: what the time fields show and accept. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * A date typed in the PC's locale order with any separators ("9/3/2015", "09-03-2015") or as ISO
 * (2015-03-09), to ISO. Empty text is null. The error names the expected shape.
 */
export function parseLocalDate(text: string): Parsed<string | null> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const { order, pattern } = localeDateOrder();
  const numbers = trimmed.split(/[^0-9]+/).filter(Boolean);
  const bad: Parsed<string | null> = { ok: false, error: `a date like ${pattern}` };
  if (numbers.length !== 3) return bad;
  const fields = /^\d{4}$/.test(numbers[0]!) ? { year: numbers[0]!, month: numbers[1]!, day: numbers[2]! } : Object.fromEntries(order.map((part, i) => [part, numbers[i]!]));
  const [year, month, day] = [Number(fields.year), Number(fields.month), Number(fields.day)];
  if (String(fields.year).length !== 4) return bad;
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return { ok: false, error: `no such date; expected ${pattern}` };
  return { ok: true, value: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

/** A date of birth: a local date (or none), not after today. */
export function parseBirthDate(text: string, today = new Date()): Parsed<string | null> {
  const date = parseLocalDate(text);
  if (!date.ok || date.value === null) return date;
  const [y, m, d] = date.value.split('-').map(Number);
  return new Date(y!, m! - 1, d!) > today ? { ok: false, error: 'after today: check the year' } : date;
}

/** A local date and a 24-hour time ("14:30", empty: midnight) to a timestamp. */
export function parseLocalDateTime(dateText: string, timeText: string): Parsed<number> {
  const date = parseLocalDate(dateText);
  if (!date.ok) return date;
  if (date.value === null) return { ok: false, error: `required: a date like ${localeDateOrder().pattern}` };
  const time = timeText.trim() === '' ? ['0', '0'] : /^(\d{1,2})[:.h]?(\d{2})$/.exec(timeText.trim())?.slice(1);
  if (!time || Number(time[0]) > 23 || Number(time[1]) > 59) return { ok: false, error: 'a time like 14:30' };
  const [y, m, d] = date.value.split('-').map(Number);
  return { ok: true, value: new Date(y!, m! - 1, d!, Number(time[0]), Number(time[1])).getTime() };
}
