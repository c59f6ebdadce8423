import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { wireRecords } from '../../src/protocol/wire';

/**
 * docs/sync-protocol.md carries the record schemas for people implementing a server elsewhere; this
 * keeps them equal to the schemas the reference server validates with.
 * UPDATE_PROTOCOL_DOC=1 rewrites the block instead of failing.
 */

const DOC = path.resolve(__dirname, '../../docs/sync-protocol.md');
const BLOCK = /<!-- record-schemas:start -->[\s\S]*<!-- record-schemas:end -->/;

function renderedSchemas(): string {
  const sections = Object.entries(wireRecords).map(
    ([table, schema]) => `### ${table}\n\n\`\`\`json\n${JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n\`\`\``,
  );
  return `<!-- record-schemas:start -->\n${sections.join('\n\n')}\n<!-- record-schemas:end -->`;
}

describe('the protocol document', () => {
  it('lists the record schemas the server validates with', () => {
    const doc = fs.readFileSync(DOC, 'utf8');
    expect(doc).toMatch(BLOCK);
    if (process.env.UPDATE_PROTOCOL_DOC) fs.writeFileSync(DOC, doc.replace(BLOCK, renderedSchemas()));
    expect(fs.readFileSync(DOC, 'utf8').match(BLOCK)![0]).toBe(renderedSchemas());
  });
});
