import fc from 'fast-check';
import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { fastPath, fastSafeParse } from '../../src/protocol/fast-parse';
import { pullResponseSchema, wireRecords } from '../../src/protocol/wire';
import { household, person, visit } from '../server/helpers';

const seed = Number(process.env.FAST_PARSE_SEED ?? Date.now() % 2 ** 31);
const runs = Number(process.env.FAST_PARSE_RUNS ?? 10_000);

/** Text of `length` characters, bare or with whitespace the schema trims. */
const texts = (length: number) => ['x'.repeat(length), ` ${'x'.repeat(length)}`, `${'x'.repeat(length)}\n`];

/** Values at and around the edges of the record rules, and of JavaScript's types. */
const edgeValues: unknown[] = [
  ...[0, 1, 39, 40, 41, 99, 100, 101, 199, 200, 201, 299, 300, 301, 3999, 4000, 4001].flatMap(texts), '  ', '  padded  ',
  uuidv7(), uuidv4(), uuidv7().toUpperCase(), '00000000-0000-0000-0000-000000000000', '0190a6e0-3b1c-9d2e-8f00-1a2b3c4d5e6f', `${uuidv7()} `,
  'e'.repeat(64), 'E'.repeat(64), 'e'.repeat(63), `${'e'.repeat(64)}\n`, '1990-01-01', '1990-1-1', '1990-01-01\n',
  'female', 'FEMALE', 'completed', 'moved ',
  0, -0, 1, -1, 1.5, 90, 90.000001, -90, -90.5, 180, -180, 180.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1e308, NaN, Infinity, -Infinity,
  null, undefined, true, false, {}, { a: 1 }, [], [1], { k: 'x'.repeat(101) }, { ['k'.repeat(101)]: 1 }, { nested: { deeper: [1, { x: null }] } },
  Object.create({ inherited: 1 }), new Date(0), () => 1,
];

const tables = ['households', 'people', 'visits'] as const;
const validRecord = (table: (typeof tables)[number]) => {
  const h = household();
  return table === 'households' ? h : table === 'people' ? person(h.id) : visit(h.id);
};

/** A valid record of a table with one or two of its fields replaced or removed, or a key added. */
const nearRecord = fc.constantFrom(...tables).chain((table) =>
  fc
    .array(
      fc.record({
        key: fc.constantFrom(...Object.keys(validRecord(table)), 'extra', '__proto__'),
        value: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...edgeValues) }, { weight: 1, arbitrary: fc.anything() }),
        remove: fc.boolean(),
      }),
      { minLength: 1, maxLength: 2 },
    )
    .map((edits) => {
      const row: Record<string, unknown> = { ...validRecord(table) };
      for (const { key, value, remove } of edits) {
        if (remove) delete row[key];
        else Object.defineProperty(row, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return { table, row };
    }),
);

describe('the fast path of safeParse', () => {
  it.each([
    ['compiled', true],
    ['built without generated code', false],
  ])('never accepts what zod refuses, and outputs what zod outputs (%s)', (_name, compile) => {
    console.log(`fast-parse: FAST_PARSE_SEED=${seed} FAST_PARSE_RUNS=${runs}`);
    const paths = Object.fromEntries(tables.map((t) => [t, fastPath(wireRecords[t], { compile })]));
    fc.assert(
      fc.property(nearRecord, ({ table, row }) => {
        const passed = paths[table]!(row);
        if (passed) expect(wireRecords[table].safeParse(row)).toEqual({ success: true, data: passed.data });
      }),
      { seed, numRuns: runs },
    );
  });

  it('vouches for the valid records of every table, and for a pull page, with zod output', () => {
    for (const table of tables) {
      for (const row of [validRecord(table), { ...validRecord(table), enteredBy: '  trimmed  ' }]) {
        const passed = fastPath(wireRecords[table])(row);
        expect(passed).not.toBeNull();
        expect(passed!.data).toEqual(wireRecords[table].parse(row));
      }
    }
    const page = { changes: tables.map((table, i) => ({ table, version: i + 1, row: validRecord(table) })), cursor: 3, hasMore: false, serverTime: 1 };
    expect(fastPath(pullResponseSchema)(page)).toEqual({ data: pullResponseSchema.parse(page) });
  });

  it('outputs a new object or array only where a value changed, leaving the input as it was', () => {
    const schema = z.strictObject({ tags: z.array(z.string().trim()), name: z.string().trim(), n: z.number() });
    const input = { tags: ['a', ' b ', 'c'], name: 'kept', n: 1 };
    const passed = fastPath(schema)(input);
    expect(passed).toEqual({ data: schema.parse(input) });
    expect(passed!.data).toEqual({ tags: ['a', 'b', 'c'], name: 'kept', n: 1 });
    expect(input).toEqual({ tags: ['a', ' b ', 'c'], name: 'kept', n: 1 });
    const unchanged = { tags: ['a'], name: 'kept', n: 1 };
    expect(fastPath(schema)(unchanged)!.data).toBe(unchanged);
  });

  it('gives zod verdict and message for what it does not vouch for', () => {
    const row = { ...validRecord('people'), fullName: '   ' };
    const result = fastSafeParse(wireRecords.people)(row);
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual(wireRecords.people.safeParse(row).error?.issues);
  });

  it('leaves what it does not know to zod: transforms, coercion, refinements', () => {
    const schema = z.object({
      n: z.coerce.number(),
      s: z.string().transform((s) => s.length),
      r: z.string().refine((s) => s.startsWith('a')),
      d: z.string().default('x'),
    });
    const parse = fastSafeParse(schema);
    expect(parse({ n: '2', s: 'abc', r: 'ab' })).toEqual(schema.safeParse({ n: '2', s: 'abc', r: 'ab' }));
    expect(parse({ n: '2', s: 'abc', r: 'b' }).success).toBe(false);
  });
});
