import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { UpdaterController } from '../../src/electron/updater-controller';
import { launchChromium, openPage, screenshot, type OpenedPage } from '../support/browser';
import { startTestHost } from '../support/browser-host';
import { eventually } from '../support/eventually';
import { FakeOsUpdater } from '../support/fake-os-updater';
import { enter, openScreen, SLOW } from './driver';

/**
 * The About screen with a real UpdaterController behind the core; only the OS updater is a stand-in,
 * told by the test what it found. The download's progress shows as it moves, a restart happens only
 * after the user says so, and an administrator can turn updates off and on.
 */
let browser: Browser;
let host: Awaited<ReturnType<typeof startTestHost>>;
let opened: OpenedPage;
const os = new FakeOsUpdater();
const controller = new UpdaterController({ createUpdater: () => os, disabledReason: null });

beforeAll(async () => {
  controller.start();
  [browser, host] = await Promise.all([launchChromium(), startTestHost({ updater: controller })]);
  opened = await openPage(browser, host.url);
  await enter(opened.page);
  await openScreen(opened.page, 'About', 'About BLOS Desktop');
});

afterAll(async () => {
  controller.stop();
  await browser?.close();
  await host?.close();
});

const updateStatus = () => opened.page.getByTestId('update-status');

test('the download progress moves on screen while it downloads', async () => {
  os.emit('update-available', { version: '0.2.0' });
  os.emit('download-progress', { percent: 12 });
  await updateStatus().filter({ hasText: 'Downloading the update (version 0.2.0): 12%' }).waitFor(SLOW);
  os.emit('download-progress', { percent: 64.4 });
  await updateStatus().filter({ hasText: ': 64%' }).waitFor(SLOW);
  expect(await opened.page.getByRole('progressbar', { name: 'Update download' }).getAttribute('value')).toBe('64');
  await screenshot(opened.page, '30-update-downloading');
});

test('a downloaded update restarts only after the user confirms', async () => {
  const { page } = opened;
  os.emit('update-downloaded', { version: '0.2.0' });
  await page.getByRole('button', { name: 'Restart and install…' }).click(SLOW);
  const ask = page.getByRole('alertdialog', { name: 'Restart to install the update' });
  await ask.getByText('will close, install version 0.2.0 and start again').waitFor();
  await ask.getByRole('button', { name: 'Not now' }).click();
  await ask.waitFor({ state: 'detached' });
  expect(os.installs).toBe(0);

  await page.getByRole('button', { name: 'Restart and install…' }).click();
  await screenshot(page, '31-update-restart-asked');
  await page.getByRole('button', { name: 'Restart now' }).click();
  await eventually(() => os.installs === 1, { what: 'quitAndInstall after the confirmation' });
});

test('an administrator turns updates off on this PC, and on again', async () => {
  const { page } = opened;
  await page.getByRole('button', { name: 'Turn updates off on this PC' }).click();
  await updateStatus().filter({ hasText: 'Updates are off' }).waitFor(SLOW);
  await page.getByText('An administrator can turn them on again.').waitFor();
  expect(os).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: false });
  expect(fs.readFileSync(path.join(host.dataDir, '.env'), 'utf8')).toMatch(/^BLOS_DISABLE_UPDATES="1"$/m);
  expect(await page.getByRole('button', { name: 'Check for updates' }).isDisabled()).toBe(true);

  const checksBefore = os.checks;
  await page.getByRole('button', { name: 'Turn updates on' }).click();
  await eventually(() => os.checks === checksBefore + 1, { what: 'a check once updates are on again' });
  await page.getByRole('button', { name: 'Turn updates off on this PC' }).waitFor(SLOW);
});
