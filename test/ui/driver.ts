import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';
import { eventually } from '../support/eventually';

/**
 * How a person drives the app, step by step, for the UI tests: only what a user can see and do
 * (labels, buttons, keys), never the app's internals.
 */

export const ADMIN = { username: 'admin', displayName: 'Ada Admin', password: 'correct horse battery' } as const;

/** Generous for a debounced list or a sync round, still far below Jest's timeout. */
export const SLOW = { timeout: 20_000 } as const;

export async function createFirstAdmin(page: Page, admin: { username: string; displayName: string; password: string } = ADMIN) {
  await page.getByRole('heading', { name: 'Set up the first administrator' }).waitFor();
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Full name').fill(admin.displayName);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Repeat password').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  // The database's recovery code is shown once, before anything else.
  await page.getByRole('heading', { name: 'Write down the recovery code' }).waitFor();
  const code = (await page.getByLabel('Recovery code').textContent())!;
  await page.getByRole('button', { name: 'I have written it down' }).click();
  return code;
}

export async function signIn(page: Page, username: string, password: string) {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in, creating the first admin when the PC has none yet; ends on the dashboard. */
export async function enter(page: Page, admin: { username: string; displayName: string; password: string } = ADMIN) {
  const setup = page.getByRole('heading', { name: 'Set up the first administrator' });
  const signInHeading = page.getByRole('heading', { name: 'Sign in' });
  await setup.or(signInHeading).waitFor();
  if (await setup.isVisible()) await createFirstAdmin(page, admin);
  else await signIn(page, admin.username, admin.password);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor(SLOW);
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

export async function openScreen(page: Page, navLabel: string, heading: string | RegExp = navLabel) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: navLabel, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

export const syncBar = (page: Page) => page.getByRole('region', { name: 'Sync status' });

/** Presses "Sync now" and waits until that exchange has finished (successfully or not). */
export async function syncNow(page: Page) {
  const bar = syncBar(page);
  const before = Number(await bar.getAttribute('data-syncs-finished'));
  await bar.getByRole('button', { name: 'Sync now' }).click(SLOW);
  await page.locator(`[data-testid="sync-bar"][data-syncs-finished="${before + 1}"]`).waitFor(SLOW);
}

export async function expectSyncState(page: Page, state: 'Online' | 'Offline' | 'Syncing' | 'Sync not set up') {
  await eventually(async () => expect((await syncBar(page).locator('.sync-state').textContent())?.trim()).toBe(state), SLOW);
}

export async function pendingText(page: Page): Promise<string> {
  return (await syncBar(page).getByTestId('sync-pending').textContent()) ?? '';
}

export interface Entry {
  headName: string;
  address: string;
  phone?: string;
  /** Added with Alt+P; the date typed as the PC's locale writes it, the gender by its first letters. */
  people?: { fullName: string; dateOfBirth?: string; gender?: string }[];
}

/**
 * Batch entry with the keyboard only. The first record sets area (and optionally the outcome, picked
 * by typing its first letters in the select); every record then types head, address, phone, adds
 * its people (Alt+P, name, Tab, date of birth, Tab, gender) and presses Enter, and the next record
 * starts in the head-of-household field. Text goes in as typed input (`insertText`, one input event
 * per value rather than one per character, to keep the suite quick); moving between fields and
 * saving are real key presses. Returns the navigation keys pressed for each entry (typed values aside).
 */
export async function batchEnter(page: Page, entries: Entry[], { area, outcome }: { area: string; outcome?: string }): Promise<number[]> {
  const count = page.getByTestId('batch-count');
  const start = Number((await count.textContent())?.replace(/\D/g, '') || '0');
  const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
  let keys = 0;
  const press = (key: string) => {
    keys++;
    return page.keyboard.press(key);
  };
  await eventually(async () => expect(await focused()).toBe('entry-area'));
  await page.keyboard.press('Control+A');
  await page.keyboard.type(area);
  await page.keyboard.press('Tab');
  if (outcome) await page.keyboard.type(outcome);
  await page.keyboard.press('Tab');
  const perEntry: number[] = [];
  for (const [i, entry] of entries.entries()) {
    keys = 0;
    expect(await focused()).toBe('entry-headName');
    await page.keyboard.insertText(entry.headName);
    await press('Tab');
    await page.keyboard.insertText(entry.address);
    await press('Tab');
    if (entry.phone) await page.keyboard.insertText(entry.phone);
    for (const [n, person] of (entry.people ?? []).entries()) {
      await press('Alt+P');
      await eventually(async () => expect(await focused()).toBe(`entry-person-${n}-fullName`));
      await page.keyboard.insertText(person.fullName);
      await press('Tab');
      if (person.dateOfBirth) await page.keyboard.insertText(person.dateOfBirth);
      await press('Tab');
      expect(await focused()).toBe(`entry-person-${n}-gender`);
      if (person.gender) await page.keyboard.type(person.gender);
    }
    await press('Enter');
    await eventually(async () => expect((await count.textContent())?.replace(/\D/g, '')).toBe(String(start + i + 1)));
    await eventually(async () => expect(await focused()).toBe('entry-headName'));
    perEntry.push(keys);
  }
  return perEntry;
}

