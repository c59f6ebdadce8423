import { launchChromium, openPage, type OpenedPage } from '../support/browser';
import { startTestHost } from '../support/browser-host';
import { ADMIN, createFirstAdmin, enter, openScreen, signIn, signOut, SLOW } from './driver';
import type { Browser } from 'playwright-core';
import { eventually } from '../support/eventually';

/** First run, sign-in, sign-out, lockout and account management, through the real UI. */

let browser: Browser;
let host: Awaited<ReturnType<typeof startTestHost>>;
let opened: OpenedPage[] = [];

beforeAll(async () => {
  [browser, host] = await Promise.all([launchChromium(), startTestHost()]);
});

afterEach(async () => {
  for (const { context, problems } of opened.splice(0)) {
    await context.close();
    expect(problems).toEqual([]);
  }
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

async function open() {
  const page = await openPage(browser, host.url);
  opened.push(page);
  return page.page;
}

test('the first run asks for an administrator, then signs them in; logging out returns to sign-in', async () => {
  const page = await open();
  await page.getByRole('heading', { name: 'Set up the first administrator' }).waitFor();

  // Mismatched and too-short passwords are refused inline, next to their fields.
  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Full name').fill(ADMIN.displayName);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Repeat password').fill('short');
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByText('at least 10 characters', { exact: false }).first().waitFor();
  expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');

  expect(await createFirstAdmin(page)).toMatch(/^(\w{5}-){4}\w{5}$/);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor(SLOW);
  await page.getByText(ADMIN.displayName).waitFor();

  await signOut(page);
  await signIn(page, ADMIN.username, ADMIN.password);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor(SLOW);
});

test('a wrong password is refused without saying whether the account exists', async () => {
  const page = await open();
  await signIn(page, ADMIN.username, 'not the password');
  const wrongPassword = await page.getByRole('alert').textContent({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await signIn(page, 'nobody-here', 'not the password');
  await page.getByRole('alert').filter({ hasText: wrongPassword ?? '' }).waitFor(SLOW);
  expect(wrongPassword).toMatch(/wrong username or password/i);
});

test('after too many failures in an hour the account is locked, even with the right password', async () => {
  // 100 failures through the UI would take minutes of back-off: the earlier ones go straight into
  // the core's failure log, the last one and the lockout go through the sign-in screen.
  const { maxFailures } = host.core.accounts.policy;
  const sqlite = host.core.store.sqlite;
  const insert = sqlite.prepare('INSERT INTO login_failures (username, at) VALUES (?, ?)');
  const clear = sqlite.prepare('DELETE FROM login_failures');
  sqlite.transaction(() => {
    clear.run();
    for (let i = 0; i < maxFailures - 1; i++) insert.run(ADMIN.username, Date.now());
  })();

  try {
    const page = await open();
    await signIn(page, ADMIN.username, 'still not the password');
    await page.getByRole('alert').filter({ hasText: /wrong username or password/i }).waitFor(SLOW);
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.getByRole('alert').filter({ hasText: /too many failed sign-in attempts/i }).waitFor(SLOW);
    expect(await page.getByRole('heading', { name: 'Dashboard' }).count()).toBe(0);
  } finally {
    clear.run();
  }
});

test('an admin creates a field worker, who can sign in until disabled; a reset password works and the worker changes it', async () => {
  const admin = await open();
  await enter(admin);
  await openScreen(admin, 'Accounts');
  await admin.getByLabel('Username').fill('fieldy');
  await admin.getByLabel('Full name').fill('Fiona Field');
  await admin.getByLabel('Password', { exact: true }).fill('field worker password');
  await admin.getByRole('button', { name: 'Create account' }).click();
  await admin.getByRole('cell', { name: 'Fiona Field' }).waitFor(SLOW);

  const worker = await open();
  await signIn(worker, 'fieldy', 'field worker password');
  await worker.getByRole('heading', { name: 'Dashboard' }).waitFor(SLOW);
  // Admin screens are not offered to a field worker.
  expect(await worker.getByRole('link', { name: 'Accounts' }).count()).toBe(0);
  await signOut(worker);

  await admin.getByRole('button', { name: 'Disable fieldy' }).click();
  await admin.getByRole('row', { name: /fieldy/ }).getByText('Disabled').waitFor();
  await signIn(worker, 'fieldy', 'field worker password');
  await worker.getByRole('alert').waitFor(SLOW);
  expect(await worker.getByRole('heading', { name: 'Dashboard' }).count()).toBe(0);

  // Reset the password (the form takes the focus: type and press Enter), enable, sign in with it.
  await admin.getByRole('button', { name: 'Reset password of fieldy' }).click();
  await admin.getByRole('heading', { name: 'Reset the password of fieldy' }).waitFor();
  await admin.waitForFunction(() => document.activeElement?.id === 'reset-password');
  await admin.keyboard.insertText('a brand new password');
  await admin.keyboard.press('Enter');
  await admin.getByText('Password of fieldy reset.').waitFor(SLOW);
  await admin.getByRole('button', { name: 'Enable fieldy' }).click();
  await admin.getByRole('row', { name: /fieldy/ }).getByText('Active').waitFor();
  await signIn(worker, 'fieldy', 'a brand new password');
  await worker.getByRole('heading', { name: 'Dashboard' }).waitFor(SLOW);

  // ...and then chooses their own.
  await worker.getByRole('link', { name: /Fiona Field/ }).click();
  await worker.getByRole('heading', { level: 1, name: 'Change my password' }).waitFor();
  await worker.getByLabel('Current password').fill('not it at all');
  await worker.getByLabel('New password', { exact: true }).fill('my own secret words');
  await worker.getByLabel('Repeat new password').fill('my own secret words');
  await worker.getByRole('button', { name: 'Change password' }).click();
  await worker.getByRole('alert').waitFor(SLOW);
  await worker.getByLabel('Current password').fill('a brand new password');
  await worker.getByRole('button', { name: 'Change password' }).click();
  await worker.getByText('Your password has been changed.').waitFor(SLOW);
  await signOut(worker);
  await signIn(worker, 'fieldy', 'my own secret words');
  await worker.getByRole('heading', { name: 'Dashboard' }).waitFor(SLOW);
});

test('the account and password forms name a refused field by its label and put the focus on it', async () => {
  const page = await open();
  await enter(page);
  // The focus moves in an effect after the render that shows the refusal.
  const expectFocusOn = (id: string) => eventually(async () => expect(await page.evaluate(() => document.activeElement?.id ?? '')).toBe(id), SLOW);
  const alert = page.getByRole('alert');
  await openScreen(page, 'Accounts');

  const newAccount = page.getByRole('form', { name: 'New account' });
  await newAccount.getByLabel('Username').fill('nameless');
  await newAccount.getByLabel('Password', { exact: true }).fill('a long enough password');
  await page.keyboard.press('Enter');
  await alert.getByText('Please correct Full name (required).').waitFor(SLOW);
  await expectFocusOn('account-displayName');
  await page.keyboard.insertText('Nadia Nameless');
  await page.keyboard.press('Enter');
  await page.getByRole('cell', { name: 'Nadia Nameless' }).waitFor(SLOW);

  // The reset form has one field: its refusal shows beside it, and the focus comes back to it from the button.
  await page.getByRole('button', { name: 'Reset password of nameless' }).click();
  await page.waitForFunction(() => document.activeElement?.id === 'reset-password');
  await page.keyboard.insertText('short');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByRole('form', { name: 'Reset password' }).getByText('at least 10 characters', { exact: true }).waitFor(SLOW);
  await expectFocusOn('reset-password');
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('link', { name: new RegExp(ADMIN.displayName) }).click();
  await page.getByRole('heading', { level: 1, name: 'Change my password' }).waitFor();
  await page.getByLabel('Current password').fill(ADMIN.password);
  await page.getByLabel('New password', { exact: true }).fill('two different');
  await page.getByLabel('Repeat new password').fill('passwords here');
  await page.getByRole('button', { name: 'Change password' }).click();
  await alert.getByText('Please correct Repeat new password (The two passwords differ).').waitFor(SLOW);
  await expectFocusOn('confirm');

  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByLabel('Repeat new password').fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await alert.getByText('Please correct New password (at least 10 characters).').waitFor(SLOW);
  await expectFocusOn('newPassword');
});

test('an idle session ends by itself and the page returns to sign-in (polling does not keep it alive)', async () => {
  const idleHost = await startTestHost({ accountPolicy: { idleTimeoutMs: 1500 } });
  try {
    const { context, page, problems } = await openPage(browser, idleHost.url);
    await enter(page);
    // The sync bar polls every second; those calls must not count as activity.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, '']);
    await context.close();
    expect(problems).toEqual([]);
  } finally {
    await idleHost.close();
  }
});
