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
  await Promise.all([enter(a.page), enter(b.page)]);
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

test('a household edited on both PCs shows on the conflicts screen what was overwritten, by which machine', async () => {
  // The server is down while both PCs edit, so neither hears of the other's change until after.
  await server.server.close();
  const edit = async (page: Page, headName: string) => {
    await householdsMatching(page, 'Kbd Head 07');
    await page.getByRole('link', { name: 'Kbd Head 07' }).click();
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Head of household').fill(headName);
    await page.getByRole('button', { name: 'Save household' }).click();
    await page.getByRole('heading', { level: 1, name: headName }).waitFor();
  };
  await edit(a.page, 'Edited on A');
  await edit(b.page, 'Edited on B');
  await server.restart();

  await syncNow(a.page); // pushes A's version
  await syncNow(b.page); // pulls A's (older) version onto B's unsent newer one: B's wins, A's is logged on B
  await syncNow(a.page); // A takes B's winning version
  expect(await householdsMatching(a.page, 'Edited on B')).toMatch(/of 1$/);

  const machineA = hostA.core.store.machineId;
  const machineB = hostB.core.store.machineId;
  await openScreen(b.page, 'Sync issues');
  await b.page.getByRole('heading', { name: 'Overwritten changes (1)' }).waitFor(SLOW);
  const row = b.page.getByTestId('conflicts-table').getByRole('row').filter({ hasText: 'Edited on A' });
  expect(await row.count()).toBe(1);
  const [lostBy, wonBy] = [row.locator('td').nth(3), row.locator('td').nth(4)];
  await lostBy.locator(`[title="${machineA}"]`).waitFor();
  await wonBy.locator(`[title="${machineB}"]`).waitFor();
  await wonBy.getByText('(this PC)').waitFor();
  await screenshot(b.page, 'conflicts');
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
