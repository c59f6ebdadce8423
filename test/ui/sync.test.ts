import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, type OpenedPage } from '../support/browser';
import { startTestHost } from '../support/browser-host';
import { eventually } from '../support/eventually';
import { startTestServer, type TestServer } from '../support/sync-server';
import {
  batchEnter,
  enter,
  expectSyncState,
  openScreen,
  pendingText,
  SLOW,
  syncBar,
  syncNow,
  type Entry,
} from './driver';

/**
 * Two PCs (browser hosts, each with its own data folder and machine) and one real sync server:
 * what one enters by keyboard reaches the other, conflicts are shown, and an outage loses nothing.
 */

type Host = Awaited<ReturnType<typeof startTestHost>>;
let browser: Browser;
let server: TestServer;
let hostA: Host;
let hostB: Host;
let a: OpenedPage;
let b: OpenedPage;

const entries = (prefix: string, n: number): Entry[] =>
  Array.from({ length: n }, (_, i) => ({
    headName: `${prefix} Head ${String(i + 1).padStart(2, '0')}`,
    address: `${i + 1} ${prefix} Street`,
    phone: `555-${String(1000 + i)}`,
  }));

async function householdsMatching(page: Page, search: string): Promise<string> {
  await openScreen(page, 'Households');
  await page.getByLabel(/Search/).fill(search);
  // The list is debounced: wait until the summary answers for this search.
  const summary = page.locator(`[data-testid="households-summary"][data-search="${search}"]`);
  await summary.waitFor(SLOW);
  return (await summary.textContent()) ?? '';
}

/**
 * Every exchange in these tests is a press of "Sync now": no timer, debounce or retry may start one
 * on its own, so which PC syncs first (and so which logs a conflict) is decided by the test.
 */
const MANUAL_ONLY = 600_000;

beforeAll(async () => {
  server = await startTestServer();
  const sync = {
    serverUrl: server.url,
    apiKey: server.apiKey,
    env: { SYNC_PULL_INTERVAL_MS: String(MANUAL_ONLY) },
    sync: { pushDebounceMs: MANUAL_ONLY, retryBaseMs: MANUAL_ONLY, retryMaxMs: MANUAL_ONLY },
  };
  [browser, hostA, hostB] = await Promise.all([launchChromium(), startTestHost(sync), startTestHost(sync)]);
  [a, b] = await Promise.all([openPage(browser, hostA.url), openPage(browser, hostB.url)]);
  // Different people on the two PCs: a conflict belongs to the PC and the account that lost it.
  await Promise.all([enter(a.page), enter(b.page, { username: 'bintou', displayName: 'Bintou Ba', password: 'correct horse battery' })]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([hostA?.close(), hostB?.close()]);
  await server?.close();
});

afterEach(() => {
  // Under the real CSP nothing may be refused and nothing may throw.
  expect([...a.problems, ...b.problems]).toEqual([]);
});

test('50 households entered by keyboard only appear on the second PC after its sync', async () => {
  await openScreen(a.page, 'Batch entry');
  await batchEnter(a.page, entries('Kbd', 50), { area: 'North Ward', outcome: 'comp' });
  await screenshot(a.page, 'batch-entry-after-50');
  // 50 households and 50 visits wait on this PC until it syncs.
  await eventually(async () => expect(await pendingText(a.page)).toMatch(/^100 changes waiting/), SLOW);
  await syncNow(a.page);
  await expectSyncState(a.page, 'Online');
  await eventually(async () => expect(await pendingText(a.page)).toMatch(/^0 changes/), SLOW);

  await syncNow(b.page);
  expect(await householdsMatching(b.page, 'Kbd Head')).toMatch(/of 50$/);
  await b.page.getByRole('link', { name: 'Kbd Head 50' }).click();
  await b.page.getByRole('heading', { level: 1, name: 'Kbd Head 50' }).waitFor();
  await b.page.getByText('North Ward').first().waitFor();
  // The outcome chosen once was kept for every record, as a visit entered by the admin.
  await b.page.getByRole('cell', { name: 'Completed' }).waitFor(SLOW);
});

test('two PCs edit one household offline: both keep the fields only they changed; the PC whose head of household lost sees it and keeps it', async () => {
  // The server is down while both PCs edit, so neither hears of the other's change until after.
  await server.server.close();
  const edit = async (page: Page, values: Record<string, string>) => {
    await householdsMatching(page, 'Kbd Head 07');
    await page.getByRole('link', { name: 'Kbd Head 07' }).click();
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    for (const [label, value] of Object.entries(values)) await page.getByLabel(label, { exact: true }).fill(value);
    await page.getByRole('button', { name: 'Save household' }).click();
    await page.getByRole('heading', { level: 1, name: values['Head of household'] }).waitFor();
  };
  await edit(a.page, { 'Head of household': 'Edited on A', Phone: '555-7777' });
  await edit(b.page, { 'Head of household': 'Edited on B' });
  await server.restart();

  await syncNow(a.page);
  await syncNow(b.page); // B's later head of household wins; A's phone, which B never touched, stays
  await syncNow(a.page);
  for (const page of [a.page, b.page]) {
    expect(await householdsMatching(page, 'Edited on B')).toMatch(/of 1$/);
    await page.getByRole('link', { name: 'Edited on B' }).click();
    await page.getByText('555-7777').waitFor(SLOW);
  }

  // Only A lost something: its bar and dashboard count it, B's do not.
  await eventually(async () => expect(await a.page.getByTestId('sync-conflicts').textContent()).toBe('1 conflict to review'), SLOW);
  expect(await b.page.getByTestId('sync-conflicts').count()).toBe(0);
  await openScreen(a.page, 'Dashboard');
  expect(await a.page.getByTestId('dashboard-conflicts').textContent()).toBe('1');

  await a.page.getByTestId('sync-conflicts').click();
  await a.page.getByRole('heading', { name: 'Your changes that were overwritten (1)' }).waitFor(SLOW);
  const row = a.page.getByTestId('conflict-row');
  await row.getByRole('link', { name: 'Edited on B' }).waitFor();
  await row.getByRole('rowheader', { name: 'Head of household' }).waitFor();
  await row.getByText('Edited on A').waitFor();
  await row.getByText('admin, on this PC').waitFor();
  await row.getByText('bintou, on another PC').waitFor();
  // Times to the second: two edits seconds apart must not read alike.
  expect(await row.locator('.conflict-value .muted').first().textContent()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
  await screenshot(a.page, 'conflicts');

  await row.getByRole('button', { name: 'Keep mine' }).click();
  await a.page.getByText('None of your changes were overwritten.').waitFor(SLOW);
  await eventually(async () => expect(await a.page.getByTestId('sync-conflicts').count()).toBe(0), SLOW);
  await syncNow(a.page);
  await syncNow(b.page);
  expect(await householdsMatching(b.page, 'Edited on A')).toMatch(/of 1$/);
});

test('with the server stopped entry goes on and the bar says offline; restarted, everything syncs', async () => {
  await server.server.close();
  await openScreen(a.page, 'Batch entry');
  await batchEnter(a.page, entries('Offline', 5), { area: 'South Ward' });
  await syncNow(a.page);
  await expectSyncState(a.page, 'Offline');
  expect(await pendingText(a.page)).toMatch(/^5 changes waiting/);
  await screenshot(a.page, 'sync-bar-offline');

  await server.restart();
  await syncNow(a.page);
  await expectSyncState(a.page, 'Online');
  await eventually(async () => expect(await pendingText(a.page)).toMatch(/^0 changes/), SLOW);
  expect(await syncBar(a.page).getByText(/Last sync: \d/).count()).toBe(1);

  expect(await householdsMatching(b.page, 'Offline Head')).toBe('No households match.');
  await syncNow(b.page);
  // The list left open shows what the pull brought, without a new search or leaving the screen.
  await b.page.getByTestId('households-summary').getByText(/of 5$/).waitFor(SLOW);
});
