import { HEADERS, LIMITS, PATHS } from '../../protocol/wire';
import { expectError, expectOk, identified, send } from '../client';
import { expectEqual, expectFields, expectThat } from '../expect';
import { household } from '../records';
import type { Session } from '../session';
import { check, type CheckGroup } from '../suite';

/** docs/sync-protocol.md section 7. */

const MAX_VERSION = Number.MAX_SAFE_INTEGER;

/** Stores `count` households; returns them with their versions. */
async function storeSome(session: Session, count: number) {
  const changes = Array.from({ length: count }, () => household(session));
  const results = await session.push(changes);
  return changes.map((change, i) => ({ id: change.row.id as string, version: results[i]!.version! }));
}

export const pull: CheckGroup = {
  protocolVersion: 1,
  name: '7 Pull',
  checks: [
    check('pages hold versions above since, increasing, at most limit; the cursor is the last; paging reaches every row once', async (session) => {
      const stored = await storeSome(session, 7);
      const last = stored.at(-1)!.version;
      let since = stored[0]!.version - 1;
      const seen: string[] = [];
      for (let pages = 0; since < last; pages++) {
        expectThat('pages needed', pages < 50, `the 7 rows within 50 pages of 3`, pages);
        const page = await session.pull(since, 3);
        const versions = page.changes.map((c) => c.version);
        expectThat(`versions of the page since=${since}`, page.changes.length <= 3 && versions.every((v, i) => v > since && (i === 0 || v > versions[i - 1]!)), `at most 3, above ${since}, increasing`, versions);
        expectEqual(`cursor of the page since=${since}`, page.cursor, versions.at(-1) ?? since);
        expectThat(`hasMore of the page since=${since}`, page.hasMore || page.cursor >= last, 'true while rows remain', page.hasMore);
        seen.push(...page.changes.map((c) => c.row.id as string).filter((id) => stored.some((s) => s.id === id)));
        since = page.cursor;
        if (!page.hasMore) break;
      }
      expectEqual('rows reached by paging', seen, stored.map((s) => s.id));
    }),
    check('since at or beyond the last version gives an empty page: cursor = since, hasMore false', async (session) => {
      const { version } = (await storeSome(session, 1))[0]!;
      for (const since of [MAX_VERSION, version + 1_000_000]) {
        const page = await session.pull(since, 10);
        expectEqual(`page since=${since}`, { changes: page.changes, cursor: page.cursor, hasMore: page.hasMore }, { changes: [], cursor: since, hasMore: false });
      }
    }),
    check('hasMore is true when a later version exists beyond the page', async (session) => {
      const stored = await storeSome(session, 2);
      const page = await session.pull(stored[0]!.version - 1, 1);
      expectFields('page of 1 before a known later row', page, { cursor: stored[0]!.version, hasMore: true });
    }),
    check(`since defaults to 0 and limit to ${LIMITS.pullDefault}; limit ${LIMITS.pullMax} is allowed`, async (session) => {
      const { target, machineId } = session;
      const answer = expectOk('pull without parameters', await send(target, { path: PATHS.pull, headers: identified(target, machineId) }));
      const changes = answer.changes as { version: number }[];
      expectThat('changes of the default page', Array.isArray(changes) && changes.length <= LIMITS.pullDefault, `at most ${LIMITS.pullDefault}`, changes?.length);
      if (answer.hasMore === true) expectEqual('a full default page', changes.length, LIMITS.pullDefault);
      await session.pull(0, LIMITS.pullMax);
    }),
    check('since and limit are plain decimal integers (leading zeros allowed); anything else is 400 malformed_request', async (session) => {
      const { target, machineId } = session;
      const { version } = (await storeSome(session, 1))[0]!;
      const padded = await session.pull(`000${version - 1}`, '001');
      expectEqual('page of since=000N limit=001', padded.changes.map((c) => c.version), [version]);
      const bad = ['since=-1', 'since=abc', 'since=0x10', 'since=', 'since=1e3', 'limit=1e2', 'since=+1', 'since=1.0', 'limit=%205', 'since=1&since=2',
        'limit=0', `limit=${LIMITS.pullMax + 1}`, `since=${MAX_VERSION + 1}`, 'limit=', 'since=%EF%BC%91'];
      for (const query of bad) {
        expectError(`pull?${query}`, await send(target, { path: `${PATHS.pull}?${query}`, headers: identified(target, machineId) }), 400, 'malformed_request');
      }
    }),
    check('unknown query parameters are ignored', async (session) => {
      const { version } = (await storeSome(session, 1))[0]!;
      const answer = await send(session.target, { path: `${PATHS.pull}?since=${version - 1}&limit=1&tables=all`, headers: identified(session.target, session.machineId) });
      expectEqual('versions', ((expectOk('pull with &tables=all', answer).changes ?? []) as { version: number }[]).map((c) => c.version), [version]);
    }),
    check('X-Pull-Cursor and X-Pull-Has-More, when sent, equal the body', async (session) => {
      const stored = await storeSome(session, 2);
      const answer = await send(session.target, { path: `${PATHS.pull}?since=${stored[0]!.version - 1}&limit=1`, headers: identified(session.target, session.machineId) });
      const body = expectOk('pull', answer);
      const cursor = answer.headers.get(HEADERS.pullCursor);
      const hasMore = answer.headers.get(HEADERS.pullHasMore);
      if (cursor !== null) expectEqual(HEADERS.pullCursor, cursor, String(body.cursor));
      if (hasMore !== null) expectEqual(HEADERS.pullHasMore, hasMore, String(body.hasMore));
      expectThat('the two headers', (cursor === null) === (hasMore === null), 'both or neither', { cursor, hasMore });
    }),
    check('HEAD on /pull.php answers 200', async ({ target, machineId }) => {
      expectEqual('HEAD pull status', (await send(target, { method: 'HEAD', path: `${PATHS.pull}?since=0&limit=1`, headers: identified(target, machineId) })).status, 200);
    }),
  ],
};
