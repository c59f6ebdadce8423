import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { GROUPS } from '../../src/conformance/groups';
import { runConformance, type ConformanceReport } from '../../src/conformance/run';
import { PATHS } from '../../src/protocol/wire';
import { startTestServer, type TestServer } from '../support/sync-server';
import { storageKinds } from '../support/test-databases';

/**
 * The conformance suite (npm run conformance) against the reference server on loopback, and against
 * the reference server behind a proxy that breaks one rule of the protocol: the suite must pass the
 * first and fail the others on exactly the checks of the broken rule, so it cannot pass vacuously.
 */

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const CHECKS = GROUPS.flatMap((group) => group.checks).length;

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(() => ts.close());

async function conformance(url: string, key = ts.apiKey): Promise<{ report: ConformanceReport; lines: string[] }> {
  const lines: string[] = [];
  const report = await runConformance({ target: { url, key }, print: (line) => lines.push(line) });
  return { report, lines };
}

/** Each failure with what was expected and what the server did, so a failure here explains itself. */
const failureLines = (lines: readonly string[]) => lines.filter((line) => /^( {2}✗| {6})/.test(line));

interface Corruption {
  /** Rewrites a request before it reaches the server. */
  request?: (req: { path: string; headers: http.IncomingHttpHeaders }) => void;
  /** Rewrites the body of the answers to requests for this path (which reach the proxy uncompressed). */
  answer?: { path: string; rewrite: (body: string) => string };
}

/** A loopback proxy to the reference server that breaks one behaviour. */
async function brokenServer(corruption: Corruption): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(ts.url);
  const proxy = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const req = { path: incoming.url!, headers: { ...incoming.headers, host: upstream.host } };
      const rewrite = corruption.answer && req.path.startsWith(corruption.answer.path) ? corruption.answer.rewrite : null;
      if (rewrite) req.headers['accept-encoding'] = 'identity';
      corruption.request?.(req);
      const forward = http.request({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: req.path, headers: req.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const original = Buffer.concat(parts);
          const body = rewrite ? Buffer.from(rewrite(original.toString())) : original;
          const headers = { ...answer.headers, 'content-length': String(body.length) };
          if (incoming.method === 'HEAD') headers['content-length'] = answer.headers['content-length'] ?? '0';
          outgoing.writeHead(answer.statusCode!, headers).end(incoming.method === 'HEAD' ? undefined : body);
        });
      });
      // The server may answer (413, key_in_url) and close before it has read the whole body.
      forward.on('error', () => outgoing.headersSent || outgoing.writeHead(502).end());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}

describe('the conformance suite', () => {
  it('passes every check against the reference server, and says so on its last line', async () => {
    const { report, lines } = await conformance(ts.url);
    expect(failureLines(lines)).toEqual([]);
    expect(report.passed).toBe(CHECKS);
    expect(CHECKS).toBeGreaterThanOrEqual(70);
    expect(lines.at(-1)).toBe(`${CHECKS} passed, 0 failed`);
  });

  it.each<[string, Corruption, string[]]>([
    [
      'a server that accepts requests without a key',
      { request: (req) => void (req.headers.authorization ??= `Bearer ${ts.apiKey}`) },
      ['3 Authentication and headers: no Authorization header is 401 unauthorized on push, pull and status'],
    ],
    [
      'a server that never compresses its answers',
      { request: (req) => void (req.headers['accept-encoding'] = 'identity') },
      ['2 Transport: answers of 1 KiB or more are gzipped for a client that accepts gzip, with Vary: Accept-Encoding'],
    ],
  ])('fails against %s, on the checks of that rule', async (_name, corruption, failing) => {
    const broken = await brokenServer(corruption);
    try {
      const { report } = await conformance(broken.url);
      expect(report.failures).toEqual(expect.arrayContaining(failing));
      expect(report.failed).toBeLessThan(CHECKS / 4);
    } finally {
      await broken.close();
    }
  });

  it('exits non-zero from the command line, printing what was expected, against a server that lets an older write win', async () => {
    const broken = await brokenServer({
      answer: { path: PATHS.push, rewrite: (body) => body.replaceAll('"status":"superseded"', '"status":"applied"') },
    });
    try {
      const cli = [require.resolve('@swc-node/register'), path.join(ROOT, 'src/conformance/cli.ts')];
      const failed = await run(process.execPath, ['-r', ...cli, '--url', broken.url, '--key', ts.apiKey], { cwd: ROOT, timeout: 120_000 }).then(
        () => null,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failed?.code).toBe(1);
      const lines = failed!.stdout.trimEnd().split('\n');
      expect(lines.at(-1)).toMatch(new RegExp(`^\\d+ passed, [1-9]\\d* failed$`));
      expect(failed!.stdout).toContain('✗ an earlier stamp is superseded with the stored version, and nothing changes');
      expect(failed!.stdout).toMatch(/the earlier write\n\s+expected: \{"status":"superseded"\}\n\s+got: +\{"status":"applied"\}/);
    } finally {
      await broken.close();
    }
  });

  it('refuses to start without a usable URL and key (exit 2)', async () => {
    const cli = [require.resolve('@swc-node/register'), path.join(ROOT, 'src/conformance/cli.ts')];
    const failed = await run(process.execPath, ['-r', ...cli, '--url', 'ftp://x', '--key', 'short'], { cwd: ROOT, timeout: 60_000 }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed!.stderr).toMatch(/--url must be an http or https URL[\s\S]*--key must be the 64 hexadecimal characters/);
  });
});

// The checks that break the suite's target on purpose test the suite itself, once, above.
describe.each(storageKinds().filter((kind) => kind !== 'sqlite'))('the reference server on %s', (kind) => {
  it('passes every check of the conformance suite', async () => {
    const onPostgres = await startTestServer({ storage: kind });
    try {
      const { report, lines } = await conformance(onPostgres.url, onPostgres.apiKey);
      expect(failureLines(lines)).toEqual([]);
      expect(report.passed).toBe(CHECKS);
    } finally {
      await onPostgres.close();
    }
  });
});
