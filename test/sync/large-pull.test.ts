import fs from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import type { PushRequest } from '../../src/protocol/wire';
import { PullApplier } from '../../src/sync/pull-applier';
import { pullBody } from '../../src/server';
import { decodeRecords, readPullAnswer, type PulledChunk } from '../../src/sync/pull-decoder';
import { SyncLedger } from '../../src/sync/ledger';
import { searchMergeStep } from '../../src/db/search-batch';
import { eventually } from '../support/eventually';
import { searchIndexProblems } from '../support/search-index';
import type { TestServer } from '../support/sync-server';
import { openProxiedClient, serverContent, replicatedContent, type Client } from './clients';
import type { FaultProxy } from './fault-proxy';

const OTHER_PC = 'e'.repeat(64);
let server: TestServer;
let proxy: FaultProxy;
let client: Client;
let close: () => Promise<void>;

/** `count` changes as another PC pushes them: a household, then two visits of it, repeated. */
function seed(count: number): void {
  const changes: PushRequest['changes'] = [];
  let householdId = '';
  for (let i = 0; i < count; i++) {
    const stamps = { id: uuidv7(), createdAt: 1000 + i, updatedAt: 1000 + i, machineId: OTHER_PC, deletedAt: null };
    if (i % 3 === 0) {
      householdId = stamps.id;
      changes.push({ table: 'households', row: { ...stamps, area: `Area ${i % 7}`, notes: 'x'.repeat(200) } });
    } else {
      changes.push({ table: 'visits', row: { ...stamps, householdId, visitedAt: i, outcome: 'completed', answers: { n: i, text: 'y'.repeat(300) } } });
    }
  }
  for (let i = 0; i < changes.length; i += 1000) server.server.storage.applyPush(OTHER_PC, changes.slice(i, i + 1000));
}

const cursorOf = (c: Client) => c.store.sqlite.prepare('SELECT pull_cursor FROM sync_state').pluck().get() as number;
const rowCount = (c: Client) =>
  c.store.sqlite.prepare('SELECT (SELECT count(*) FROM households) + (SELECT count(*) FROM visits)').pluck().get() as number;

beforeEach(async () => {
  ({ server, proxy, client, close } = await openProxiedClient({ pullPageSize: 1000, pullApplyRows: 100 }));
});
afterEach(() => close());

describe('a large pull', () => {
  it('arrives whole over several pages, each applied in chunks that advance the cursor', async () => {
    seed(2_345);
    const cursorsSeen: number[] = [];
    let pulls = 0;
    proxy.beforeRelay = async (request) => {
      // Hold the third page until the first two are applied: chunks land while later pages travel.
      if (request.path !== '/pull.php' || ++pulls !== 3) return;
      for (let i = 0; i < 1000 && cursorsSeen.at(-1) !== 2000; i++) {
        if (cursorsSeen.at(-1) !== cursorOf(client)) cursorsSeen.push(cursorOf(client));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    const status = await client.engine.syncNow();
    expect(status.lastError).toBeNull();
    expect(cursorOf(client)).toBe(2_345);
    expect(replicatedContent(client.store)).toEqual(serverContent(server.server));
    expect(cursorsSeen.at(-1)).toBe(2_000);
    // Every cursor seen is a chunk boundary with exactly the rows up to it present.
    expect(cursorsSeen.every((cursor) => cursor % 100 === 0)).toBe(true);
    expect(client.engine.lastReport?.pulled).toBe(2_345);
  });

  it('merges the search index as it goes, between chunks: nothing is left to merge after 60 chunks', async () => {
    seed(6_000);
    expect((await client.engine.syncNow()).lastError).toBeNull();
    expect(searchMergeStep(client.store.sqlite)()).toBe(false);
    expect(searchIndexProblems(client.store.sqlite)).toEqual({ missing: [], extra: [] });
  });

  it('keeps the write-ahead log small while it pulls, checkpointing from the sync worker', async () => {
    seed(12_000);
    const wal = `${client.file}-wal`;
    let largestWal = 0;
    const autocheckpointsSeen = new Set<number>();
    proxy.beforeRelay = (request) => {
      if (request.path !== '/pull.php') return;
      if (fs.existsSync(wal)) largestWal = Math.max(largestWal, fs.statSync(wal).size);
      autocheckpointsSeen.add(client.store.sqlite.pragma('wal_autocheckpoint', { simple: true }) as number);
    };
    const status = await client.engine.syncNow();
    expect(status.lastError).toBeNull();
    expect(rowCount(client)).toBe(12_000);
    // Checkpoints ran beside the pull and kept the log to a few thousand rows, where it would
    // otherwise hold the whole pull...
    expect(largestWal).toBeLessThan(10 * 1024 * 1024);
    // ...on the sync worker's connection: the app's left them to it meanwhile, then took them back.
    expect(autocheckpointsSeen).toEqual(new Set([0]));
    expect(client.store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('applies on its own worker and connection: the app writes while it runs, in turn, and nothing is lost', async () => {
    seed(6_000);
    const cursorsAtWrites: number[] = [];
    const chunksDuringAWrite: number[] = [];
    const errors: unknown[] = [];
    const timer = setInterval(() => {
      try {
        const before = cursorOf(client);
        cursorsAtWrites.push(before);
        client.store.repos.households.create({ area: 'Entered meanwhile' });
        chunksDuringAWrite.push(Math.ceil((cursorOf(client) - before) / 100));
      } catch (error) {
        errors.push(error);
      }
    }, 5);
    let status;
    try {
      status = await client.engine.syncNow();
    } finally {
      clearInterval(timer);
    }
    expect(status.lastError).toBeNull();
    expect(errors).toEqual([]);
    // Some writes landed between two chunks of the pull, and a write waited for one chunk at most:
    // the pull does not take the lock again before a waiting write had its turn.
    expect(cursorsAtWrites.some((cursor) => cursor > 0 && cursor < 6_000)).toBe(true);
    expect(Math.max(...chunksDuringAWrite)).toBeLessThanOrEqual(1);
    // ...and every pulled row and every local one is there.
    const local = client.store.sqlite.prepare("SELECT count(*) FROM households WHERE area = 'Entered meanwhile'").pluck().get();
    expect(local).toBe(cursorsAtWrites.length);
    expect(rowCount(client)).toBe(6_000 + cursorsAtWrites.length);
  });

  it('stop() returns once the sync worker has let go: no chunk lands after it', async () => {
    seed(12_000);
    const sync = client.engine.syncNow();
    await eventually(() => cursorOf(client) > 0, { timeout: 20_000, interval: 2, what: 'the first chunk' });
    await client.engine.stop();
    const cursorAtStop = cursorOf(client);
    await sync;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cursorOf(client)).toBe(cursorAtStop);
    expect(cursorAtStop).toBeLessThan(12_000);
    expect(rowCount(client)).toBe(cursorAtStop);
  });

  it('stops between chunks: what was applied stays, with its cursor, and the next pull completes it', async () => {
    seed(450);
    const ledger = new SyncLedger(client.store);
    const applier = new PullApplier(client.store, ledger);
    const page = server.server.storage.pull(0, 1000);
    const chunks = decodeRecords(readPullAnswer(pullBody(page, 1)), 0, 100);
    async function* failingAfter(count: number): AsyncGenerator<PulledChunk> {
      yield* chunks.slice(0, count);
      throw new Error('connection lost');
    }
    await expect(applier.pullAll(() => failingAfter(3))).rejects.toThrow('connection lost');
    expect(cursorOf(client)).toBe(300);
    expect(rowCount(client)).toBe(300);
    // Search finds exactly the records applied so far.
    expect(searchIndexProblems(client.store.sqlite)).toEqual({ missing: [], extra: [] });

    const status = await client.engine.syncNow();
    expect(status.lastError).toBeNull();
    expect(replicatedContent(client.store)).toEqual(serverContent(server.server));
    expect(searchIndexProblems(client.store.sqlite)).toEqual({ missing: [], extra: [] });
  });
});

describe('pages announced in their headers', () => {
  /** Whether a second pull request reached the server while the first answer's body was held back. */
  function holdFirstBody(ms: number): () => boolean {
    let requestedMeanwhile = false;
    let held = false;
    proxy.beforeBody = async (request) => {
      if (request.path !== '/pull.php' || held) return;
      held = true;
      const pullsBefore = proxy.seen.filter((p) => p === '/pull.php').length;
      for (let waited = 0; waited < ms && !requestedMeanwhile; waited += 5) {
        requestedMeanwhile = proxy.seen.filter((p) => p === '/pull.php').length > pullsBefore;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    return () => requestedMeanwhile;
  }

  it('asks for the next page as soon as a page\'s headers announce its cursor, before its body arrives', async () => {
    seed(2_345);
    const requestedMeanwhile = holdFirstBody(2_000);
    const status = await client.engine.syncNow();
    expect(status.lastError).toBeNull();
    expect(requestedMeanwhile()).toBe(true);
    expect(replicatedContent(client.store)).toEqual(serverContent(server.server));
  });

  it('syncs with a server that announces nothing, asking for the next page once a page is parsed', async () => {
    seed(2_345);
    proxy.relayHeaders = (_request, { 'x-pull-cursor': _cursor, 'x-pull-has-more': _more, ...rest }) => rest;
    const requestedMeanwhile = holdFirstBody(300);
    const status = await client.engine.syncNow();
    expect(status.lastError).toBeNull();
    expect(requestedMeanwhile()).toBe(false);
    expect(replicatedContent(client.store)).toEqual(serverContent(server.server));
  });

  it('refuses a page whose headers announce another cursor than its body, applying nothing of it', async () => {
    seed(1_500);
    proxy.relayHeaders = (request, headers) => (request.path === '/pull.php' ? { ...headers, 'x-pull-cursor': '999' } : headers);
    const status = await client.engine.syncNow();
    expect(status.lastError).toMatch(/announced cursor 999 .*but sent 1000.*nothing from that page was applied/);
    expect(cursorOf(client)).toBe(0);
    expect(rowCount(client)).toBe(0);
  });
});

