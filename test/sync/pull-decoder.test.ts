import { v7 as uuidv7 } from 'uuid';
import type { PullResponse } from '../../src/protocol/wire';
import { decodeRecords, InvalidPullError, readPullAnswer } from '../../src/sync/pull-decoder';
import { SyncError } from '../../src/sync/transport';

const PC = 'e'.repeat(64);
const stamps = (at: number) => ({ createdAt: at, updatedAt: at, machineId: PC, deletedAt: null });
const household = (id = uuidv7()) => ({ id, area: 'North', address: '', headName: '', phone: '', geoLat: 14.5, geoLng: -17.25, notes: '', enteredBy: '', ...stamps(1000) });
const visit = (householdId: string) => ({ id: uuidv7(), householdId, visitedAt: 5, outcome: 'completed', notes: '', answers: { crops: ['millet'] }, enteredBy: '', ...stamps(1001) });

/** A page of `count` changes from version since + 1: a household, then its visits, repeated. */
function page(since: number, count: number, extra: Partial<PullResponse> = {}): PullResponse {
  const changes: PullResponse['changes'] = [];
  let householdId = '';
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) {
      householdId = uuidv7();
      changes.push({ table: 'households', version: since + i + 1, row: household(householdId) });
    } else {
      changes.push({ table: 'visits', version: since + i + 1, row: visit(householdId) });
    }
  }
  return { changes, cursor: since + count, hasMore: true, serverTime: 2000, ...extra };
}

describe('decoding a pulled page', () => {
  it('cuts a page into chunks, each ending at its last version, the last carrying the page cursor', () => {
    const chunks = decodeRecords(page(40, 25), 40, 10);
    expect(chunks.map((c) => [c.records.length, c.cursor, c.hasMore])).toEqual([
      [10, 50, true],
      [10, 60, true],
      [5, 65, true],
    ]);
    // Every version up to a chunk's cursor is in that chunk or an earlier one: a stored cursor is safe.
    chunks.forEach((chunk, i) => {
      const upTo = chunks.slice(0, i + 1).flatMap((c) => c.records.map((r) => r.version));
      expect(upTo.sort((a, b) => a - b)).toEqual(Array.from({ length: chunk.cursor - 40 }, (_, v) => 41 + v));
    });
  });

  it('keeps the end of the pull on the last chunk only', () => {
    const chunks = decodeRecords(page(0, 7, { hasMore: false }), 0, 5);
    expect(chunks.map((c) => c.hasMore)).toEqual([true, false]);
  });

  it('hands over an empty page as one empty chunk with the page cursor', () => {
    expect(decodeRecords({ changes: [], cursor: 9, hasMore: false, serverTime: 1 }, 9, 100)).toEqual([
      { records: [], cursor: 9, hasMore: false, serverTime: 1 },
    ]);
  });

  it('orders a chunk table by table, households first, each table in version order', () => {
    const [chunk] = decodeRecords(page(0, 9), 0, 100);
    expect(chunk!.records.map((r) => [r.table, r.version])).toEqual([
      ['households', 1],
      ['households', 4],
      ['households', 7],
      ['visits', 2],
      ['visits', 3],
      ['visits', 5],
      ['visits', 6],
      ['visits', 8],
      ['visits', 9],
    ]);
  });

  it.each([
    ['a version at or below the one asked after', (p: PullResponse) => (p.changes[0]!.version = 40)],
    ['versions out of order', (p: PullResponse) => ([p.changes[0], p.changes[1]] = [p.changes[1]!, p.changes[0]!])],
    ['a version beyond the page cursor', (p: PullResponse) => (p.cursor = 42)],
  ])('refuses the whole page for %s', (_name, spoil) => {
    const spoilt = page(40, 3);
    spoil(spoilt);
    expect(() => decodeRecords(spoilt, 40, 10)).toThrow(InvalidPullError);
  });

  it('refuses the whole page for one invalid record, naming it', () => {
    const spoilt = page(0, 5);
    (spoilt.changes[4]!.row as Record<string, unknown>).outcome = 'maybe';
    expect(() => decodeRecords(spoilt, 0, 2)).toThrow(/invalid visits record at version 5 \(outcome/);
  });

  it('reads an answer that is not JSON, or not a pull answer, as a transient server fault', () => {
    expect(() => readPullAnswer(Buffer.from('<html>'))).toThrow(SyncError);
    expect(() => readPullAnswer(Buffer.from('{"changes":[]}'))).toThrow(/does not follow the protocol/);
  });

  it('keeps each record as its wire schema outputs it, with its table and version', () => {
    const p = page(0, 2);
    (p.changes[1]!.row as Record<string, unknown>).notes = '  left at the door  ';
    const [chunk] = decodeRecords(p, 0, 10);
    expect(chunk!.records.map((r) => [r.table, r.version])).toEqual([['households', 1], ['visits', 2]]);
    // v2 fills in the account and the field stamps a record may leave out.
    const v2 = { updatedBy: '', fieldStamps: {} };
    expect(chunk!.records[0]!.row).toEqual({ ...p.changes[0]!.row, ...v2 });
    expect(chunk!.records[1]!.row).toEqual({ ...p.changes[1]!.row, ...v2, notes: 'left at the door' });
  });
});
