import { pushBody } from '../client';
import { expectEqual, expectFields, expectThat } from '../expect';
import { household, person, visit } from '../records';
import type { Change, Session } from '../session';
import { check, type CheckGroup } from '../suite';

/** docs/sync-protocol.md section 4: what a record may hold, how it is read, and how it is served back. */

/** Pushed beside a valid sibling: the record is rejected as invalid_record naming `path`, the sibling applied. */
async function expectInvalid(session: Session, what: string, change: Change, path: string, secret?: string) {
  const sibling = household(session);
  const [result, siblingResult] = await session.push([change, sibling]);
  expectFields(what, result, { status: 'rejected', reason: 'invalid_record' });
  expectThat(`${what}: message`, typeof result!.message === 'string' && result!.message.includes(path), `a message naming ${path}`, result!.message);
  if (secret) expectThat(`${what}: message`, !result!.message!.includes(secret), 'a message without the offending value', result!.message);
  expectEqual(`${what}: the valid record pushed beside it`, siblingResult!.status, 'applied');
}

/** Pushed alone: applied, and served back with `served` (defaults, trimming). */
async function expectStored(session: Session, what: string, change: Change, served: Record<string, unknown>) {
  const version = await session.store(change);
  const pulled = await session.changeAt(version);
  expectFields(`${what}: the change served`, pulled, { table: change.table });
  expectFields(`${what}: the row served`, pulled.row, { id: change.row.id, ...served });
}

/** A raw JSON body, for literals JSON.stringify cannot write (1.0, 1e3, 1e400). */
async function pushRawRecord(session: Session, table: string, rowJson: string) {
  const answer = await pushBody(session.target, `{"changes":[{"table":"${table}","row":${rowJson}}]}`, { machineId: session.machineId });
  return (answer.json as { results?: { status?: string; reason?: string; version?: number }[] } | undefined)?.results?.[0];
}

const withoutKey = (change: Change, key: string): Change => {
  const { [key]: _dropped, ...row } = change.row;
  return { table: change.table, row };
};

export const records: CheckGroup = {
  protocolVersion: 1,
  name: '4 Records',
  checks: [
    check('a record with only its required columns is stored with the documented defaults', async (session) => {
      const h = household(session);
      const bare = { table: 'households', row: { ...h.row } };
      for (const key of ['address', 'headName', 'phone', 'geoLat', 'geoLng', 'notes', 'enteredBy']) delete bare.row[key];
      await expectStored(session, 'bare household', bare, { address: '', headName: '', phone: '', geoLat: null, geoLng: null, notes: '', enteredBy: '' });
      const p = person(session, h.row.id as string);
      for (const key of ['dateOfBirth', 'gender', 'phone', 'idDocument', 'attributes', 'enteredBy']) delete p.row[key];
      await expectStored(session, 'bare person', p, { dateOfBirth: null, gender: 'unknown', phone: '', idDocument: '', attributes: {}, enteredBy: '' });
      const v = visit(session, h.row.id as string);
      for (const key of ['notes', 'answers', 'enteredBy']) delete v.row[key];
      await expectStored(session, 'bare visit', v, { notes: '', answers: {}, enteredBy: '' });
    }),
    check('every column round-trips exactly: text, numbers, nested JSON', async (session) => {
      const h = household(session, { geoLat: -12.3456789012345, geoLng: 179.99999999999997, notes: 'Ligne 1\nLigne 2 "quoted" \\ é 😀' });
      await expectStored(session, 'household', h, h.row);
      const answers = { n: 0.1, big: 9007199254740991, neg: -1.5e-7, list: [1, 'two', null, true, { deep: [[]] }], text: 'é😀\u0000' };
      const v = visit(session, h.row.id as string, { answers });
      await expectStored(session, 'visit', v, v.row);
    }),
    check('a missing required column, a missing deletedAt and an unknown key are invalid_record, naming the key', async (session) => {
      await expectInvalid(session, 'no area', withoutKey(household(session), 'area'), 'area');
      await expectInvalid(session, 'no deletedAt', withoutKey(household(session), 'deletedAt'), 'deletedAt');
      await expectInvalid(session, 'an unknown key', household(session, { village: 'x' }), 'village');
      await expectInvalid(session, 'local bookkeeping (dirty)', household(session, { dirty: 1 }), 'dirty');
      await expectInvalid(session, 'no outcome', withoutKey(visit(session, household(session).row.id as string), 'outcome'), 'outcome');
    }),
    check('wrong types and out-of-range values are invalid_record, and the message never carries the value', async (session) => {
      await expectInvalid(session, 'area as a number', household(session, { area: 5 }), 'area');
      await expectInvalid(session, 'geoLat as text', household(session, { geoLat: 'secret-lat' }), 'geoLat', 'secret-lat');
      await expectInvalid(session, 'geoLat 91', household(session, { geoLat: 91 }), 'geoLat');
      await expectInvalid(session, 'geoLng -180.5', household(session, { geoLng: -180.5 }), 'geoLng');
      await expectInvalid(session, 'updatedAt as a string', household(session, { updatedAt: '1736942400000' }), 'updatedAt');
      await expectInvalid(session, 'a negative createdAt', household(session, { createdAt: -1 }), 'createdAt');
      await expectInvalid(session, 'createdAt above 2^53-1', household(session, { createdAt: 2 ** 53 }), 'createdAt');
      await expectInvalid(session, 'a machineId of the wrong shape', household(session, { machineId: 'secret-machine' }), 'machineId', 'secret-machine');
      await expectInvalid(session, 'an unknown gender', person(session, household(session).row.id as string, { gender: 'secret-gender' }), 'gender', 'secret-gender');
      await expectInvalid(session, 'answers as a string', visit(session, household(session).row.id as string, { answers: 'secret' }), 'answers');
      await expectInvalid(session, 'answers as an array', visit(session, household(session).row.id as string, { answers: [1] }), 'answers');
    }),
    check('lengths count characters as code points: 100 emoji fit a 100-character column, 101 do not', async (session) => {
      await expectStored(session, '100 emoji', household(session, { area: '😀'.repeat(100) }), { area: '😀'.repeat(100) });
      await expectInvalid(session, '101 emoji', household(session, { area: '😀'.repeat(101) }), 'area');
      await expectInvalid(session, '4001 characters of notes', household(session, { notes: 'x'.repeat(4001) }), 'notes');
      await expectInvalid(session, 'an empty area', household(session, { area: '' }), 'area');
    }),
    check('every domain string is trimmed before its checks and stored trimmed: text, choices, dates, householdId', async (session) => {
      const h = household(session);
      await expectStored(session, 'spaces around text', household(session, { area: '  North\t', notes: ' n ' }), { area: 'North', notes: 'n' });
      await expectInvalid(session, 'an area of spaces only', household(session, { area: ' \t\n ' }), 'area');
      await expectStored(session, 'an area of 100 characters inside spaces', household(session, { area: ` ${'a'.repeat(100)} ` }), { area: 'a'.repeat(100) });
      const p = person(session, ` ${h.row.id as string}\n`, { gender: ' female\t', dateOfBirth: ' 1990-05-17 ' });
      await expectStored(session, 'spaces around a choice, a date and a reference', p, { gender: 'female', dateOfBirth: '1990-05-17', householdId: h.row.id });
      const v = visit(session, h.row.id as string, { outcome: '\u00a0not_home\u3000' });
      await expectStored(session, 'Unicode spaces around a choice', v, { outcome: 'not_home' });
    }),
    check('id and machineId are exact: not trimmed, and a UUID must be lowercase', async (session) => {
      const h = household(session);
      await expectInvalid(session, 'an id with a space', household(session, { id: ` ${h.row.id as string}` }), 'id');
      await expectInvalid(session, 'an upper-case id', household(session, { id: (h.row.id as string).toUpperCase().replace(/^[0-9]/, 'A') }), 'id');
      await expectInvalid(session, 'an upper-case householdId', person(session, (h.row.id as string).toUpperCase().replace(/^[0-9]/, 'A')), 'householdId');
      await expectInvalid(session, 'a machineId with a space', household(session, { machineId: ` ${session.machineId}` }), 'machineId');
      await expectInvalid(session, 'an id that is not a UUID', household(session, { id: 'secret-id' }), 'id', 'secret-id');
    }),
    check('dates must be real calendar days', async (session) => {
      const h = household(session).row.id as string;
      for (const date of ['2020-13-45', '2021-02-29', '1900-02-29', '2020-04-31', '2020-1-01', '01/02/1990']) {
        await expectInvalid(session, `dateOfBirth ${date}`, person(session, h, { dateOfBirth: date }), 'dateOfBirth');
      }
      for (const date of ['2020-02-29', '2000-02-29']) await expectStored(session, `dateOfBirth ${date}`, person(session, h, { dateOfBirth: date }), { dateOfBirth: date });
    }),
    check('text with a lone surrogate is invalid_record, in a column or in a JSON column', async (session) => {
      await expectInvalid(session, 'a lone high surrogate in notes', household(session, { notes: 'a\ud800b' }), 'notes');
      const h = household(session).row.id as string;
      await expectInvalid(session, 'a lone low surrogate in answers', visit(session, h, { answers: { a: '\udc00' } }), 'answers');
      await expectInvalid(session, 'a lone surrogate in an answers key', visit(session, h, { answers: { ['k\ud83d']: 1 } }), 'answers');
    }),
    check('an integer column takes any integral literal (1000, 1000.0, 1e3) but not a fraction or 1e400', async (session) => {
      const h = household(session).row.id as string;
      const v = visit(session, h);
      const json = JSON.stringify(v.row);
      const applied = await pushRawRecord(session, 'visits', json.replace(/"visitedAt":\d+/, '"visitedAt":1e3').replace(/"createdAt":(\d+)/, '"createdAt":$1.0'));
      expectFields('visitedAt 1e3, createdAt with .0', applied, { status: 'applied' });
      const fraction = await pushRawRecord(session, 'visits', JSON.stringify(visit(session, h).row).replace(/"visitedAt":\d+/, '"visitedAt":1000.5'));
      expectFields('visitedAt 1000.5', fraction, { status: 'rejected', reason: 'invalid_record' });
      const huge = await pushRawRecord(session, 'visits', JSON.stringify(visit(session, h, { answers: { x: 0 } }).row).replace('{"x":0}', '{"x":1e400}'));
      expectFields('1e400 in answers', huge, { status: 'rejected', reason: 'invalid_record' });
    }),
    check('a key repeated in a row or a JSON column keeps its last value', async (session) => {
      const h = household(session, { notes: 'first' });
      const json = JSON.stringify(h.row).replace('"notes":"first"', '"notes":"first","notes":"last"').replace(/}$/, ',"area":"Repeated"}');
      const result = await pushRawRecord(session, 'households', json);
      expectFields('the push', result, { status: 'applied' });
      const served = await session.changeAt(result!.version!);
      expectFields('the row served', served.row, { notes: 'last', area: 'Repeated' });
    }),
    check('JSON columns: keys of at most 100 characters (code points)', async (session) => {
      const h = household(session).row.id as string;
      await expectStored(session, 'a key of 100 emoji', visit(session, h, { answers: { ['😀'.repeat(100)]: 1 } }), { answers: { ['😀'.repeat(100)]: 1 } });
      await expectInvalid(session, 'a key of 101 characters', visit(session, h, { answers: { ['k'.repeat(101)]: 1 } }), 'answers');
    }),
    check('JSON columns: at most 16 levels, the column object being level 1 and arrays counting like objects', async (session) => {
      const h = household(session).row.id as string;
      const objects = (levels: number) => JSON.parse('{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1));
      const arrays = (levels: number) => JSON.parse(`{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`);
      await expectStored(session, '16 levels of objects', visit(session, h, { answers: objects(16) }), { answers: objects(16) });
      await expectInvalid(session, '17 levels of objects', visit(session, h, { answers: objects(17) }), 'answers');
      await expectStored(session, '16 levels with arrays', person(session, h, { attributes: arrays(16) }), { attributes: arrays(16) });
      await expectInvalid(session, '17 levels with arrays', person(session, h, { attributes: arrays(17) }), 'attributes');
    }),
    check('JSON columns: at most 65 536 bytes of UTF-8 in the compact serialisation', async (session) => {
      const h = household(session).row.id as string;
      // {"blob":"…"} is 11 bytes around the text; é is two bytes of UTF-8.
      const fits = { blob: `${'é'.repeat((65_536 - 12) / 2)}x` };
      await expectStored(session, 'exactly 65 536 bytes', visit(session, h, { answers: fits }), { answers: fits });
      await expectInvalid(session, '65 537 bytes', visit(session, h, { answers: { blob: `${fits.blob}x` } }), 'answers');
      await expectInvalid(session, '35 000 × é (70 011 bytes)', visit(session, h, { answers: { blob: 'é'.repeat(35_000) } }), 'answers');
      const escaped = { blob: '\n'.repeat(32_768 - 6) };
      await expectStored(session, 'escapes counted as written (\\n is two bytes)', visit(session, h, { answers: escaped }), { answers: escaped });
    }),
  ],
};
