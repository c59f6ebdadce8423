import { stringify, type Stringifier } from 'csv-stringify';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { LocalStore } from '../db/local-store';
import type { ListQuery, SyncedRow } from '../db/repository';
import { FIELD_LABELS, humanize } from '../shared/field-labels';
import type { ExportKind } from '../shared/vocabulary';

/** The households list's query without its paging and order: the export takes every match, newest first. */
export type ExportQuery = Omit<ListQuery, 'sort' | 'limit' | 'after' | 'includeDeleted'>;

export interface ExportProgress {
  /** Households of the list read so far, of `households` (counted before writing starts). */
  householdsDone: number;
  households: number;
  /** CSV rows written (not counting the header). */
  rows: number;
}

export interface CsvExportOptions {
  store: LocalStore;
  kind: ExportKind;
  query: ExportQuery;
  /** The file the person chose; it appears only when complete (written beside it under a temporary name). */
  file: string;
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
  /** Households read per step (default 100, about 300 people): each step is one short, synchronous stretch of work. */
  chunkSize?: number;
}

export class ExportCancelled extends Error {
  constructor() {
    super('The export was cancelled.');
    this.name = 'ExportCancelled';
  }
}

/** A failure to write the file, in words that name it and say what to do. */
export class ExportWriteError extends Error {
  constructor(message: string, override readonly cause: unknown) {
    super(message);
    this.name = 'ExportWriteError';
  }
}

type Household = SyncedRow<'households'>;
type Cell = string | number | null;
interface Column<R> {
  header: string;
  value: (row: R, household: Household) => Cell;
}

/** Dates as Excel reads them and people do: local time, "2026-12-02 14:30". */
export function readableDateTime(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * Excel runs a cell that starts with = + - @ (or a tab or carriage return, which it skips first) as
 * a formula: a name typed as `=HYPERLINK(...)` must stay text. The leading apostrophe is OWASP's
 * advice; numbers are written as numbers and never guarded.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function jsonText(value: Record<string, unknown>): string {
  return Object.keys(value).length === 0 ? '' : JSON.stringify(value);
}

/**
 * Every field the screens label gets a column under that label, so a field added later (with its
 * label, docs/adding-a-field.md) is exported too. Values are written as people read them.
 */
function fieldColumns<T extends 'households' | 'people' | 'visits'>(table: T, skip: readonly string[] = []): Column<SyncedRow<T>>[] {
  return Object.entries(FIELD_LABELS[table])
    .filter(([field]) => !skip.includes(field))
    .map(([field, header]) => ({ header, value: (row) => cellOf(field, (row as Record<string, unknown>)[field]) }));
}

function cellOf(field: string, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (field === 'visitedAt') return readableDateTime(value as number);
  if (field === 'outcome' || field === 'gender') return humanize(String(value));
  if (typeof value === 'object') return jsonText(value as Record<string, unknown>);
  return value as Cell;
}

const householdId: Column<{ householdId: string }> = { header: 'Household ID', value: (row) => row.householdId };
const ofHousehold: Column<unknown>[] = [
  { header: FIELD_LABELS.households.headName, value: (_, household) => household.headName },
  { header: FIELD_LABELS.households.area, value: (_, household) => household.area },
];

const COLUMNS: { [K in ExportKind]: Column<SyncedRow<K>>[] } = {
  households: [
    { header: 'Household ID', value: (row) => row.id },
    ...fieldColumns('households'),
    { header: 'Entered on', value: (row) => readableDateTime(row.createdAt) },
    { header: 'Last change', value: (row) => readableDateTime(row.updatedAt) },
  ],
  people: [householdId, ...ofHousehold, ...fieldColumns('people', ['householdId'])],
  visits: [householdId, ...ofHousehold, ...fieldColumns('visits', ['householdId'])],
};

/** "households-2026-12-02.csv": what the save dialog or the download suggests. */
export function exportFileName(kind: ExportKind, now = Date.now()): string {
  return `${kind}-${readableDateTime(now).slice(0, 10)}.csv`;
}

/**
 * The rows of one chunk of households: the households themselves, or their live people or visits
 * (visits only those the list's visit filter asks for, when it has one), grouped by household in
 * the list's order.
 */
function rowsOf(store: LocalStore, kind: ExportKind, households: Household[], query: ExportQuery): [SyncedRow<ExportKind>, Household][] {
  if (kind === 'households') return households.map((h) => [h, h]);
  const children = store.repos[kind].ofHouseholds(
    households.map((h) => h.id),
    kind === 'visits' ? query.visited : undefined,
  );
  const byHousehold = new Map<string, SyncedRow<ExportKind>[]>();
  for (const row of children as SyncedRow<'people' | 'visits'>[]) {
    const rows = byHousehold.get(row.householdId);
    if (rows) rows.push(row);
    else byHousehold.set(row.householdId, [row]);
  }
  return households.flatMap((h) => (byHousehold.get(h.id) ?? []).map((row): [SyncedRow<ExportKind>, Household] => [row, h]));
}

/** The temporary name the file is written under, beside the chosen one (so the final rename stays on one disk). */
function temporaryName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.part`);
}

/** Plain words for what stopped the write, naming the file and the folder. */
function writeFailure(error: unknown, file: string): ExportWriteError {
  const name = path.basename(file);
  const folder = path.dirname(file);
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new ExportWriteError(`The disk is full: ${name} was not saved. Free some space (or choose another disk) and export again.`, error);
    case 'EFBIG':
      return new ExportWriteError(
        `${name} was not saved: it is larger than this disk takes in one file (USB sticks often take at most 4 GB). Save it on another disk, or narrow the list with filters and export again.`,
        error,
      );
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ExportWriteError(`${name} could not be saved: the folder ${folder} cannot be written to. Choose another folder.`, error);
    case 'ENOENT':
    case 'ENOTDIR':
      return new ExportWriteError(`${name} could not be saved: the folder ${folder} does not exist any more. Choose another folder.`, error);
    default:
      return new ExportWriteError(`${name} could not be saved: ${error instanceof Error ? error.message : String(error)}.`, error);
  }
}

/**
 * Writes the list's households (or their people or visits) to `file` as CSV for Excel: UTF-8 with
 * a byte-order mark, CRLF line ends, a header row of the labels people see. It reads a chunk of
 * households, writes its rows through csv-stringify into the file with backpressure, and lets the
 * event loop turn before the next chunk, so calls from the window are served throughout and memory
 * holds one chunk. The households are counted first (ids only) for the progress bar. Nothing appears
 * under `file` until it is complete: cancelled or failed, the temporary file is removed.
 */
export async function writeCsvExport(options: CsvExportOptions): Promise<ExportProgress> {
  const { store, kind, query, file, signal } = options;
  const chunkSize = options.chunkSize ?? 100;
  const households = store.repos.households;
  const progress: ExportProgress = { householdsDone: 0, households: 0, rows: 0 };
  const stopIfCancelled = () => {
    if (signal?.aborted) throw new ExportCancelled();
  };

  for (const ids of households.matchingIds(query, chunkSize)) {
    progress.households += ids.length;
    stopIfCancelled();
    await nextTurn();
  }
  options.onProgress?.({ ...progress });

  const temporary = temporaryName(file);
  const columns = COLUMNS[kind] as Column<SyncedRow<ExportKind>>[];
  const csv: Stringifier = stringify({
    bom: true,
    record_delimiter: 'windows',
    // csv-stringify quotes only the CRLF it writes; Excel ends a row at a lone line feed too.
    quoted_match: /[\r\n]/,
    header: true,
    columns: columns.map((column, i) => ({ key: String(i), header: column.header })),
    cast: { string: guardFormula },
  });
  let out: fs.WriteStream;
  try {
    // 'wx': never write into a file someone else has at this temporary name.
    out = fs.createWriteStream(temporary, { flags: 'wx' });
    await once(out, 'open');
  } catch (error) {
    throw writeFailure(error, file);
  }
  const written = pipeline(csv, out);
  written.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled

  try {
    for (const ids of households.matchingIds(query, chunkSize)) {
      stopIfCancelled();
      for (const [row, household] of rowsOf(store, kind, households.getMany(ids), query)) {
        if (!csv.write(columns.map((column) => column.value(row, household)))) await Promise.race([once(csv, 'drain'), written]);
        progress.rows++;
      }
      progress.householdsDone += ids.length;
      options.onProgress?.({ ...progress, households: Math.max(progress.households, progress.householdsDone) });
      await nextTurn();
    }
    stopIfCancelled();
    csv.end();
    await written;
    fs.renameSync(temporary, file);
    return { ...progress, households: progress.householdsDone };
  } catch (error) {
    csv.destroy();
    await written.catch(() => undefined);
    fs.rmSync(temporary, { force: true });
    if (error instanceof ExportCancelled) throw error;
    // A failure of the file (disk full, folder gone) or of the rename; a database failure is not the file's.
    if ((error as NodeJS.ErrnoException | null)?.syscall) throw writeFailure(error, file);
    throw error;
  }
}
