import { HEADERS, PATHS } from '../../protocol/wire';
import { authorisation, expectError, expectOk, identified, pushBody, send, type Answer, type Sent, type Target } from '../client';
import { expectThat } from '../expect';
import { household } from '../records';
import { check, type CheckGroup } from '../suite';

/** docs/sync-protocol.md section 3: the key, the common headers and the order of refusals. */

/** One request to each endpoint that needs the key, with these headers in place of the usual ones. */
function keyedRequests(target: Target, machineId: string, headers: (usual: Record<string, string>) => Record<string, string>): Sent[] {
  const usual = identified(target, machineId);
  return [
    { method: 'POST', path: PATHS.push, headers: { ...headers(usual), 'content-type': 'application/json' }, body: '{"changes":[]}' },
    { path: `${PATHS.pull}?since=0&limit=1`, headers: headers(usual) },
    { path: PATHS.status, headers: headers(authorisation(target)) },
  ];
}

async function expectEach(target: Target, requests: Sent[], expect: (what: string, answer: Answer) => void) {
  for (const sent of requests) expect(`${sent.method ?? 'GET'} ${sent.path}`, await send(target, sent));
}

function withAuthorization(value: string | undefined) {
  return (usual: Record<string, string>) => {
    const { authorization: _replaced, ...rest } = usual;
    return value === undefined ? rest : { ...rest, authorization: value };
  };
}

/** The key with its first hex digit changed. */
const wrongKey = (key: string) => (key[0] === '0' ? '1' : '0') + key.slice(1);

export const auth: CheckGroup = {
  protocolVersion: 1,
  name: '3 Authentication and headers',
  checks: [
    check('no Authorization header is 401 unauthorized on push, pull and status', async ({ target, machineId }) => {
      await expectEach(target, keyedRequests(target, machineId, withAuthorization(undefined)), (what, answer) => expectError(what, answer, 401, 'unauthorized'));
    }),
    check('a wrong key is 401 unauthorized on push, pull and status, and the answer never carries the key', async ({ target, machineId }) => {
      await expectEach(target, keyedRequests(target, machineId, withAuthorization(`Bearer ${wrongKey(target.key)}`)), (what, answer) => {
        expectError(what, answer, 401, 'unauthorized');
        expectThat(`${what} body`, !answer.text.toLowerCase().includes(target.key.toLowerCase()), 'no key in the answer', answer.text);
      });
    }),
    check('a truncated key, an empty Bearer and another scheme are 401 unauthorized', async ({ target, machineId }) => {
      for (const value of [`Bearer ${target.key.slice(0, 32)}`, 'Bearer ', `Basic ${target.key}`, target.key]) {
        await expectEach(target, keyedRequests(target, machineId, withAuthorization(value)), (what, answer) =>
          expectError(`${what} with Authorization: ${value.slice(0, 12)}...`, answer, 401, 'unauthorized'),
        );
      }
    }),
    check('the scheme name and the key are case-insensitive', async ({ target }) => {
      expectOk('status with "bearer" and the key in upper case', await send(target, { path: PATHS.status, headers: { authorization: `bearer ${target.key.toUpperCase()}` } }));
      expectOk('status with "BEARER"', await send(target, { path: PATHS.status, headers: { authorization: `BEARER ${target.key}` } }));
    }),
    check('a key-like query parameter is 400 key_in_url on every path, whatever its value, even with a valid header', async ({ target, machineId }) => {
      for (const param of ['key', 'apikey', 'api_key', 'api-key', 'sync_api_key', 'token', 'access_token', 'auth', 'authorization', 'KEY', 'Api_Key']) {
        for (const path of [PATHS.health, `${PATHS.pull}?since=0&`]) {
          const separator = path.includes('?') ? '' : '?';
          const answer = await send(target, { path: `${path}${separator}${param}=x`, headers: identified(target, machineId) });
          expectError(`${path}${separator}${param}=x`, answer, 400, 'key_in_url');
        }
      }
    }),
    check('the key anywhere in the URL (any parameter, any case, percent-encoded) is 400 key_in_url', async ({ target, machineId }) => {
      const encoded = [...target.key].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
      for (const path of [`${PATHS.pull}?since=0&x=${target.key.toUpperCase()}`, `${PATHS.pull}?since=0&x=${encoded}`, `/${target.key}/health.php`]) {
        expectError(`GET ${path.replace(target.key.toUpperCase(), '<KEY>').replace(encoded, '<%-encoded key>').replace(target.key, '<key>')}`, await send(target, { path, headers: identified(target, machineId) }), 400, 'key_in_url');
      }
    }),
    check('key_in_url comes first: before 404, 405, 401 and before the body is read', async (session) => {
      const { target } = session;
      expectError('unknown path with ?key=', await send(target, { path: '/nope.php?key=x' }), 400, 'key_in_url');
      expectError('wrong method with ?token=', await send(target, { method: 'PUT', path: `${PATHS.push}?token=x` }), 400, 'key_in_url');
      expectError('no Authorization with ?key=', await send(target, { path: `${PATHS.status}?key=x` }), 400, 'key_in_url');
      const change = household(session);
      const answer = await send(target, {
        method: 'POST',
        path: `${PATHS.push}?auth=x`,
        headers: { ...identified(target, session.machineId), 'content-type': 'application/json' },
        body: JSON.stringify({ changes: [change] }),
      });
      expectError('push with ?auth=', answer, 400, 'key_in_url');
      await session.expectNotStored('after a push with ?auth=', change);
    }),
    check('the refusal order: 404 and 405 before 401; 401 before a bad protocol version and a bad machine ID', async ({ target }) => {
      expectError('unknown path without a key', await send(target, { path: '/nope.php' }), 404, 'not_found');
      expectError('wrong method without a key', await send(target, { method: 'PUT', path: PATHS.pull }), 405, 'method_not_allowed');
      const badHeaders = { [HEADERS.protocolVersion]: '99', [HEADERS.machineId]: 'not-a-machine' };
      expectError('pull without a key, bad version and machine ID', await send(target, { path: PATHS.pull, headers: badHeaders }), 401, 'unauthorized');
    }),
    check('X-Protocol-Version: absent or 1 is accepted; anything else is 400 unsupported_protocol, checked before the machine ID', async ({ target, machineId }) => {
      expectOk('status with version 1', await send(target, { path: PATHS.status, headers: { ...authorisation(target), [HEADERS.protocolVersion]: '1' } }));
      for (const version of ['99', 'one', '']) {
        expectError(
          `status with X-Protocol-Version: "${version}"`,
          await send(target, { path: PATHS.status, headers: { ...authorisation(target), [HEADERS.protocolVersion]: version } }),
          400,
          'unsupported_protocol',
        );
      }
      const answer = await send(target, { path: PATHS.pull, headers: { ...authorisation(target), [HEADERS.protocolVersion]: '99', [HEADERS.machineId]: 'bad' } });
      expectError('pull with version 99 and a bad machine ID', answer, 400, 'unsupported_protocol');
      const push = await pushBody(target, { changes: [] }, { machineId, headers: { [HEADERS.protocolVersion]: '99' } });
      expectError('push with version 99', push, 400, 'unsupported_protocol');
    }),
    check('X-Machine-Id must be 64 lowercase hex on push and pull: else 400 malformed_request', async ({ target, machineId }) => {
      for (const id of [undefined, machineId.toUpperCase().replace(/^./, 'A'), machineId.slice(1), `${machineId}0`, 'g'.repeat(64)]) {
        const headers: Record<string, string> = { ...authorisation(target), ...(id === undefined ? {} : { [HEADERS.machineId]: id }) };
        const label = id === undefined ? 'no X-Machine-Id' : `X-Machine-Id ${id.slice(0, 8)}... (${id.length} characters)`;
        expectError(`pull with ${label}`, await send(target, { path: `${PATHS.pull}?since=0`, headers }), 400, 'malformed_request');
        const push = await send(target, { method: 'POST', path: PATHS.push, headers: { ...headers, 'content-type': 'application/json' }, body: '{"changes":[]}' });
        expectError(`push with ${label}`, push, 400, 'malformed_request');
      }
    }),
    check('status needs the key but no machine ID', async ({ target }) => {
      expectOk('status without X-Machine-Id', await send(target, { path: PATHS.status, headers: authorisation(target) }));
    }),
  ],
};
