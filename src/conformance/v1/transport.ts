import zlib from 'node:zlib';
import { LIMITS, PATHS, PROTOCOL_VERSION } from '../../protocol/wire';
import { expectError, expectOk, identified, send } from '../client';
import { expectEqual, expectThat } from '../expect';
import { household } from '../records';
import type { Session } from '../session';
import { check, type CheckGroup } from '../suite';

/** docs/sync-protocol.md section 2 (transport) and the body rules of sections 3 and 9. */

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** A push of one fresh household with these raw body bytes and headers, expecting it refused with nothing stored. */
async function expectRefusedPush(session: Session, what: string, status: number, code: string, body: (valid: Buffer) => Buffer | undefined, headers: Record<string, string> = {}) {
  const change = household(session);
  const answer = await send(session.target, {
    method: 'POST',
    path: PATHS.push,
    headers: { ...identified(session.target, session.machineId), 'content-type': 'application/json', ...headers },
    body: body(json({ changes: [change] })),
  });
  expectError(what, answer, status, code);
  await session.expectNotStored(`after ${what}`, change);
}

async function expectAppliedPush(session: Session, what: string, body: (valid: Buffer) => Buffer, headers: Record<string, string> = {}) {
  const change = household(session);
  const answer = await send(session.target, {
    method: 'POST',
    path: PATHS.push,
    headers: { ...identified(session.target, session.machineId), 'content-type': 'application/json', ...headers },
    body: body(json({ changes: [change] })),
  });
  const results = expectOk(what, answer).results as { status?: string }[] | undefined;
  expectEqual(`${what}: status of the record`, results?.[0]?.status, 'applied');
}

export const transport: CheckGroup = {
  protocolVersion: 1,
  name: '2 Transport',
  checks: [
    check('GET /health.php answers without a key: ok, the protocol version and the server time', async ({ target }) => {
      const body = expectOk('health', await send(target, { path: PATHS.health }));
      expectEqual('health ok', body.ok, true);
      expectEqual('health protocolVersion', body.protocolVersion, PROTOCOL_VERSION);
      expectThat('health serverTime', Number.isSafeInteger(body.serverTime), 'an integer (ms since the epoch)', body.serverTime);
    }),
    check('HEAD /health.php answers 200', async ({ target }) => {
      expectEqual('HEAD health status', (await send(target, { method: 'HEAD', path: PATHS.health })).status, 200);
    }),
    check('answers are JSON: Content-Type application/json on success and on errors', async ({ target }) => {
      for (const path of [PATHS.health, '/no-such-endpoint.php']) {
        const type = (await send(target, { path })).headers.get('content-type') ?? '';
        expectThat(`Content-Type of ${path}`, /^application\/json\s*(;|$)/i.test(type), 'application/json', type);
      }
    }),
    check('an unknown path is 404 not_found', async ({ target }) => {
      expectError('GET /push', await send(target, { path: '/push' }), 404, 'not_found');
      expectError('GET /nope.php', await send(target, { path: '/nope.php', headers: { authorization: `Bearer ${target.key}` } }), 404, 'not_found');
    }),
    check('another method on a known path is 405 method_not_allowed with an Allow header', async ({ target }) => {
      const get = await send(target, { path: PATHS.push });
      expectError('GET /push.php', get, 405, 'method_not_allowed');
      expectThat('Allow on GET /push.php', /\bPOST\b/.test(get.headers.get('allow') ?? ''), 'an Allow header naming POST', get.headers.get('allow'));
      const del = await send(target, { method: 'DELETE', path: PATHS.pull });
      expectError('DELETE /pull.php', del, 405, 'method_not_allowed');
      expectThat('Allow on DELETE /pull.php', /\bGET\b/.test(del.headers.get('allow') ?? ''), 'an Allow header naming GET', del.headers.get('allow'));
      expectError('POST /health.php', await send(target, { method: 'POST', path: PATHS.health }), 405, 'method_not_allowed');
    }),
    check('a push is accepted gzipped, as x-gzip, as identity and uncompressed', async (session) => {
      await expectAppliedPush(session, 'gzip push', (body) => zlib.gzipSync(body), { 'content-encoding': 'gzip' });
      await expectAppliedPush(session, 'x-gzip push', (body) => zlib.gzipSync(body), { 'content-encoding': 'x-gzip' });
      await expectAppliedPush(session, 'identity push', (body) => body, { 'content-encoding': 'identity' });
      await expectAppliedPush(session, 'uncompressed push', (body) => body);
    }),
    check('Content-Type parameters are allowed (application/json; charset=utf-8)', async (session) => {
      await expectAppliedPush(session, 'push with a charset', (body) => body, { 'content-type': 'application/json; charset=utf-8' });
    }),
    check('a leading UTF-8 byte order mark is ignored', async (session) => {
      await expectAppliedPush(session, 'push with a BOM', (body) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]));
    }),
    check('a Content-Encoding other than gzip or identity is 415, nothing stored', async (session) => {
      await expectRefusedPush(session, 'Content-Encoding: br', 415, 'unsupported_media_type', (body) => body, { 'content-encoding': 'br' });
    }),
    check('a corrupt or truncated gzip body is 400 bad_encoding, nothing stored', async (session) => {
      await expectRefusedPush(session, 'truncated gzip', 400, 'bad_encoding', (body) => zlib.gzipSync(body).subarray(0, -10), { 'content-encoding': 'gzip' });
      await expectRefusedPush(session, 'bytes that are not gzip', 400, 'bad_encoding', (body) => body, { 'content-encoding': 'gzip' });
    }),
    check('a push without Content-Type application/json is 415, with or without a body', async (session) => {
      await expectRefusedPush(session, 'text/plain', 415, 'unsupported_media_type', (body) => body, { 'content-type': 'text/plain' });
      await expectRefusedPush(session, 'a form post', 415, 'unsupported_media_type', () => Buffer.from('changes=1'), { 'content-type': 'application/x-www-form-urlencoded' });
      const { target } = session;
      const bare = { ...identified(target, session.machineId) };
      expectError('no Content-Type, a JSON body', await send(target, { method: 'POST', path: PATHS.push, headers: bare, body: json({ changes: [] }) }), 415, 'unsupported_media_type');
      expectError('no Content-Type, no body', await send(target, { method: 'POST', path: PATHS.push, headers: bare }), 415, 'unsupported_media_type');
    }),
    check('an empty body with Content-Type application/json is 400 malformed_json (also gzipped)', async ({ target, machineId }) => {
      const headers = { ...identified(target, machineId), 'content-type': 'application/json' };
      expectError('empty body', await send(target, { method: 'POST', path: PATHS.push, headers, body: '' }), 400, 'malformed_json');
      expectError(
        'gzip of nothing',
        await send(target, { method: 'POST', path: PATHS.push, headers: { ...headers, 'content-encoding': 'gzip' }, body: zlib.gzipSync('') }),
        400,
        'malformed_json',
      );
    }),
    check('a body that is not JSON is 400 malformed_json, nothing stored', async (session) => {
      await expectRefusedPush(session, 'truncated JSON', 400, 'malformed_json', (body) => body.subarray(0, -3));
    }),
    check('a body that is not UTF-8 is 400 malformed_json, never stored with replacement characters', async (session) => {
      await expectRefusedPush(session, 'invalid UTF-8 in a string', 400, 'malformed_json', (body) => {
        const text = body.toString();
        const at = text.indexOf('River');
        return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc3, 0x28]), Buffer.from(text.slice(at))]);
      });
    }),
    check('JSON with __proto__ or constructor.prototype keys is 400 malformed_json', async (session) => {
      await expectRefusedPush(session, '__proto__', 400, 'malformed_json', (body) => Buffer.from(`{"__proto__":{"polluted":1},${body.toString().slice(1)}`));
      await expectRefusedPush(session, 'constructor.prototype', 400, 'malformed_json', (body) =>
        Buffer.from(`{"constructor":{"prototype":{"polluted":1}},${body.toString().slice(1)}`),
      );
    }),
    check(`a body over ${LIMITS.wireBytes} bytes on the wire is 413 payload_too_large`, async (session) => {
      await expectRefusedPush(session, 'an oversized body', 413, 'payload_too_large', (body) => Buffer.concat([body, Buffer.alloc(LIMITS.wireBytes, ' ')]));
    }),
    check(`a gzip body over ${LIMITS.pushBytes} bytes once decompressed is 413 payload_too_large`, async (session) => {
      await expectRefusedPush(
        session,
        'a gzip bomb',
        413,
        'payload_too_large',
        (body) => zlib.gzipSync(Buffer.concat([body, Buffer.alloc(LIMITS.pushBytes, ' ')])),
        { 'content-encoding': 'gzip' },
      );
    }),
    check('answers of 1 KiB or more are gzipped for a client that accepts gzip, with Vary: Accept-Encoding', async (session) => {
      const first = await session.store(household(session, { notes: 'n'.repeat(2000) }));
      const answer = await send(session.target, {
        path: `${PATHS.pull}?since=${first - 1}&limit=1`,
        headers: { ...identified(session.target, session.machineId), 'accept-encoding': 'gzip' },
      });
      expectOk('pull of a 2 KB row', answer);
      expectEqual('Content-Encoding', answer.headers.get('content-encoding'), 'gzip');
      expectThat('Vary', /accept-encoding/i.test(answer.headers.get('vary') ?? ''), 'Vary naming Accept-Encoding', answer.headers.get('vary'));
    }),
    check('answers are not compressed for a client that does not accept gzip', async (session) => {
      const first = await session.store(household(session, { notes: 'n'.repeat(2000) }));
      for (const acceptEncoding of ['identity', 'gzip;q=0']) {
        const answer = await send(session.target, {
          path: `${PATHS.pull}?since=${first - 1}&limit=1`,
          headers: { ...identified(session.target, session.machineId), 'accept-encoding': acceptEncoding },
        });
        expectOk(`pull with Accept-Encoding: ${acceptEncoding}`, answer);
        expectEqual(`Content-Encoding with Accept-Encoding: ${acceptEncoding}`, answer.headers.get('content-encoding') ?? 'identity', 'identity');
      }
    }),
  ],
};
