import type { Browser } from 'playwright-core';
import { launchChromium, openPage, screenshot, type OpenedPage } from '../support/browser';
import { startTestHost } from '../support/browser-host';
import { eventually } from '../support/eventually';
import { startTestServer, type TestServer } from '../support/sync-server';
import { enter, SLOW, syncBar, syncNow } from './driver';

/**
 * A PC whose clock runs a day ahead of the server: the server refuses its records one by one, and
 * the UI says so everywhere it should (bar, sync issues) while the records stay queued.
 */

const DAY = 24 * 60 * 60 * 1000;
let browser: Browser;
let server: TestServer;
let host: Awaited<ReturnType<typeof startTestHost>>;
let opened: OpenedPage;

beforeAll(async () => {
  server = await startTestServer({ now: () => Date.now() - DAY });
  [browser, host] = await Promise.all([launchChromium(), startTestHost({ serverUrl: server.url, apiKey: server.apiKey })]);
  opened = await openPage(browser, host.url);
  await enter(opened.page);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

test('records refused for a clock ahead show as rejected with a clock warning, and stay queued', async () => {
  const { page } = opened;
  await page.getByRole('link', { name: 'New household' }).click();
  await page.getByLabel('Area').fill('West Ward');
  await page.getByLabel('Head of household').fill('Ahead Of Time');
  await page.getByRole('button', { name: 'Save household' }).click();
  await page.getByRole('heading', { level: 1, name: 'Ahead Of Time' }).waitFor();

  await syncNow(page);
  const bar = syncBar(page);
  await eventually(async () => {
    await bar.getByRole('link', { name: '1 record rejected' }).waitFor({ timeout: 500 });
    await bar.getByTestId('clock-warning').waitFor({ timeout: 500 });
  }, SLOW);
  expect(await bar.getByTestId('sync-pending').textContent()).toMatch(/^1 change waiting/);
  await screenshot(page, 'sync-bar-clock-warning');

  await bar.getByRole('link', { name: '1 record rejected' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sync issues' }).waitFor();
  await page.getByTestId('clock-warning-detail').getByText(/clock seems to be ahead/).waitFor();
  const row = page.getByTestId('rejections-table').getByRole('row').filter({ hasText: 'Future timestamp' });
  expect(await row.count()).toBe(1);
  await screenshot(page, 'sync-issues-rejected');
  expect(opened.problems).toEqual([]);
});
