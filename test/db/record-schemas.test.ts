import { householdInput, personInput, visitInput } from '../../src/db/record-schemas';

const HOUSEHOLD = '01900000-0000-7000-8000-000000000001';
const visit = (answers: unknown) => ({ householdId: HOUSEHOLD, visitedAt: 1, outcome: 'completed', answers });

describe('record input schemas', () => {
  it('accept a household with only its area, trimming text', () => {
    expect(householdInput.parse({ area: '  North ' })).toEqual({ area: 'North' });
  });

  it('refuse unknown fields, sync columns and an empty area, naming each field', () => {
    const result = householdInput.safeParse({ area: ' ', dirty: true, 'area; DROP TABLE households': 'x' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.') || i.message)).toEqual([
      'area',
      expect.stringContaining('DROP TABLE'),
    ]);
  });

  it('keep nested form answers as JSON', () => {
    const answers = { size: 4, crops: ['millet', { name: 'peanut', irrigated: false }], note: null };
    expect(visitInput.parse(visit(answers)).answers).toEqual(answers);
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', 'yes'],
    ['a non-finite number', { a: Number.POSITIVE_INFINITY }],
    ['undefined inside', { a: undefined }],
    ['a date object', { at: new Date(0) }],
    ['a class instance', new (class Answers {})()],
    ['a key over 100 characters', { ['k'.repeat(101)]: 1 }],
    ['more than 64 KiB', { blob: 'x'.repeat(70_000) }],
    ['nesting deeper than 16 levels', JSON.parse('{"a":'.repeat(20) + '1' + '}'.repeat(20))],
  ])('refuse form answers that are %s', (_label, answers) => {
    const result = visitInput.safeParse(visit(answers));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['answers'], message: expect.stringContaining('a JSON object') });
  });

  it('measure form answers near 64 KiB exactly: up to the limit is kept, one character more is refused', () => {
    // '{"blob":"' + text + '"}' is 11 characters around the text.
    expect(visitInput.safeParse(visit({ blob: 'x'.repeat(65_536 - 11) })).success).toBe(true);
    expect(visitInput.safeParse(visit({ blob: 'x'.repeat(65_536 - 10) })).success).toBe(false);
    expect(visitInput.safeParse(visit({ blob: '\n'.repeat(32_768 - 6) })).success).toBe(true);
    expect(visitInput.safeParse(visit({ blob: '\n'.repeat(32_768 - 5) })).success).toBe(false);
  });

  it('refuse a person with a malformed date of birth or household id', () => {
    const result = personInput.safeParse({ householdId: 'nope', fullName: 'A', dateOfBirth: '01/02/1990' });
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['householdId', 'dateOfBirth']);
  });
});
