import { compactStamps, expandStamps, NEVER_WRITTEN, type Stamp } from '../../src/db/field-stamps';
import { mergeFields, type FieldState } from '../../src/protocol/merge';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const at = (updatedAt: number, machineId = A, updatedBy = ''): Stamp => ({ updatedAt, machineId, updatedBy });
const state = (fields: Record<string, [unknown, Stamp]>): FieldState => ({
  values: Object.fromEntries(Object.entries(fields).map(([k, [v]]) => [k, v])),
  stamps: Object.fromEntries(Object.entries(fields).map(([k, [, s]]) => [k, s])),
});

describe('per-field last-write-wins', () => {
  it('keeps, field by field, the later write: two edits of different fields both survive', () => {
    const stored = state({ headName: ['B', at(20, B)], phone: ['1', at(5)], deletedAt: [null, at(5)] });
    const pushed = state({ headName: ['A', at(10)], phone: ['2', at(10)], deletedAt: [null, at(5)] });
    const merge = mergeFields(pushed, { headName: at(5), phone: at(5) }, stored);
    expect(merge.state.values).toEqual({ headName: 'B', phone: '2', deletedAt: null });
    expect(merge).toMatchObject({ pendingWon: ['phone'], otherWon: ['headName'] });
  });

  it('breaks a tie of times by machine id, the same way on both sides', () => {
    const one = state({ notes: ['from a', at(7, A)] });
    const two = state({ notes: ['from b', at(7, B)] });
    expect(mergeFields(one, {}, two).state.values.notes).toBe('from b');
    expect(mergeFields(two, {}, one).state.values.notes).toBe('from b');
  });

  it('reports a concurrent edit of one field, naming the side that lost, with both values and stamps', () => {
    const stored = state({ notes: ['theirs', at(20, B, 'bintou')] });
    const pushed = state({ notes: ['mine', at(10, A, 'amina')] });
    const { conflicts } = mergeFields(pushed, { notes: at(5) }, stored);
    expect(conflicts).toEqual([
      { field: 'notes', loser: 'pending', lost: { value: 'mine', stamp: at(10, A, 'amina') }, won: { value: 'theirs', stamp: at(20, B, 'bintou') } },
    ]);
  });

  it('does not call a later edit of the value one saw a conflict', () => {
    const stored = state({ notes: ['seen', at(20, B)] });
    const pushed = state({ notes: ['edited after seeing it', at(30)] });
    expect(mergeFields(pushed, { notes: at(20, B) }, stored).conflicts).toEqual([]);
  });

  it('never reports two writes of one machine as a conflict', () => {
    const stored = state({ notes: ['first', at(20)] });
    const pushed = state({ notes: ['second', at(30)] });
    expect(mergeFields(pushed, { notes: at(5) }, stored).conflicts).toEqual([]);
  });

  it('keeps an edit inside a tombstone the editor had not seen, and tells the editor', () => {
    const stored = state({ notes: ['old', at(5)], deletedAt: [25, at(25, B, 'bintou')] });
    const pushed = state({ notes: ['edited', at(20, A, 'amina')], deletedAt: [null, at(5)] });
    const merge = mergeFields(pushed, { notes: at(5) }, stored);
    expect(merge.state.values).toEqual({ notes: 'edited', deletedAt: 25 });
    expect(merge.conflicts).toEqual([
      { field: 'deletedAt', loser: 'pending', lost: { value: null, stamp: at(20, A, 'amina') }, won: { value: 25, stamp: at(25, B, 'bintou') } },
    ]);
  });

  it('tells the author of an edit a delete hid when the delete arrives after it', () => {
    const stored = state({ notes: ['edited', at(20, B, 'bintou')], deletedAt: [null, at(5)] });
    const pushed = state({ notes: ['old', at(5)], deletedAt: [25, at(25, A, 'amina')] });
    const merge = mergeFields(pushed, { deletedAt: at(5) }, stored);
    expect(merge.state.values).toEqual({ notes: 'edited', deletedAt: 25 });
    expect(merge.conflicts).toEqual([expect.objectContaining({ field: 'deletedAt', loser: 'other', lost: { value: null, stamp: at(20, B, 'bintou') } })]);
  });
});

describe('stamps as rows store them', () => {
  it('keep the latest as the record stamp and list only the fields written at another moment', () => {
    const compact = compactStamps({ area: at(5), notes: at(9, B), phone: at(5) });
    expect(compact).toEqual({ ...at(9, B), fieldStamps: { area: at(5), phone: at(5) } });
    expect(expandStamps(compact, ['area', 'notes', 'phone'], () => true)).toEqual({ area: at(5), notes: at(9, B), phone: at(5) });
  });

  it('give a field nobody wrote a stamp every write beats', () => {
    const stored = state({ village: ['', NEVER_WRITTEN] });
    expect(mergeFields(state({ village: ['Keur', at(1)] }), {}, stored).state.values.village).toBe('Keur');
  });
});
