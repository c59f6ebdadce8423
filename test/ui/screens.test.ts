import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, screenshot, SCREENSHOT_DIR, seriousA11yViolations, type OpenedPage } from '../support/browser';
import { startTestHost } from '../support/browser-host';
import { eventually } from '../support/eventually';
import { startTestServer, type TestServer } from '../support/sync-server';
import { ADMIN, createFirstAdmin, enter, openScreen, signOut, SLOW } from './driver';

/**
 * Every screen, once, at 1,024 and 1,920 px wide: no serious or critical axe-core violation, nothing
 * wider than the window, and a screenshot of each width in artifacts/screenshots/ to look at. The page
 * runs with bypassCSP only so axe-core can be injected.
 */
const WIDTHS = [
  { width: 1024, height: 768 },
  { width: 1920, height: 1080 },
] as const;

let browser: Browser;
let server: TestServer;
let host: Awaited<ReturnType<typeof startTestHost>>;
let opened: OpenedPage;

beforeAll(async () => {
  server = await startTestServer();
  [browser, host] = await Promise.all([launchChromium(), startTestHost({ serverUrl: server.url, apiKey: server.apiKey })]);
  opened = await openPage(browser, host.url, { bypassCSP: true });
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

const checked: string[] = [];

afterAll(() => {
  // The target, printed: the screens that passed at both widths, and where their screenshots are.
  console.log(`axe-core: ${checked.length} screens passed at ${WIDTHS.map((w) => w.width).join(' and ')} px, no serious or critical violation; screenshots in ${SCREENSHOT_DIR}: ${checked.join(', ')}`);
});

async function check(page: Page, name: string) {
  for (const viewport of WIDTHS) {
    await page.setViewportSize(viewport);
    // Let pending loads settle so the screenshot and the scan see the finished screen.
    await page.waitForLoadState('networkidle');
    await screenshot(page, `${name}-${viewport.width}`);
    expect({ name, width: viewport.width, violations: await seriousA11yViolations(page) }).toEqual({ name, width: viewport.width, violations: [] });
    const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect({ name, pageWidth }).toEqual({ name, pageWidth: viewport.width });
  }
  checked.push(name);
}

test('every screen is accessible, fits and is captured at 1,024 and 1,920 px', async () => {
  const { page } = opened;
  await page.getByRole('heading', { name: 'Set up the first administrator' }).waitFor();
  await check(page, '01-first-run-setup');
  await createFirstAdmin(page);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor(SLOW);
  await signOut(page);
  await check(page, '02-sign-in');
  await enter(page, ADMIN);

  await openScreen(page, 'Batch entry');
  await page.getByLabel('Area').fill('East Ward');
  for (const [headName, address] of [['Grace Hopper', '12 Harbour Road'], ['Alan Turing', '4 Bletchley Lane'], ['Katherine Johnson', '9 Langley Court']]) {
    await page.getByLabel('Head of household').fill(headName!);
    await page.getByLabel('Address').fill(address!);
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: headName }).waitFor();
  }
  await check(page, '04-batch-entry');

  await openScreen(page, 'Dashboard');
  await page.getByTestId('count-households').filter({ hasText: '3' }).waitFor(SLOW);
  await check(page, '03-dashboard');

  await openScreen(page, 'Households');
  await page.getByRole('link', { name: 'Grace Hopper' }).waitFor();
  await check(page, '05-households');
  // The export panel with a finished export (the browser downloads the file).
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByTestId('export-status').getByText(/is ready: 3 rows\.$/).waitFor(SLOW);
  await check(page, '05-households-exported');

  await page.getByRole('link', { name: 'Grace Hopper' }).click();
  await page.getByRole('heading', { level: 1, name: 'Grace Hopper' }).waitFor();
  await page.getByText('Add a person').click();
  await page.getByLabel('Full name').fill('Grace Junior');
  await page.getByLabel('Date of birth').fill('2015-06-01'); // ISO is understood in every locale
  await page.getByRole('button', { name: 'Add person' }).click();
  await page.getByRole('cell', { name: 'Grace Junior', exact: true }).waitFor(SLOW);
  await page.getByText('Record a visit').click();
  await page.getByRole('button', { name: 'Record visit' }).click();
  await page.getByRole('cell', { name: 'Completed', exact: true }).waitFor(SLOW);
  await check(page, '06-household-detail');

  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Edit Grace Hopper' }).waitFor();
  await page.getByLabel('Area').fill('');
  await page.getByLabel('Latitude').fill('123');
  await page.getByLabel('Longitude').fill('7');
  await page.getByRole('button', { name: 'Save household' }).click();
  // The core's field errors land next to their fields.
  await page.locator('#area-error').waitFor(SLOW);
  await page.locator('#geoLat-error').waitFor();
  await check(page, '07-household-edit-errors');

  // Deleting asks first, then leaves the list one shorter.
  await openScreen(page, 'Households');
  await page.getByRole('link', { name: 'Alan Turing' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  // The question takes the focus, on the safe answer; the keyboard reaches the other one.
  const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '');
  await eventually(async () => expect(await focusedText()).toBe('Keep it'));
  await page.keyboard.press('Shift+Tab');
  expect(await focusedText()).toBe('Yes, delete');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Households' }).waitFor();
  await page.getByTestId('households-summary').getByText('of 2').waitFor(SLOW);

  await openScreen(page, 'Reports');
  await page.getByTestId('report-by-area').getByRole('cell', { name: 'East Ward' }).waitFor(SLOW);
  await check(page, '13-reports');

  await openScreen(page, 'Sync issues');
  await check(page, '08-sync-issues');

  await openScreen(page, 'Settings');
  await page.getByTestId('machine-id').waitFor();
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByTestId('connection-result').locator('.notice.success').waitFor(SLOW);
  // A malformed key is refused next to its field; a valid change is saved.
  await page.getByLabel('API key').fill('not-a-key');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#apiKey-error').getByText(/64 hexadecimal/).waitFor(SLOW);
  await page.getByLabel('API key').fill('');
  await page.getByLabel(/Pull from the server every/).fill('45');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Settings saved.').waitFor(SLOW);
  await check(page, '09-settings');
  // A key the server does not know, tested: plain words in place of the save's notice.
  await page.getByLabel('API key').fill('f'.repeat(64));
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page
    .getByTestId('connection-result')
    .getByText('The sync server refused the API key. Check the API key in Settings: it must be the one the server was set up with.')
    .waitFor(SLOW);
  expect(await page.getByText('Settings saved.').count()).toBe(0);
  await page.getByLabel('API key').fill('');

  await openScreen(page, 'Accounts');
  await page.getByRole('cell', { name: ADMIN.displayName }).waitFor();
  await check(page, '10-accounts');

  await openScreen(page, 'About', 'About BLOS Desktop');
  await page.getByTestId('app-version').waitFor();
  await check(page, '11-about');

  await page.getByRole('link', { name: new RegExp(ADMIN.displayName) }).click();
  await page.getByRole('heading', { level: 1, name: 'Change my password' }).waitFor();
  await check(page, '12-change-password');

  expect(opened.problems).toEqual([]);
});
