import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { copyProject, editFile, migrationFiles, npmRun } from '../support/project-copy';
import { tempDir } from '../support/temp';

/**
 * A synced field added the way docs/adding-a-field.md says (`village` on households), on a copy of
 * this project, then a fleet in transition: the sync server of this build (OLD) and of the copy
 * (NEW) on one database, migrated mid-run, with PCs of both builds, each build in its own processes.
 */

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = require.resolve('@swc-node/register');
const DRIVER = path.join(__dirname, '../support/replica-driver.ts');
const KEY = 'c4'.repeat(32);

/** The environment without any SYNC_* or database-key variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SYNC_') && !k.startsWith('BLOS_')));
  return { ...env, ...extra };
}

/** docs/adding-a-field.md, the edits of steps 1-3 and 5, done to `tree` as a person would make them (no screen runs here). */
function addVillageToHouseholds(tree: string): void {
  editFile(tree, 'src/db/domain-columns.ts', "    notes: text('notes').notNull().default(''),\n    enteredBy: enteredBy(),\n  };\n}\n\nexport function personColumns",
    "    notes: text('notes').notNull().default(''),\n    enteredBy: enteredBy(),\n    village: text('village').notNull().default(''),\n  };\n}\n\nexport function personColumns");
  editFile(tree, 'src/shared/text-limits.ts', 'headName: 200, ', 'headName: 200, village: 100, ');
  editFile(tree, 'src/db/record-schemas.ts', '  headName: text(HOUSEHOLD.headName),\n', '  headName: text(HOUSEHOLD.headName),\n  village: text(HOUSEHOLD.village),\n');
  editFile(tree, 'src/protocol/schema-history.ts', '] as const satisfies',
    `  {
    version: 2,
    fields: {
      households: ['area', 'address', 'headName', 'phone', 'geoLat', 'geoLng', 'notes', 'enteredBy', 'village'],
      people: ['householdId', 'fullName', 'dateOfBirth', 'gender', 'phone', 'idDocument', 'attributes', 'enteredBy'],
      visits: ['householdId', 'visitedAt', 'outcome', 'notes', 'answers', 'enteredBy'],
    },
  },
] as const satisfies`);
  editFile(tree, 'src/shared/field-labels.ts', "    enteredBy: 'Entered by',\n  },\n  people: {", "    enteredBy: 'Entered by',\n    village: 'Village',\n  },\n  people: {");
}

/** A PC build: replica-driver.ts running the sources of `tree`, kept alive across commands. */
class Pcs {
  private readonly child: ChildProcess;
  private readonly answers: AsyncIterator<string>;

  constructor(tree: string) {
    this.child = spawn(process.execPath, ['-r', REGISTER, DRIVER, tree], { cwd: tree, env: cleanEnv(), stdio: ['pipe', 'pipe', 'inherit'] });
    this.answers = readline.createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  async send<T>(command: Record<string, unknown>): Promise<T> {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    const line = await this.answers.next();
    if (line.done) throw new Error(`the PC process exited before answering ${command.op}`);
    const answer = JSON.parse(line.value) as { ok: boolean; result: T; error: string };
    if (!answer.ok) throw new Error(`${command.op}: ${answer.error}`);
    return answer.result;
  }

  create(db: string, values: Record<string, unknown>) {
    return this.send<Row>({ op: 'create', db, table: 'households', values });
  }
  update(db: string, id: string, values: Record<string, unknown>) {
    return this.send<Row>({ op: 'update', db, table: 'households', id, values });
  }
  rows(db: string) {
    return this.send<Row[]>({ op: 'rows', db, table: 'households' });
  }
  sync(db: string) {
    return this.send<SyncAnswer>({ op: 'sync', db, url: server.url, apiKey: KEY });
  }
  close(db: string) {
    return this.send<null>({ op: 'close', db });
  }

  async exit(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}

type Row = Record<string, unknown> & { id: string; dirty: boolean };
interface SyncAnswer {
  report: { applied: number; pulled: number } | null;
  pendingTotal: number;
  lastError: string | null;
  rejected: unknown[];
}

interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** `npm run server` of `tree` on `dbFile` (it migrates the file at start), until stop(). */
async function startServer(tree: string, dbFile: string): Promise<RunningServer> {
  const child = spawn(process.execPath, ['-r', REGISTER, path.join(tree, 'src/server/cli.ts')], {
    cwd: path.dirname(dbFile),
    env: cleanEnv({ SYNC_API_KEY: KEY, SYNC_SERVER_PORT: '0', SYNC_SERVER_DB: dbFile }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output += d;
      const match = output.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/m);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
  };
}

/** `npm run sync -- --db FILE --once` of `tree`. */
function syncCli(tree: string, db: string, extra: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', REGISTER, path.join(tree, 'src/sync/cli.ts'), '--db', db, '--once', ...extra], {
      cwd: path.dirname(db),
      env: cleanEnv({ SYNC_SERVER_URL: server.url, SYNC_API_KEY: KEY }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const DOMAIN_V1 = ['area', 'address', 'headName', 'phone', 'geoLat', 'geoLng', 'notes', 'enteredBy'];

/** What a replica holds of each household, on the fields it knows: id, tombstone, domain fields. */
function content(rows: Row[], fields: readonly string[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(rows.map((row) => [row.id, Object.fromEntries(['deletedAt', ...fields].map((f) => [f, row[f]]))]));
}

let copy: string;
let server: RunningServer;
let oldPcs: Pcs;
let newPcs: Pcs;
let dir: string;
let serverDb: string;
let oldPc: string;
let newPc: string;
let freshNewPc: string;
const ids = {} as { shared: string; newOnly: string; oldOnly: string };

beforeAll(() => {
  copy = copyProject();
  dir = tempDir('blos-schema-growth-');
  serverDb = path.join(dir, 'server.db');
  oldPc = path.join(dir, 'old-pc.db');
  newPc = path.join(dir, 'new-pc.db');
  freshNewPc = path.join(dir, 'fresh-new-pc.db');
});

afterAll(async () => {
  await Promise.all([oldPcs?.exit(), newPcs?.exit(), server?.stop()]);
});

describe('a synced field added as docs/adding-a-field.md says', () => {
  it('is added by editing the listed files and running npm run db:generate, which writes a migration for the app and one for each server storage', async () => {
    const added = {
      local: /ALTER TABLE `households` ADD `village` text DEFAULT '' NOT NULL;/,
      server: /ALTER TABLE `households` ADD `village` text DEFAULT '' NOT NULL;/,
      'server-pg': /ALTER TABLE "households" ADD COLUMN "village" text DEFAULT '' NOT NULL;/,
    };
    const sets = Object.keys(added) as (keyof typeof added)[];
    const before = Object.fromEntries(sets.map((set) => [set, migrationFiles(copy, set)]));
    addVillageToHouseholds(copy);
    const generated = await npmRun(copy, 'db:generate');
    expect(generated.output).not.toMatch(/stopped/);
    expect(generated.code).toBe(0);
    for (const set of sets) {
      const files = migrationFiles(copy, set).filter((file) => !before[set]!.includes(file));
      expect(files).toHaveLength(1);
      expect(fs.readFileSync(path.join(copy, 'migrations', set, files[0]!), 'utf8')).toMatch(added[set]);
    }
  });

  it('a new PC against a server not yet migrated: its pushes are refused (schema_ahead), its records stay queued, its pulls go on', async () => {
    server = await startServer(ROOT, serverDb);
    oldPcs = new Pcs(ROOT);
    newPcs = new Pcs(copy);

    ids.shared = (await oldPcs.create(oldPc, { area: 'North', headName: 'Amina' })).id;
    expect(await oldPcs.sync(oldPc)).toMatchObject({ pendingTotal: 0, lastError: null });
    expect(await newPcs.sync(newPc)).toMatchObject({ pendingTotal: 0, lastError: null });

    ids.newOnly = (await newPcs.create(newPc, { area: 'South', village: 'Kasoa' })).id;
    await newPcs.update(newPc, ids.shared, { village: 'Moree' });
    await newPcs.close(newPc);
    const refused = await syncCli(copy, newPc);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/pending 2 \(households 2/);
    expect(refused.stdout).toMatch(/error: The sync server has not been updated to this version of BLOS yet .*Your changes stay on this PC/);

    // Meanwhile an old PC edits the shared household; the new PC still pulls it, keeping its own village.
    await oldPcs.update(oldPc, ids.shared, { phone: '0244 000 111' });
    expect(await oldPcs.sync(oldPc)).toMatchObject({ pendingTotal: 0, lastError: null });
    expect(await newPcs.sync(newPc)).toMatchObject({ pendingTotal: 2, lastError: expect.stringMatching(/not been updated/) });
    const held = Object.fromEntries((await newPcs.rows(newPc)).map((row) => [row.id, row]));
    expect(held[ids.shared]).toMatchObject({ phone: '0244 000 111', village: 'Moree', dirty: true });
    expect(held[ids.newOnly]).toMatchObject({ area: 'South', village: 'Kasoa', dirty: true });
    expect((await oldPcs.rows(oldPc)).map((row) => row.id)).toEqual([ids.shared]);
  });

  it('once the server is migrated, the new PC syncs what it held back', async () => {
    await server.stop();
    server = await startServer(copy, serverDb);
    expect(await newPcs.sync(newPc)).toMatchObject({ pendingTotal: 0, lastError: null, report: { applied: 2, superseded: 0 } });
    // What it pulled back is the server's merge: its village, and the old PC's later phone.
    const held = Object.fromEntries((await newPcs.rows(newPc)).map((row) => [row.id, row]));
    expect(held[ids.shared]).toMatchObject({ phone: '0244 000 111', village: 'Moree', dirty: false });
    expect(held[ids.newOnly]).toMatchObject({ village: 'Kasoa', dirty: false });
  });

  it('an old PC against the migrated server: pulls and pushes go on, and its edits of other fields never reset the new field', async () => {
    expect(await oldPcs.sync(oldPc)).toMatchObject({ pendingTotal: 0, lastError: null, rejected: [] });
    const pulled = Object.fromEntries((await oldPcs.rows(oldPc)).map((row) => [row.id, row]));
    expect(pulled[ids.newOnly]).toMatchObject({ area: 'South', dirty: false });
    expect(pulled[ids.newOnly]).not.toHaveProperty('village');

    // Concurrent edits of different fields of one household, by an old PC and a new one.
    await oldPcs.update(oldPc, ids.shared, { headName: 'Amina Diallo' });
    await newPcs.update(newPc, ids.shared, { village: 'Elmina' });
    await oldPcs.update(oldPc, ids.newOnly, { phone: '0555 123 456' });
    ids.oldOnly = (await oldPcs.create(oldPc, { area: 'East', headName: 'Kofi' })).id;
    expect(await newPcs.sync(newPc)).toMatchObject({ pendingTotal: 0, lastError: null });
    expect(await oldPcs.sync(oldPc)).toMatchObject({ pendingTotal: 0, lastError: null, rejected: [], report: { applied: 3 } });
    expect(await newPcs.sync(newPc)).toMatchObject({ pendingTotal: 0, lastError: null });

    const held = Object.fromEntries((await newPcs.rows(newPc)).map((row) => [row.id, row]));
    expect(held[ids.shared]).toMatchObject({ headName: 'Amina Diallo', phone: '0244 000 111', village: 'Elmina' });
    expect(held[ids.newOnly]).toMatchObject({ phone: '0555 123 456', village: 'Kasoa' });
    expect(held[ids.oldOnly]).toMatchObject({ area: 'East', headName: 'Kofi', village: '' });
  });

  it('a new PC set up afterwards pulls everything, and every replica agrees on every field it knows, nothing queued', async () => {
    const fresh = await syncCli(copy, freshNewPc, ['--create']);
    expect(fresh.stderr).toBe('');
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/pending 0/);
    expect(await oldPcs.sync(oldPc)).toMatchObject({ pendingTotal: 0, lastError: null });

    const [oldRows, newRows, freshRows] = await Promise.all([oldPcs.rows(oldPc), newPcs.rows(newPc), newPcs.rows(freshNewPc)]);
    const DOMAIN_V2 = [...DOMAIN_V1, 'village'];
    expect(freshRows).toHaveLength(3);
    expect(content(newRows, DOMAIN_V2)).toEqual(content(freshRows, DOMAIN_V2));
    expect(content(oldRows, DOMAIN_V1)).toEqual(content(freshRows, DOMAIN_V1));
    expect(content(freshRows, ['village'])).toEqual({
      [ids.shared]: { deletedAt: null, village: 'Elmina' },
      [ids.newOnly]: { deletedAt: null, village: 'Kasoa' },
      [ids.oldOnly]: { deletedAt: null, village: '' },
    });
    for (const row of [...oldRows, ...newRows, ...freshRows]) expect(row.dirty).toBe(false);
  });

  it('an old PC updated to the new build: the field its rows never had loses to any write of it, however old', async () => {
    // Another PC sets the village; then, before that reaches anyone, the old PC edits another field.
    await newPcs.update(newPc, ids.oldOnly, { village: 'Axim' });
    await oldPcs.update(oldPc, ids.oldOnly, { headName: 'Kofi Mensah' });
    await oldPcs.close(oldPc);
    // The old PC's build is updated: the new build migrates its database and syncs it.
    expect(await newPcs.sync(oldPc)).toMatchObject({ pendingTotal: 0, lastError: null });
    expect(await newPcs.sync(newPc)).toMatchObject({ pendingTotal: 0, lastError: null, report: { applied: 1, superseded: 0 } });
    expect(await newPcs.sync(oldPc)).toMatchObject({ pendingTotal: 0, lastError: null });

    const DOMAIN_V2 = [...DOMAIN_V1, 'village'];
    const [updated, other] = await Promise.all([newPcs.rows(oldPc), newPcs.rows(newPc)]);
    expect(content(updated, DOMAIN_V2)).toEqual(content(other, DOMAIN_V2));
    expect(content(updated, DOMAIN_V2)[ids.oldOnly]).toMatchObject({ headName: 'Kofi Mensah', village: 'Axim' });
  });
});
