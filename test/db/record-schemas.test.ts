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

/** The rules docs/sync-protocol.md section 4 states for an implementer in another language. */
describe('record rules an independent implementation must match', () => {
  const person = (patch: Record<string, unknown>) => ({ householdId: HOUSEHOLD, fullName: 'A', ...patch });

  it('count characters as Unicode code points: an emoji is one character', () => {
    expect(householdInput.safeParse({ area: '😀'.repeat(100) }).success).toBe(true);
    expect(householdInput.safeParse({ area: '😀'.repeat(101) }).error!.issues[0]).toMatchObject({ path: ['area'], message: 'at most 100 characters' });
    expect(visitInput.safeParse(visit({ ['😀'.repeat(100)]: 1 })).success).toBe(true);
    expect(visitInput.safeParse(visit({ ['😀'.repeat(101)]: 1 })).success).toBe(false);
  });

  it('refuse text holding a lone surrogate rather than storing a replacement character', () => {
    expect(householdInput.safeParse({ area: 'North \ud800' }).error!.issues[0]).toMatchObject({ path: ['area'], message: 'not valid Unicode text' });
    expect(visitInput.safeParse(visit({ note: 'x\udc00' })).success).toBe(false);
    expect(visitInput.safeParse(visit({ ['k\ud83d']: 1 })).success).toBe(false);
  });

  it('measure JSON columns in UTF-8 bytes of their compact serialisation', () => {
    // 'é' is one UTF-16 unit but two bytes: 35,000 of them are 70,011 bytes.
    expect(visitInput.safeParse(visit({ blob: 'é'.repeat(35_000) })).success).toBe(false);
    expect(visitInput.safeParse(visit({ blob: 'é'.repeat((65_536 - 11) / 2) + 'x' })).success).toBe(true);
    expect(visitInput.safeParse(visit({ blob: 'é'.repeat((65_536 - 11) / 2) + 'xx' })).success).toBe(false);
  });

  it('count nesting from the top object as level 1: 16 levels pass, 17 do not, arrays counting like objects', () => {
    const nested = (levels: number) => JSON.parse('{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1));
    expect(visitInput.safeParse(visit(nested(16))).success).toBe(true);
    expect(visitInput.safeParse(visit(nested(17))).success).toBe(false);
    const arrays = (levels: number) => JSON.parse('{"a":' + '['.repeat(levels - 1) + ']'.repeat(levels - 1) + '}');
    expect(visitInput.safeParse(visit(arrays(16))).success).toBe(true);
    expect(visitInput.safeParse(visit(arrays(17))).success).toBe(false);
  });

  it('trim every domain string column, choices, dates and references included, and store it trimmed', () => {
    expect(personInput.parse(person({ householdId: ` ${HOUSEHOLD}\n`, gender: ' female\t', dateOfBirth: ' 1990-05-17 ' }))).toMatchObject({
      householdId: HOUSEHOLD,
      gender: 'female',
      dateOfBirth: '1990-05-17',
    });
    expect(visitInput.parse({ ...visit({}), outcome: ' not_home ' }).outcome).toBe('not_home');
  });

  it.each(['2020-13-45', '2021-02-29', '1900-02-29', '2020-04-31', '2020-00-10', '2020-01-00', '2020-1-01'])('refuse %s: not a real calendar date', (date) => {
    expect(personInput.safeParse(person({ dateOfBirth: date })).error!.issues[0]!.path).toEqual(['dateOfBirth']);
  });

  it.each(['2020-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('accept %s, a real calendar date', (date) => {
    expect(personInput.safeParse(person({ dateOfBirth: date })).success).toBe(true);
  });

  it('refuse an upper-case UUID, so one row never has two spellings of its id', () => {
    expect(personInput.safeParse(person({ householdId: HOUSEHOLD.toUpperCase().replace('0190', '01A0') })).error!.issues[0]).toMatchObject({
      path: ['householdId'],
      message: 'a UUID in lowercase',
    });
  });
});
