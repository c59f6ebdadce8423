import zlib from 'node:zlib';
import { LIMITS, PATHS, type PushResponse } from '../../src/protocol/wire';
import type { SyncStorage } from '../../src/server';
import { startTestServer, type TestServer } from '../support/sync-server';
import { storageKinds } from '../support/test-databases';
import { authHeaders, household, machineA, person, pull, push, pushRaw, request, visit, type RawRequest } from './helpers';

/**
 * Every refusal leaves the server exactly as it was (ARCHITECTURE 3.4, 3.8, 3.9): each test takes a
 * full dump of the server database before and after.
 */

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
describe.each(storageKinds())('with %s storage', (storageKind) => {
  let ts: TestServer<SyncStorage>;
  const server = () => ({ url: ts.url, apiKey: ts.apiKey });

  beforeAll(async () => {
    ts = await startTestServer({ now: () => NOW, storage: storageKind });
    const h = household({ createdAt: NOW - 1000, updatedAt: NOW - 1000 });
    await push(server(), [
      { table: 'households', row: h },
      { table: 'visits', row: visit(h.id, { createdAt: NOW - 900, updatedAt: NOW - 900 }) },
    ]);
  });
  afterAll(() => ts.close());

  async function expectNothingChanged(send: () => Promise<unknown>): Promise<void> {
    const before = await ts.dump();
    await send();
    expect(await ts.dump()).toEqual(before);
  }

  /** Only the record-level effect counts here: a push that reached storage notes the machine's visit. */
  async function expectNoDataChanged(send: () => Promise<unknown>): Promise<void> {
    const { tables, counter } = await ts.dump();
    await send();
    const after = await ts.dump();
    expect({ tables: after.tables, counter: after.counter }).toEqual({ tables, counter });
  }

  function rawPush(body: string | Buffer, headers: Record<string, string> = {}): RawRequest {
    return {
      method: 'POST',
      path: PATHS.push,
      headers: { ...authHeaders(server()), 'content-type': 'application/json', ...headers },
      body: new Uint8Array(typeof body === 'string' ? Buffer.from(body) : body),
    };
  }

  const validBody = () => JSON.stringify({ changes: [{ table: 'households', row: household({ createdAt: NOW, updatedAt: NOW }) }] });

  describe('refused requests', () => {
    it.each([
      ['malformed JSON', () => rawPush('{"changes": [{"table": "households", "row": {'), 400, 'malformed_json'],
      ['an empty body', () => rawPush(''), 400, 'malformed_json'],
      ['an empty body, gzipped', () => rawPush(zlib.gzipSync(''), { 'content-encoding': 'gzip' }), 400, 'malformed_json'],
      ['bytes that are not UTF-8 in a string', () => {
        const [before, after] = validBody().split('River');
        return rawPush(Buffer.concat([Buffer.from(before!), Buffer.from([0xc3, 0x28]), Buffer.from(after!)]));
      }, 400, 'malformed_json'],
      ['JSON with __proto__ poisoning', () => rawPush('{"changes":[],"__proto__":{"x":1}}'), 400, 'malformed_json'],
      ['truncated gzip', () => {
        const gz = zlib.gzipSync(validBody());
        return rawPush(gz.subarray(0, gz.length - 10), { 'content-encoding': 'gzip' });
      }, 400, 'bad_encoding'],
      ['bytes that are not gzip at all', () => rawPush('not gzip', { 'content-encoding': 'gzip' }), 400, 'bad_encoding'],
      ['an unsupported content encoding', () => rawPush(validBody(), { 'content-encoding': 'br' }), 415, 'unsupported_media_type'],
      ['a gzip bomb', () => rawPush(zlib.gzipSync(Buffer.alloc(LIMITS.pushBytes + 1, ' ')), { 'content-encoding': 'gzip' }), 413, 'payload_too_large'],
      ['a body over the limit', () => rawPush(`{"changes":[]}${' '.repeat(LIMITS.wireBytes)}`), 413, 'payload_too_large'],
      ['text/plain', () => rawPush(validBody(), { 'content-type': 'text/plain' }), 415, 'unsupported_media_type'],
      ['a form post', () => rawPush('changes=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type'],
      ['no content type and no body', () => {
        const req = rawPush('');
        delete req.headers!['content-type'];
        return { ...req, body: undefined };
      }, 415, 'unsupported_media_type'],
      ['no content type', () => {
        const req = rawPush(validBody());
        delete req.headers!['content-type'];
        return { ...req, body: new Uint8Array(Buffer.from(validBody())) };
      }, 415, 'unsupported_media_type'],
      ['changes that are not a list', () => rawPush('{"changes":{"table":"households"}}'), 422, 'invalid_batch'],
      ['a body that is a list', () => rawPush('[]'), 422, 'invalid_batch'],
      ['more changes than allowed', () => rawPush(JSON.stringify({
        changes: Array.from({ length: LIMITS.pushRows + 1 }, () => ({ table: 'households', row: household({ createdAt: NOW, updatedAt: NOW }) })),
      })), 422, 'invalid_batch'],
      ['a missing machine id', () => {
        const req = rawPush(validBody());
        delete req.headers!['x-machine-id'];
        return req;
      }, 400, 'malformed_request'],
      ['a malformed machine id', () => rawPush(validBody(), { 'x-machine-id': 'A'.repeat(64) }), 400, 'malformed_request'],
      ['a protocol version this server does not speak', () => rawPush(validBody(), { 'x-protocol-version': '3' }), 400, 'unsupported_protocol'],
      ['GET on the push path', () => ({ ...rawPush(''), method: 'GET', body: undefined }), 405, 'method_not_allowed'],
      ['an unknown path', () => ({ ...rawPush(validBody()), path: '/push' }), 404, 'not_found'],
    ])('%s: %i %s, nothing stored', async (_name, make, status, code) => {
      await expectNothingChanged(async () => {
        const response = await request(server(), make());
        expect(response.status).toBe(status);
        expect(response.json).toEqual({ error: { code, message: expect.any(String) } });
      });
    });

    it('says which methods a known path allows', async () => {
      const response = await request(server(), { method: 'DELETE', path: PATHS.pull });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    });

    it('rejects a bad pull query with 400', async () => {
      const notPlainDecimal = ['since=0x10', 'since=', 'since=1e3', 'limit=1e2', 'since=+1', 'since=1.0', 'limit=%205', 'since=1&since=2'];
      for (const query of ['since=-1', 'since=abc', `limit=${LIMITS.pullMax + 1}`, 'limit=0', 'since=9007199254740992', ...notPlainDecimal]) {
        const response = await request(server(), { path: `${PATHS.pull}?${query}`, headers: authHeaders(server()) });
        expect([query, response.status, (response.json as { error: { code: string } }).error.code]).toEqual([query, 400, 'malformed_request']);
      }
    });
  });

  describe('unknown envelope keys', () => {
    it('are ignored around the changes and in each change (room for later versions), and the records applied', async () => {
      const row = household({ createdAt: NOW, updatedAt: NOW });
      const response = await request(server(), rawPush(JSON.stringify({ changes: [{ table: 'households', row, note: 'x' }], batchId: 7 })));
      expect(response.status).toBe(200);
      expect((response.json as PushResponse).results).toEqual([{ table: 'households', id: row.id, status: 'applied', version: expect.any(Number) }]);
    });
  });

  describe('the API key', () => {
    const short = () => ts.apiKey.slice(0, 32);
    const wrong = () => ts.apiKey.replace(/^./, (c) => (c === '0' ? '1' : '0'));

    it.each([
      ['missing', () => undefined],
      ['wrong', () => `Bearer ${wrong()}`],
      ['short', () => `Bearer ${short()}`],
      ['the key with another scheme', () => `Basic ${ts.apiKey}`],
      ['empty bearer', () => 'Bearer '],
    ])('%s: 401 on every authorised endpoint, nothing stored', async (_name, authorization) => {
      await expectNothingChanged(async () => {
        for (const req of [rawPush(validBody()), { path: `${PATHS.pull}?since=0`, headers: authHeaders(server()) }, { path: PATHS.status, headers: {} }]) {
          const headers = { ...req.headers };
          delete headers.authorization;
          const value = authorization();
          if (value !== undefined) headers.authorization = value;
          const response = await request(server(), { ...req, headers });
          expect(response.status).toBe(401);
          expect(response.json).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
          expect(JSON.stringify(response.json)).not.toContain(ts.apiKey);
        }
      });
    });

    it.each([
      ['key', () => `?key=${ts.apiKey}`],
      ['api_key', () => `?api_key=${ts.apiKey}`],
      ['SYNC_API_KEY', () => `?SYNC_API_KEY=${ts.apiKey}`],
      ['any parameter holding the key', () => `?since=0&x=${ts.apiKey.toUpperCase()}`],
      ['a key parameter even with a wrong value', () => '?key=nope'],
    ])('in the query string (%s): 400 key_in_url, even with a valid header, nothing processed', async (_name, query) => {
      await expectNothingChanged(async () => {
        for (const path of [PATHS.push, PATHS.pull, PATHS.health, PATHS.status]) {
          const req = path === PATHS.push ? rawPush(validBody()) : { path, headers: authHeaders(server()) };
          const response = await request(server(), { ...req, path: path + query() });
          expect([path, response.status]).toEqual([path, 400]);
          expect(response.json).toEqual({ error: { code: 'key_in_url', message: expect.any(String) } });
        }
      });
    });

    it('is not needed for the health probe', async () => {
      const response = await request(server(), { path: PATHS.health });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ ok: true, protocolVersion: 2, protocolVersions: [1, 2], schemaVersion: 1, serverTime: NOW });
    });
  });

  describe('refused records (per record; the rest of the push still applies)', () => {
    async function pushWithSibling(table: string, row: Record<string, unknown>) {
      const sibling = household({ createdAt: NOW, updatedAt: NOW });
      const before = await ts.dump();
      const response = await pushRaw(server(), { changes: [{ table, row }, { table: 'households', row: sibling }] });
      expect(response.status).toBe(200);
      const results = (response.json as PushResponse).results;
      expect(results[1]).toMatchObject({ id: sibling.id, status: 'applied' });
      const after = await ts.dump();
      // Exactly one row more: the sibling.
      expect(after.tables.households!.filter((r) => r.id !== sibling.id)).toEqual(before.tables.households);
      expect({ people: after.tables.people, visits: after.tables.visits }).toEqual({
        people: before.tables.people,
        visits: before.tables.visits,
      });
      return results[0]!;
    }

    it('an unknown table', async () => {
      const result = await pushWithSibling('accounts', { id: 'x', passwordHash: 'y' });
      expect(result).toMatchObject({ table: 'accounts', status: 'rejected', reason: 'unknown_table' });
    });

    it('a table name carrying SQL', async () => {
      const result = await pushWithSibling('households; DROP TABLE households; --', household());
      expect(result).toMatchObject({ status: 'rejected', reason: 'unknown_table' });
    });

    it('a column name carrying SQL', async () => {
      const row = { ...household({ createdAt: NOW, updatedAt: NOW }), 'area" = 1; DROP TABLE visits; --': 'x' };
      const result = await pushWithSibling('households', row);
      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid_record', message: expect.stringMatching(/Unrecognized key/) });
    });

    it('a local-only sync column', async () => {
      const result = await pushWithSibling('households', { ...household({ createdAt: NOW, updatedAt: NOW }), dirty: true, serverVersion: 99 });
      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid_record' });
    });

    it.each([
      ['area as a number', { area: 5 }, 'area'],
      ['updatedAt as a string', { updatedAt: String(NOW) }, 'updatedAt'],
      ['a fractional stamp', { createdAt: NOW - 0.5 }, 'createdAt'],
      ['geoLat as text', { geoLat: 'secret-lat' }, 'geoLat'],
      ['geoLat out of range', { geoLat: 91 }, 'geoLat'],
      ['a machine id of the wrong shape', { machineId: 'secret-machine' }, 'machineId'],
      ['an id that is not a UUID', { id: 'secret-id-1' }, 'id'],
      ['an over-long note', { notes: 'secret'.repeat(1000) }, 'notes'],
      ['a missing required column', { area: undefined }, 'area'],
    ])('wrong types: %s', async (_name, patch, path) => {
      const row = JSON.parse(JSON.stringify({ ...household({ createdAt: NOW, updatedAt: NOW }), ...patch }));
      const result = await pushWithSibling('households', row);
      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid_record' });
      const message = (result as { message: string }).message;
      expect(message).toContain(path);
      expect(message).not.toMatch(/secret/);
    });

    it.each([
      ['an upper-case id', () => ({ id: household().id.toUpperCase() }), 'id'],
      ['an id with surrounding spaces', () => ({ id: ` ${household().id}` }), 'id'],
      ['text with a lone surrogate', () => ({ notes: 'secret \ud800' }), 'notes'],
    ])('not the protocol\'s text: %s', async (_name, patch, path) => {
      const result = await pushWithSibling('households', { ...household({ createdAt: NOW, updatedAt: NOW }), ...patch() });
      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid_record', message: expect.stringContaining(path) });
    });

    it.each(['2020-13-45', '2021-02-29'])('a date of birth that is no calendar day (%s)', async (date) => {
      const h = household();
      const result = await pushWithSibling('people', { ...person(h.id, { createdAt: NOW, updatedAt: NOW }), dateOfBirth: date });
      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid_record', message: expect.stringContaining('dateOfBirth') });
    });

    it('JSON columns of the wrong shape', async () => {
      const h = household();
      const result = await pushWithSibling('visits', { ...visit(h.id, { createdAt: NOW, updatedAt: NOW }), answers: 'secret answers' });
      expect(result).toMatchObject({ status: 'rejected', reason: 'invalid_record', message: expect.stringContaining('answers') });
    });

    it.each(['updatedAt', 'createdAt', 'deletedAt'] as const)('%s too far in the server future', async (field) => {
      const row = { ...household({ createdAt: NOW, updatedAt: NOW }), [field]: NOW + LIMITS.futureSkewMs + 1 };
      const result = await pushWithSibling('households', row);
      expect(result).toMatchObject({ status: 'rejected', reason: 'future_timestamp', message: expect.stringContaining(field) });
    });

    it('accepts a stamp exactly at the allowed skew', async () => {
      const at = NOW + LIMITS.futureSkewMs;
      const result = (await push(server(), [{ table: 'households', row: household({ createdAt: at, updatedAt: at }) }], machineA)).results[0];
      expect(result).toMatchObject({ status: 'applied' });
    });

    it('the same record twice in one push: neither copy is applied', async () => {
      const row = household({ createdAt: NOW, updatedAt: NOW });
      await expectNoDataChanged(async () => {
        const response = await pushRaw(server(), {
          changes: [
            { table: 'households', row },
            { table: 'households', row: { ...row, notes: 'second copy' } },
          ],
        });
        expect((response.json as PushResponse).results.map((r) => r.status === 'rejected' && r.reason)).toEqual([
          'duplicate_in_batch',
          'duplicate_in_batch',
        ]);
      });
    });

    it('a push of only bad records stores nothing', async () => {
      await expectNoDataChanged(async () => {
        const response = await pushRaw(server(), {
          changes: [
            { table: 'nope', row: {} },
            { table: 'households', row: { id: 1 } },
            { table: 'visits', row: { id: 'x' } },
          ],
        });
        expect(response.status).toBe(200);
        expect((response.json as PushResponse).results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      });
    });
  });

  describe('accepted variants', () => {
    it('takes a charset parameter, an explicit protocol version 1, no compression and a lower-case scheme', async () => {
      const row = household({ createdAt: NOW, updatedAt: NOW });
      const response = await request(server(), {
        method: 'POST',
        path: PATHS.push,
        headers: {
          authorization: `bearer ${ts.apiKey.toUpperCase()}`,
          'x-machine-id': machineA,
          'x-protocol-version': '1',
          'content-type': 'application/json; charset=utf-8',
        },
        body: new Uint8Array(Buffer.from(JSON.stringify({ changes: [{ table: 'households', row }] }))),
      });
      expect(response.status).toBe(200);
      expect((response.json as PushResponse).results[0]).toMatchObject({ id: row.id, status: 'applied' });
    });

    it('trims choices, dates and references like all domain text, and serves them trimmed', async () => {
      const h = household({ createdAt: NOW, updatedAt: NOW });
      const p = person(h.id, { createdAt: NOW, updatedAt: NOW });
      const sent = { ...p, householdId: ` ${h.id}\t`, gender: ' female\t', dateOfBirth: ' 1990-05-17 ', fullName: ' Awa ' };
      const { version } = (await push(server(), [{ table: 'people', row: sent }])).results[0] as { version: number };
      const served = (await pull(server(), version - 1, 1)).changes[0]!;
      expect(served.row).toMatchObject({ id: p.id, householdId: h.id, gender: 'female', dateOfBirth: '1990-05-17', fullName: 'Awa' });
    });

    it('reads an integer written as 1.0 or 1e3 as that integer (JSON has one number type)', async () => {
      const h = household();
      const row = JSON.stringify(visit(h.id, { createdAt: NOW, updatedAt: NOW, visitedAt: 1000 })).replace('"visitedAt":1000', '"visitedAt":1e3');
      const body = `{"changes":[{"table":"visits","row":${row.replace(`"createdAt":${NOW}`, `"createdAt":${NOW}.0`)}}]}`;
      const response = await request(server(), rawPush(body));
      expect((response.json as PushResponse).results[0]).toMatchObject({ status: 'applied' });
    });

    it('ignores a leading UTF-8 byte order mark', async () => {
      const response = await request(server(), rawPush(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(validBody())])));
      expect((response.json as PushResponse).results[0]).toMatchObject({ status: 'applied' });
    });
  });
});
