import { z } from 'zod';
import {
  displayNameSchema,
  loginPasswordSchema,
  newPasswordSchema,
  usernameSchema,
} from '../accounts/password-policy';
import { householdInput, personInput, visitInput } from '../db/record-schemas';
import type { Reports } from '../db/reports';
import type { Page, SyncedRow } from '../db/repository';
import type { RecordTableName, SyncedTableName } from '../db/schema';
import type { AccountSummary, SessionAccount, UpdateStatus } from '../shared/outputs';
import { ACCOUNT_ROLES, EXPORT_KINDS, GENDERS, VISIT_OUTCOMES, type AccountRole, type ExportKind } from '../shared/vocabulary';
import type { RejectedRecord, SyncStatus } from '../sync/status';
import type { ContractName } from './names';

export { CONTRACT_NAMES, isContractName, type ContractName } from './names';
export type { Page } from '../db/repository';

/**
 * The single source of truth for what the renderer may call: each name, the schema its input must
 * pass (validated in the core, never trusted from the renderer) and who may call it.
 *   public: anyone (login screen);  user: any logged-in account;  admin: admins only.
 * `passive` calls (the UI polls them) check the session without counting as activity, so polling
 * never keeps an idle session alive.
 */
export type Access = 'public' | 'user' | 'admin';
export interface ContractEntry {
  input: z.ZodType;
  access: Access;
  passive?: boolean;
}

const none = z.object({}).strict().optional();
const id = z.uuid('expected a record id (UUID)');

/**
 * The record schemas, with every column that has a default optional (drizzle-zod types refined
 * columns as required). The renderer never sets who entered a record: the core stamps the
 * session's username.
 */
/**
 * A phone number as typed at the PC: digits with spaces and + - ( ) . between, at least 3 digits.
 * Checked here, at the renderer's door, not in the record schemas the server shares: a record
 * entered before this rule must still sync.
 */
const phone = z
  .string()
  .trim()
  .max(40, 'at most 40 characters')
  .refine((v) => v === '' || (/^\+?[0-9()\-.\s]+$/.test(v) && (v.match(/[0-9]/g)?.length ?? 0) >= 3), 'a phone number: digits, with spaces and + - ( ) allowed');

/**
 * Every field but `required` may be left out. A field added later always has a default (older PCs make
 * records without it, docs/adding-a-field.md), so it needs no entry here.
 */
function allBut<S extends z.ZodRawShape, const R extends keyof S & string>(shape: S, required: readonly R[]) {
  const optional = Object.keys(shape).filter((key) => !(required as readonly string[]).includes(key));
  return Object.fromEntries(optional.map((key) => [key, true])) as { [K in Exclude<keyof S, R>]: true };
}
const householdValues = householdInput.omit({ enteredBy: true }).extend({ phone });
const personValues = personInput.omit({ enteredBy: true }).extend({ phone });
const visitValues = visitInput.omit({ enteredBy: true });

const recordValues = {
  households: householdValues.partial(allBut(householdValues.shape, ['area'])),
  people: personValues.partial(allBut(personValues.shape, ['householdId', 'fullName'])),
  visits: visitValues.partial(allBut(visitValues.shape, ['householdId', 'visitedAt', 'outcome'])),
} as const;

const listBase = {
  search: z.string().max(200, 'at most 200 characters').optional(),
  limit: z.number().int().min(1).max(500).optional(),
  // A sorted list's cursor holds the last row's sort value (up to 200 characters) and id.
  after: z.string().max(600).nullable().optional(),
  includeDeleted: z.boolean().optional(),
};
const sortBy = <const C extends readonly [string, ...string[]]>(columns: C) =>
  z.object({ by: z.enum(columns), descending: z.boolean().optional() }).strict().optional();
const epochMs = z.number().int().nonnegative();
const filter = z.string().max(200);

/** What the households list shows (search and filters), as the list and its exports ask for it. */
const householdsQuery = {
  search: listBase.search,
  filters: z.object({ area: filter, enteredBy: filter }).partial().strict().optional(),
  visited: z.object({ outcome: z.enum(VISIT_OUTCOMES), from: epochMs, to: epochMs }).partial().strict().optional(),
};

/** One object schema per table, told apart by `table`. */
function perTable<H extends z.ZodRawShape, P extends z.ZodRawShape, V extends z.ZodRawShape>(shapes: {
  households: H;
  people: P;
  visits: V;
}) {
  return z.discriminatedUnion('table', [
    z.object({ table: z.literal('households') }).extend(shapes.households).strict(),
    z.object({ table: z.literal('people') }).extend(shapes.people).strict(),
    z.object({ table: z.literal('visits') }).extend(shapes.visits).strict(),
  ]);
}
const tableOnly = z.enum(['households', 'people', 'visits'] satisfies SyncedTableName[]);

/** An update must change something: an empty one would only re-stamp the row and sync it again. */
const changes = <S extends z.ZodObject>(schema: S) =>
  schema.refine((values) => Object.keys(values).length > 0, 'nothing to change');

const MAX_BATCH = 500;
const MAX_PEOPLE = 50;
const batchOf = <S extends z.ZodType>(schema: S) =>
  z.array(schema).min(1, 'at least one record').max(MAX_BATCH, `at most ${MAX_BATCH} records per batch`);

const apiKeyInput = z.string().trim().regex(/^[0-9a-f]{64}$/i, 'expected 64 hexadecimal characters (0-9, a-f)');
const serverUrlInput = z
  .string()
  .trim()
  .max(500)
  .refine((v) => v === '' || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'expected an http:// or https:// URL');

export const contract = {
  'session.status': { input: none, access: 'public', passive: true },
  'session.setupAdmin': {
    input: z.object({ username: usernameSchema, displayName: displayNameSchema, password: newPasswordSchema }).strict(),
    access: 'public',
  },
  'session.login': {
    input: z
      .object({ username: z.string().trim().toLowerCase().min(1, 'required').max(100), password: loginPasswordSchema })
      .strict(),
    access: 'public',
  },
  'session.logout': { input: none, access: 'public' },
  'session.changePassword': {
    input: z.object({ currentPassword: loginPasswordSchema, newPassword: newPasswordSchema }).strict(),
    access: 'user',
  },

  'records.list': {
    input: perTable({
      households: {
        ...listBase,
        ...householdsQuery,
        sort: sortBy(['headName', 'area', 'enteredBy']),
      },
      people: {
        ...listBase,
        filters: z.object({ householdId: filter, gender: z.enum(GENDERS) }).partial().strict().optional(),
        sort: sortBy(['fullName']),
      },
      visits: {
        ...listBase,
        filters: z
          .object({ householdId: filter, outcome: z.enum(VISIT_OUTCOMES), enteredBy: filter })
          .partial()
          .strict()
          .optional(),
        sort: sortBy(['visitedAt']),
      },
    }),
    access: 'user',
  },
  'records.get': { input: z.object({ table: tableOnly, id }).strict(), access: 'user' },
  'records.create': {
    input: perTable({
      households: { values: recordValues.households },
      people: { values: recordValues.people },
      visits: { values: recordValues.visits },
    }),
    access: 'user',
  },
  'records.batchCreate': {
    input: perTable({
      households: { values: batchOf(recordValues.households) },
      people: { values: batchOf(recordValues.people) },
      visits: { values: batchOf(recordValues.visits) },
    }),
    access: 'user',
  },
  'records.update': {
    input: perTable({
      households: { id, values: changes(recordValues.households.partial()) },
      people: { id, values: changes(recordValues.people.partial()) },
      visits: { id, values: changes(recordValues.visits.partial()) },
    }),
    access: 'user',
  },
  'records.delete': { input: z.object({ table: tableOnly, id }).strict(), access: 'user' },
  /** Undoes a delete: the record (and what was deleted with it) comes back as a new change that syncs. */
  'records.restore': { input: z.object({ table: tableOnly, id }).strict(), access: 'user' },
  /** Households on this PC the one being typed may duplicate (same phone; a name in the same area). */
  'records.likelyDuplicates': {
    input: z
      .object({
        area: z.string().max(100),
        names: z.array(z.string().max(200)).max(MAX_PEOPLE + 1),
        phone: z.string().max(40),
      })
      .strict(),
    access: 'user',
  },
  /** The areas of the households on this PC, each once, sorted: what the area filter suggests. */
  'records.areas': { input: none, access: 'user' },
  /** A household with its people and an optional visit, saved in one transaction: all or nothing. */
  'records.enterHousehold': {
    input: z
      .object({
        household: recordValues.households,
        people: z.array(recordValues.people.omit({ householdId: true })).max(MAX_PEOPLE, `at most ${MAX_PEOPLE} people`),
        visit: recordValues.visits.omit({ householdId: true }).optional(),
      })
      .strict(),
    access: 'user',
  },

  'dashboard.summary': { input: none, access: 'user' },
  /** Counts by area, day and worker, and the open follow-ups; the range applies to days, workers and follow-ups. */
  'reports.summary': {
    input: z.object({ from: epochMs, to: epochMs }).partial().strict().optional(),
    access: 'user',
  },

  /**
   * Asks where to save (the save dialog; the browser host downloads instead), then writes the
   * households of the list's search and filters, or their people or visits, as CSV in the background.
   */
  'exports.start': {
    input: z.object({ kind: z.enum(EXPORT_KINDS), query: z.object(householdsQuery).strict() }).strict(),
    access: 'user',
  },
  'exports.status': { input: z.object({ id }).strict(), access: 'user', passive: true },
  /** Stops an export: nothing is saved under the chosen name. */
  'exports.cancel': { input: z.object({ id }).strict(), access: 'user' },

  'sync.status': { input: none, access: 'user', passive: true },
  'sync.now': { input: none, access: 'user' },
  'sync.conflicts': {
    input: z.object({ limit: z.number().int().min(1).max(200).optional(), after: id.nullable().optional() }).strict().optional(),
    access: 'user',
  },
  /** Writes the value that lost back as a new edit (a restore, for an edit a delete hid), and dismisses the conflict. */
  'sync.keepMine': { input: z.object({ id }).strict(), access: 'user' },
  'sync.dismissConflict': { input: z.object({ id }).strict(), access: 'user' },
  'sync.rejections': { input: none, access: 'user' },

  'accounts.list': { input: none, access: 'admin' },
  'accounts.create': {
    input: z
      .object({
        username: usernameSchema,
        displayName: displayNameSchema,
        role: z.enum(ACCOUNT_ROLES),
        password: newPasswordSchema,
      })
      .strict(),
    access: 'admin',
  },
  'accounts.setDisabled': { input: z.object({ id: z.string().min(1), disabled: z.boolean() }).strict(), access: 'admin' },
  'accounts.resetPassword': {
    input: z.object({ id: z.string().min(1), password: newPasswordSchema }).strict(),
    access: 'admin',
  },

  'settings.get': { input: none, access: 'admin' },
  'settings.update': {
    input: z
      .object({
        /** '' turns sync off. */
        serverUrl: serverUrlInput.optional(),
        /** Omitted: keep the stored key. */
        apiKey: apiKeyInput.optional(),
        pullIntervalMs: z.number().int().min(1000).max(86_400_000).optional(),
      })
      .strict(),
    access: 'admin',
  },
  'settings.testConnection': {
    /** Omitted fields use the saved settings, so the form can test before or after saving. */
    input: z.object({ serverUrl: serverUrlInput.optional(), apiKey: apiKeyInput.optional() }).strict().optional(),
    access: 'admin',
  },

  'app.about': { input: none, access: 'public' },
  'updates.status': { input: none, access: 'user', passive: true },
  'updates.check': { input: none, access: 'admin' },
  'updates.install': { input: none, access: 'admin' },
  /** Turns updates on or off on this PC (saved as BLOS_DISABLE_UPDATES in the user-data .env). */
  'updates.setEnabled': { input: z.object({ enabled: z.boolean() }).strict(), access: 'admin' },
} as const satisfies Record<ContractName, ContractEntry>;

export type Contract = typeof contract;
export type ContractInput<K extends ContractName> = z.input<Contract[K]['input']>;
/** The input after validation (trimmed, defaults applied): what handlers receive. */
export type ContractParsed<K extends ContractName> = z.output<Contract[K]['input']>;

// ---- output types ----

export type RecordRow = SyncedRow<SyncedTableName>;
export type { Reports, FollowUp } from '../db/reports';
export type { SyncedRow, SyncedTableName, RecordTableName, SyncStatus, RejectedRecord, AccountRole, SessionAccount, AccountSummary, UpdateStatus };

export interface SessionStatus {
  /** No account exists yet: the UI shows first-run admin setup. */
  firstRun: boolean;
  account: SessionAccount | null;
  idleTimeoutMs: number;
}

export interface LikelyDuplicate {
  household: SyncedRow<'households'>;
  /** Why it may be the same household: the same phone number, or a name in the same area. */
  reason: 'phone' | 'name';
}

export interface EnteredHousehold {
  household: SyncedRow<'households'>;
  people: SyncedRow<'people'>[];
  visit: SyncedRow<'visits'> | null;
}

export interface AdminSetup {
  account: SessionAccount;
  /**
   * The database's recovery code, shown this once and stored nowhere (null: the database is not
   * encrypted, or a code was issued before): it opens the data if the keychain or key file is lost.
   */
  recoveryCode: string | null;
}

export interface DashboardSummary {
  /** Live (not deleted) records per table. */
  counts: Record<RecordTableName, number>;
  /** Records created since local midnight, per table. */
  today: Record<RecordTableName, number>;
  sync: SyncView;
}

/** The engine's status, with the conflicts waiting for the signed-in person on this PC. */
export type SyncView = SyncStatus & {
  /** Open (not dismissed) conflicts this PC or this account lost. */
  conflicts: number;
};

/** A field value a concurrent edit overwrote (docs/sync-protocol.md section 6). */
export interface ConflictEntry {
  id: string;
  table: RecordTableName;
  recordId: string;
  /** The record as people name it: the head of household, a person's name, a visit's household. */
  recordLabel: string;
  /** Whether the record is still there (not deleted). */
  recordExists: boolean;
  /** The field's key; `deletedAt` means an edit hidden by a delete on another PC. */
  field: string;
  lostValue: unknown;
  wonValue: unknown;
  lostAt: number;
  lostBy: string;
  /** Whether the losing edit was made on this PC. */
  lostHere: boolean;
  wonAt: number;
  wonBy: string;
  wonHere: boolean;
}

export interface ConflictPage {
  items: ConflictEntry[];
  total: number;
  /** Pass as `after` for the next (older) page; null on the last one. */
  nextAfter: string | null;
}

/** An export as its window follows it. */
export interface ExportStatus {
  id: string;
  kind: ExportKind;
  /** The chosen file's name. */
  fileName: string;
  /** Where it is saved (the Electron shell); null when the page downloads it. */
  savedTo: string | null;
  /** Once done in a browser: the address the page downloads the file from. */
  download: string | null;
  state: 'counting' | 'writing' | 'done' | 'cancelled' | 'failed';
  /** Households of the list read, of all of them (the progress bar). */
  householdsDone: number;
  households: number;
  /** CSV rows written, the header not counted. */
  rows: number;
  /** Why it failed or what a cancel left, in plain words naming the file. */
  message: string | null;
}

export interface SettingsView {
  serverUrl: string | null;
  /** e.g. "••••••••3f9a": the key itself never reaches the renderer. */
  apiKeyMasked: string | null;
  apiKeySet: boolean;
  pullIntervalMs: number;
  machineId: string;
  /** Settings fixed by the process environment (it outranks the saved file): shown read-only. */
  setByEnvironment: Array<'serverUrl' | 'apiKey' | 'pullIntervalMs'>;
}

export interface ConnectionTest {
  ok: boolean;
  /** One sentence for the settings screen. */
  message: string;
  /** Round trip of the authorised request (ms), or null when it did not complete. */
  latencyMs: number | null;
}

export interface AboutInfo {
  version: string;
  machineId: string;
  update: UpdateStatus;
}

export interface ContractOutputs {
  'session.status': SessionStatus;
  'session.setupAdmin': AdminSetup;
  'session.login': SessionAccount;
  'session.logout': null;
  'session.changePassword': null;
  'records.list': Page<RecordRow>;
  'records.get': RecordRow;
  'records.create': RecordRow;
  'records.batchCreate': RecordRow[];
  'records.update': RecordRow;
  /** The tombstoned record. */
  'records.delete': RecordRow;
  /** The record, live again. */
  'records.restore': RecordRow;
  'records.enterHousehold': EnteredHousehold;
  'records.likelyDuplicates': LikelyDuplicate[];
  'records.areas': string[];
  'dashboard.summary': DashboardSummary;
  'reports.summary': Reports;
  /** Null: the person cancelled the save dialog. */
  'exports.start': ExportStatus | null;
  'exports.status': ExportStatus;
  'exports.cancel': ExportStatus;
  'sync.status': SyncView;
  /** The status after the exchange finished (or failed: see lastError). */
  'sync.now': SyncView;
  'sync.conflicts': ConflictPage;
  /** The record as the kept value left it. */
  'sync.keepMine': RecordRow;
  'sync.dismissConflict': null;
  'sync.rejections': RejectedRecord[];
  'accounts.list': AccountSummary[];
  'accounts.create': AccountSummary;
  'accounts.setDisabled': AccountSummary;
  'accounts.resetPassword': AccountSummary;
  'settings.get': SettingsView;
  'settings.update': SettingsView;
  'settings.testConnection': ConnectionTest;
  'app.about': AboutInfo;
  'updates.status': UpdateStatus;
  'updates.check': UpdateStatus;
  'updates.install': null;
  'updates.setEnabled': UpdateStatus;
}
