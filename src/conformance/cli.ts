import { parseArgs } from 'node:util';
import { z } from 'zod';
import { GROUPS } from './groups';
import { runConformance } from './run';

/**
 * npm run conformance -- --url URL --key KEY [--protocol N]
 * Checks a sync server, in any language on any host, against docs/sync-protocol.md. Exit 0 when
 * every check passed, 1 when one failed, 2 when the server could not be checked at all.
 */

const USAGE = 'usage: npm run conformance -- --url https://sync.example.org/blos --key <64 hex> [--protocol 1]';

const argsSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: '--url must be an http or https URL (the base URL, without /push.php)' }).transform((url) => url.replace(/\/+$/, '')),
  key: z.string({ error: '--key is required' }).regex(/^[0-9a-fA-F]{64}$/, '--key must be the 64 hexadecimal characters of the server key'),
  protocol: z.coerce.number().int().positive().optional(),
});

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, key: { type: 'string' }, protocol: { type: 'string' } }, strict: true });
  const args = argsSchema.safeParse(values);
  if (!args.success) {
    console.error(`${args.error.issues.map((issue) => issue.message).join('\n')}\n${USAGE}`);
    return 2;
  }
  const { url, key, protocol } = args.data;
  const groups = GROUPS.filter((group) => protocol === undefined || group.protocolVersion === protocol);
  if (groups.length === 0) {
    console.error(`No checks for protocol version ${protocol}.`);
    return 2;
  }
  console.log(`Checking ${url} against docs/sync-protocol.md`);
  try {
    const report = await runConformance({ target: { url, key }, groups, print: (line) => console.log(line) });
    return report.failed === 0 ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
}

main().then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  console.error(error);
  process.exitCode = 2;
});
