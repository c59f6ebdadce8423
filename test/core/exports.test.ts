import fs from 'node:fs';
import path from 'node:path';
import type { ExportSaveTarget } from '../../src/core';
import type { ExportStatus } from '../../src/ipc/contract';
import { eventually } from '../support/eventually';
import { handToUnprivileged, runNodeChild } from '../support/node-child';
import { tempDir } from '../support/temp';
import { startCoreWithAccounts, type Harness } from './harness';

/**
 * CSV exports through the contract, with a stand-in for the shell's save dialog (Electron cannot run
 * here) that answers with a file in a temp folder, or with a cancel.
 */

const W = 'worker-window';
const BOM = '\uFEFF';

interface FakeDialog extends ExportSaveTarget {
  answer: string | null;
  asked: string[];
}
function fakeDialog(): FakeDialog {
  const dialog: FakeDialog = {
    answer: null,
    asked: [],
    async choose(suggestedName) {
      dialog.asked.push(suggestedName);
      return dialog.answer === null ? null : { file: dialog.answer };
    },
  };
  return dialog;
}

let h: Harness;
let dialog: FakeDialog;
let folder: string;
let ids: { bello: string; okafor: string; south: string };

beforeAll(async () => {
  dialog = fakeDialog();
  h = await startCoreWithAccounts({ exportTarget: dialog });
  folder = tempDir('blos-exports-');
  const bello = await h.ok(W, 'records.enterHousehold', {
    household: { area: 'North', headName: '=HYPERLINK("http://x.example")', address: '12 "Market", Road', phone: '+234 803 555', geoLat: -1.5, notes: 'two\nlines' },
    people: [
      { fullName: 'Amina Bello', dateOfBirth: '2015-03-09', gender: 'female' },
      { fullName: '@Yusuf', gender: 'male', attributes: { school: 'Central' } },
    ],
    visit: { visitedAt: new Date(2026, 4, 4, 9, 30).getTime(), outcome: 'follow_up', notes: 'Come back Monday' },
  });
  const okafor = await h.ok(W, 'records.enterHousehold', {
    household: { area: 'North', headName: 'Grace Okafor' },
    people: [{ fullName: 'Peter Okafor' }],
    visit: { visitedAt: new Date(2026, 4, 3, 14, 5).getTime(), outcome: 'not_home' },
  });
  const south = await h.ok(W, 'records.enterHousehold', { household: { area: 'South', headName: 'Musa Bello' }, people: [] });
  ids = { bello: bello.household.id, okafor: okafor.household.id, south: south.household.id };
});

/** Starts an export to a new file in the temp folder and waits until it has finished. */
async function exportTo(name: string, kind: 'households' | 'people' | 'visits', query: object = {}): Promise<{ status: ExportStatus; text: string }> {
  dialog.answer = path.join(folder, name);
  const started = await h.ok(W, 'exports.start', { kind, query });
  let status = started!;
  await eventually(async () => {
    status = await h.ok(W, 'exports.status', { id: started!.id });
    expect(['done', 'failed']).toContain(status.state);
  });
  return { status, text: status.state === 'done' ? fs.readFileSync(dialog.answer, 'utf8') : '' };
}

const lines = (...rows: string[]) => BOM + rows.map((row) => `${row}\r\n`).join('');

test('households of the list as Excel reads them: a byte-order mark, CRLF, the labels people see, dates and numbers readable, formulas kept as text', async () => {
  const { status, text } = await exportTo('north.csv', 'households', { filters: { area: 'North' } });
  expect(dialog.asked.at(-1)).toBe('households-2026-05-04.csv');
  expect(status).toMatchObject({ state: 'done', fileName: 'north.csv', savedTo: path.join(folder, 'north.csv'), download: null, rows: 2, households: 2, householdsDone: 2 });
  const stamp = '2026-05-04 10:00';
  expect(text).toBe(
    lines(
      'Household ID,Area,Address,Head of household,Phone,Latitude,Longitude,Notes,Entered by,Entered on,Last change',
      `${ids.okafor},North,,Grace Okafor,,,,,bola,${stamp},${stamp}`,
      `${ids.bello},North,"12 ""Market"", Road","'=HYPERLINK(""http://x.example"")",'+234 803 555,-1.5,,"two\nlines",bola,${stamp},${stamp}`,
    ),
  );
});

test("people and visits of the list's households, with their household's head and area; visits only those the visit filter asks for", async () => {
  const people = await exportTo('people.csv', 'people', { search: 'bello' });
  // "bello" finds Amina Bello's household (by a person) and Musa Bello's (no people).
  expect(people.text).toBe(
    lines(
      'Household ID,Head of household,Area,Full name,Date of birth,Gender,Phone,ID document,Other details,Entered by',
      `${ids.bello},"'=HYPERLINK(""http://x.example"")",North,Amina Bello,2015-03-09,Female,,,,bola`,
      `${ids.bello},"'=HYPERLINK(""http://x.example"")",North,'@Yusuf,,Male,,,"{""school"":""Central""}",bola`,
    ),
  );

  const visits = await exportTo('visits.csv', 'visits', { visited: { outcome: 'not_home' } });
  expect(visits.text).toBe(
    lines('Household ID,Head of household,Area,Visited at,Outcome,Notes,Answers,Entered by', `${ids.okafor},Grace Okafor,North,2026-05-03 14:05,Not home,,,bola`),
  );
});

test('a cancelled dialog saves nothing; a cancelled export leaves nothing under the chosen name, nor a temporary file', async () => {
  dialog.answer = null;
  expect(await h.ok(W, 'exports.start', { kind: 'households', query: {} })).toBeNull();

  const empty = tempDir('blos-exports-cancel-');
  dialog.answer = path.join(empty, 'all.csv');
  const started = (await h.ok(W, 'exports.start', { kind: 'households', query: {} }))!;
  const cancelled = await h.ok(W, 'exports.cancel', { id: started.id });
  expect(cancelled).toMatchObject({ state: 'cancelled', message: 'all.csv was not saved.' });
  expect(fs.readdirSync(empty)).toEqual([]);
});

test('a folder that cannot be written is named in plain words; another window cannot follow the export', async () => {
  const gone = path.join(folder, 'no-such-folder', 'all.csv');
  const { status } = await exportTo(path.relative(folder, gone), 'households');
  expect(status).toMatchObject({
    state: 'failed',
    message: `all.csv could not be saved: the folder ${path.dirname(gone)} does not exist any more. Choose another folder.`,
  });
  const other = await h.fail('admin-window', 'exports.status', { id: status.id });
  expect(other).toMatchObject({ code: 'not_found', message: 'This export is no longer known. Start it again.' });
});

describe('a disk or a folder that refuses the file, for real (in a child process)', () => {
  /**
   * A core in a child process with 400 households (about 90 KB of CSV) exports them all to `file`,
   * then prints the export's last status and what the folder holds.
   */
  const exportInChild = (dataDir: string, file: string) => `
    const fs = require('node:fs');
    const { createAppCore } = require('./src/core');
    (async () => {
      const core = createAppCore({ dataDir: ${JSON.stringify(dataDir)}, version: '1', env: {}, startSync: false,
        exportTarget: { choose: async () => ({ file: ${JSON.stringify(file)} }) }, testOverrides: { accountPolicy: { bcryptCost: 4 } } });
      const call = async (name, input) => { const r = await core.call('w', name, input); if (!r.ok) throw new Error(JSON.stringify(r.error)); return r.value; };
      await call('session.setupAdmin', { username: 'admin', displayName: 'Ada', password: 'admin password 1' });
      for (let i = 0; i < 400; i++) await call('records.create', { table: 'households', values: { area: 'North', headName: 'Head ' + i, notes: 'n'.repeat(200) } });
      let status = await call('exports.start', { kind: 'households', query: {} });
      while (status.state === 'counting' || status.state === 'writing') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = await call('exports.status', { id: status.id });
      }
      console.log(JSON.stringify({ state: status.state, message: status.message, left: fs.readdirSync(${JSON.stringify(path.dirname(file))}) }));
      await core.close();
    })();`;
  const lastStatus = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

  test('a full disk: the message says so and what to do; no part of the file is left behind', async () => {
    const disk = tempDir('blos-exports-small-disk-');
    const result = await runNodeChild(exportInChild(tempDir('blos-exports-data-'), path.join(disk, 'all.csv')), { smallDisk: { folder: disk, sizeKb: 64 } });
    expect(result.stderr).toBe('');
    expect(lastStatus(result.stdout)).toEqual({
      state: 'failed',
      message: 'The disk is full: all.csv was not saved. Free some space (or choose another disk) and export again.',
      left: [],
    });
  });

  test('a file larger than the disk takes (a USB stick formatted FAT32: 4 GB): the message says so and what to do; nothing left behind', async () => {
    // Every write of the app's core touches its database, which is larger than the CSV: here the
    // export alone runs under the limit, on a store whose log was folded into it beforehand.
    const disk = tempDir('blos-exports-fat32-');
    const file = path.join(disk, 'all.csv');
    const result = await runNodeChild(`
      const { openLocalStore } = require('./src/db/local-store');
      const { writeCsvExport } = require('./src/core/csv-export');
      const store = openLocalStore({ file: ${JSON.stringify(path.join(tempDir('blos-exports-data-'), 'app.db'))} });
      store.repos.households.batchCreate(Array.from({ length: 400 }, (_, i) => ({ area: 'North', headName: 'Head ' + i, notes: 'n'.repeat(200) })));
      store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      require('node:child_process').execFileSync('prlimit', ['--pid', String(process.pid), '--fsize=32768']);
      writeCsvExport({ store, kind: 'households', query: {}, file: ${JSON.stringify(file)} }).then(
        () => console.log('saved'),
        (error) => console.log(JSON.stringify({ message: error.message, left: require('node:fs').readdirSync(${JSON.stringify(disk)}) })),
      );`);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      message: 'all.csv was not saved: it is larger than this disk takes in one file (USB sticks often take at most 4 GB). Save it on another disk, or narrow the list with filters and export again.',
      left: [],
    });
  });

  test('a folder this account may not write to: named in plain words, nothing written', async () => {
    const data = tempDir('blos-exports-data-');
    const readOnly = tempDir('blos-exports-read-only-');
    handToUnprivileged(data);
    fs.chmodSync(readOnly, 0o555);
    const result = await runNodeChild(exportInChild(data, path.join(readOnly, 'all.csv')), { unprivileged: true });
    expect(result.stderr).toBe('');
    expect(lastStatus(result.stdout)).toEqual({
      state: 'failed',
      message: `all.csv could not be saved: the folder ${readOnly} cannot be written to. Choose another folder.`,
      left: [],
    });
  });
});
