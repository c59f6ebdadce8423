import { z } from 'zod';
import { recordInputs } from '../../src/db/record-schemas';
import { RECORD_TABLE_NAMES } from '../../src/db/schema';
import { SCHEMA_HISTORY, SCHEMA_VERSION } from '../../src/protocol/schema-history';

/** What docs/adding-a-field.md asks of a new synced field, checked so that none is forgotten. */
describe('the record schema history', () => {
  it('has, in its last entry, exactly the fields the tables have now', () => {
    const latest = SCHEMA_HISTORY.at(-1)!;
    for (const table of RECORD_TABLE_NAMES) {
      const now = Object.keys(recordInputs[table].shape).sort();
      const listed = [...latest.fields[table]].sort();
      if (now.join() !== listed.join()) {
        throw new Error(
          `${table} has fields [${now.join(', ')}] but schema version ${latest.version} lists [${listed.join(', ')}]: ` +
            'append a new version to src/protocol/schema-history.ts (docs/adding-a-field.md)',
        );
      }
    }
  });

  it('only ever adds fields, one version after another', () => {
    SCHEMA_HISTORY.forEach((entry, i) => {
      expect(entry.version).toBe(i + 1);
      const previous = SCHEMA_HISTORY[i - 1];
      if (!previous) return;
      for (const table of RECORD_TABLE_NAMES) expect(entry.fields[table]).toEqual(expect.arrayContaining([...previous.fields[table]]));
    });
    expect(SCHEMA_VERSION).toBe(SCHEMA_HISTORY.length);
  });

  it('bounds every text field: a new text column cannot travel without a length rule', () => {
    for (const table of RECORD_TABLE_NAMES) {
      const properties = (z.toJSONSchema(recordInputs[table], { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> }).properties;
      for (const [field, schema] of Object.entries(properties)) {
        const variants = ((schema as { anyOf?: unknown[] }).anyOf ?? [schema]) as { type?: string; maxLength?: number; enum?: unknown[]; pattern?: string; format?: string }[];
        for (const variant of variants.filter((v) => v.type === 'string')) {
          const bounded = variant.maxLength !== undefined || variant.enum !== undefined || variant.pattern !== undefined || variant.format !== undefined;
          if (!bounded) throw new Error(`${table}.${field} is text with no length limit: give it a rule in src/db/record-schemas.ts`);
        }
      }
    }
  });
});
