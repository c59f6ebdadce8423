import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage, type OpenedPage } from '../support/browser';
import { startTestHost } from '../support/browser-host';
import { eventually } from '../support/eventually';
import { batchEnter, enter, openScreen, SLOW } from './driver';

/**
 * A field worker's day on one PC: households with their people and a visit typed by keyboard alone,
 * people and visits corrected and deleted from the household page with an undo, the list searched,
 * filtered and sorted, and the rough edges met on the way (dates, Enter on an empty form, plain-word
 * errors, long text). Chromium's locale here is en-US, so dates are typed mm/dd/yyyy.
 */

type Host = Awaited<ReturnType<typeof startTestHost>>;
let browser: Browser;
let host: Host;
let opened: OpenedPage;
let page: Page;

beforeAll(async () => {
  [browser, host] = await Promise.all([launchChromium(), startTestHost()]);
  opened = await openPage(browser, host.url);
  page = opened.page;
  await enter(page);
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

afterEach(() => {
  // Under the real CSP nothing may be refused and nothing may throw.
  expect(opened.problems).toEqual([]);
});

const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
const focusedText = () => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const MAX_NAVIGATION_KEYS = 12;
/** The typing limit of each text control of a form, by id; -1 where it has none. */
const maxLengths = (form: string) =>
  page.evaluate(
    (name) =>
      Object.fromEntries(
        [...document.querySelectorAll<HTMLInputElement>(`form[aria-label="${name}"] :is(input:not([type="hidden"]), textarea)`)].map((control) => [control.id, control.maxLength]),
      ),
    form,
  );

async function openHousehold(name: string) {
  await openScreen(page, 'Households');
  await page.getByLabel(/Search/).fill(name);
  await page.locator(`[data-testid="households-summary"][data-search="${name}"]`).waitFor(SLOW);
  await page.getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

test('a household with 2 people and a visit takes no click and at most 12 navigation keys', async () => {
  await openScreen(page, 'Batch entry');
  const households = [
    { headName: 'Amina Bello', address: '12 Market Road', phone: '0803 123 4567', people: [{ fullName: 'Amina Bello', dateOfBirth: '03/09/1980', gender: 'f' }, { fullName: 'Yusuf Bello', dateOfBirth: '11/30/2015', gender: 'm' }] },
    { headName: 'Grace Okafor', address: '4 Mission Lane', people: [{ fullName: 'Grace Okafor', gender: 'f' }, { fullName: 'Peter Okafor', dateOfBirth: '1/2/2019', gender: 'm' }] },
  ];
  const keys = await batchEnter(page, households, { area: 'North Ward', outcome: 'comp' });
  console.log(`Batch entry, household with 2 people and 1 visit: ${keys.join(', ')} navigation keys, 0 clicks`);
  for (const n of keys) expect(n).toBeLessThanOrEqual(MAX_NAVIGATION_KEYS);
  await page.getByRole('status').getByText('Saved Grace Okafor with 2 people and a visit.').waitFor(SLOW);

  // Typing a household already on the PC offers it, by a name in the same area or by its phone.
  const duplicates = page.getByRole('region', { name: 'Possible duplicates' });
  await page.getByLabel('Head of household').fill('okafor');
  await duplicates.getByRole('link', { name: 'Grace Okafor' }).waitFor(SLOW);
  await duplicates.getByText('similar name in North Ward').waitFor();
  await page.getByLabel('Head of household').fill('');
  await page.getByLabel('Phone').fill('0803-123-4567');
  await duplicates.getByRole('link', { name: 'Amina Bello' }).waitFor(SLOW);
  await duplicates.getByText('same phone number').waitFor();

  await openHousehold('Amina Bello');
  const people = page.locator('section[aria-labelledby="people-title"]');
  await people.getByRole('cell', { name: 'Yusuf Bello', exact: true }).waitFor(SLOW);
  // Typed in the locale's order, kept as the date meant, shown in the same order.
  await people.getByRole('cell', { name: '11/30/2015' }).waitFor();
  await people.getByRole('cell', { name: 'Male', exact: true }).waitFor();
  await page.getByRole('cell', { name: 'Completed', exact: true }).waitFor();
});

test('the New household form offers a household already on the PC, by its phone or a spelling of its head in the same area', async () => {
  await openScreen(page, 'Households');
  await page.getByRole('link', { name: 'New household' }).click();
  await page.getByRole('heading', { level: 1, name: 'New household' }).waitFor();
  const duplicates = page.getByRole('region', { name: 'Possible duplicates' });
  await page.getByLabel('Phone').fill('08031234567');
  await duplicates.getByRole('link', { name: 'Amina Bello' }).waitFor(SLOW);
  await duplicates.getByText('same phone number').waitFor();

  await page.getByLabel('Phone').fill('');
  await page.getByLabel('Area').fill('north ward');
  await page.getByLabel('Head of household').fill('Aminah Belo');
  await duplicates.getByText('similar name in North Ward').waitFor(SLOW);
  await duplicates.getByRole('link', { name: 'Amina Bello' }).click();
  await page.getByRole('heading', { level: 1, name: 'Amina Bello' }).waitFor(SLOW);
});

test('an empty batch form saves nothing; a date that does not exist, a birth after today or a phone that is not one is named by its label, with focus on it', async () => {
  await openScreen(page, 'Batch entry');
  await page.getByLabel('Area').fill('South Ward');
  await page.getByLabel('Head of household').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('alert').getByText(/Please correct Head of household \(type a head of household, an address or a person/).waitFor(SLOW);
  expect(await page.getByTestId('batch-count').textContent()).toBe('0');
  await eventually(async () => expect(await focusedId()).toBe('entry-headName'));

  await page.keyboard.insertText('Test Household');
  await page.keyboard.press('Alt+P');
  await page.keyboard.insertText('Someone');
  await page.keyboard.press('Tab');
  await page.keyboard.insertText('02/30/2015');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').getByText(/Date of birth of person 1 \(no such date; expected mm\/dd\/yyyy\)/).waitFor(SLOW);
  await eventually(async () => expect(await focusedId()).toBe('entry-person-0-dateOfBirth'));

  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('02/28/2105');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').getByText(/Date of birth of person 1 \(after today: check the year\)/).waitFor(SLOW);
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('02/28/2015');
  await page.getByLabel('Phone').fill('not a phone ###');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').getByText(/Please correct Phone \(a phone number/).waitFor(SLOW);
  await eventually(async () => expect(await focusedId()).toBe('entry-phone'));
  expect(await page.getByTestId('batch-count').textContent()).toBe('0');

  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('+234 (803) 555-0101');
  await page.keyboard.press('Enter');
  await eventually(async () => expect(await page.getByTestId('batch-count').textContent()).toBe('1'), SLOW);
  // The complaint of the failed try does not stay beside the success.
  expect(await page.getByRole('alert').count()).toBe(0);
});

test('typing stops at the length a record allows; longer text put in by a script is named by its label, with focus on it', async () => {
  await openScreen(page, 'Batch entry');
  await page.getByLabel('Area').fill('Long Ward');
  await page.getByLabel('Head of household').focus();
  await page.keyboard.press('Alt+P');
  await eventually(async () => expect(await focusedId()).toBe('entry-person-0-fullName'));
  // The record schemas' limits; -1 where there is none (a date of birth is checked as a date).
  expect(await maxLengths('Batch entry')).toEqual({
    'entry-area': 100,
    'entry-headName': 200,
    'entry-address': 300,
    'entry-phone': 40,
    'entry-notes': 4000,
    'entry-person-0-fullName': 200,
    'entry-person-0-dateOfBirth': -1,
  });
  await page.getByLabel('Head of household').fill('H'.repeat(250));
  expect(await page.getByLabel('Head of household').inputValue()).toBe('H'.repeat(200));

  const before = await page.getByTestId('batch-count').textContent();
  await page.evaluate(() => {
    for (const id of ['entry-headName', 'entry-person-0-fullName']) {
      const input = document.getElementById(id) as HTMLInputElement;
      input.value = 'x'.repeat(201);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  });
  await page.keyboard.press('Enter');
  await page
    .getByRole('alert')
    .getByText('Please correct Head of household (at most 200 characters), Name of person 1 (at most 200 characters).')
    .waitFor(SLOW);
  await eventually(async () => expect(await focusedId()).toBe('entry-headName'), SLOW);
  expect(await page.getByTestId('batch-count').textContent()).toBe(before);
});

test('the household, person and visit forms stop typing at the lengths their records allow', async () => {
  await openScreen(page, 'Households');
  await page.getByRole('link', { name: 'New household' }).click();
  await page.getByRole('heading', { level: 1, name: 'New household' }).waitFor();
  expect(await maxLengths('New household')).toEqual({ area: 100, headName: 200, address: 300, phone: 40, geoLat: -1, geoLng: -1, notes: 4000 });
  await page.getByLabel('Head of household').fill('H'.repeat(250));
  expect(await page.getByLabel('Head of household').inputValue()).toBe('H'.repeat(200));

  await openHousehold('Grace Okafor');
  expect(await maxLengths('Add a person')).toEqual({ 'person-fullName': 200, 'person-dateOfBirth': -1, 'person-phone': 40, 'person-idDocument': 100 });
  expect(await maxLengths('Record a visit')).toEqual({ 'visit-visitedDate': -1, 'visit-visitedTime': -1, 'visit-notes': 4000 });
});

test('people and visits are edited and deleted from the household page, and a delete can be undone', async () => {
  await openHousehold('Grace Okafor');
  const peopleSection = page.locator('section[aria-labelledby="people-title"]');

  await page.getByRole('button', { name: 'Edit Peter Okafor' }).click();
  await eventually(async () => expect(await focusedId()).toMatch(/-fullName$/), SLOW);
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('Peter K. Okafor');
  // Enter on the gender list saves the form; it does not open the list.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await eventually(async () => expect(await focusedId()).toMatch(/-gender$/));
  await page.keyboard.press('Enter');
  await peopleSection.getByRole('cell', { name: 'Peter K. Okafor', exact: true }).waitFor(SLOW);

  await page.getByRole('button', { name: 'Delete Peter K. Okafor' }).click();
  await page.getByTestId('undo-notice').getByText('Deleted Peter K. Okafor.').waitFor(SLOW);
  await page.getByRole('heading', { name: 'People (1)' }).waitFor(SLOW);
  // Focus is on Undo: one key takes the delete back.
  await eventually(async () => expect(await focusedText()).toBe('Undo'));
  await page.keyboard.press('Enter');
  await page.getByText('Restored Peter K. Okafor.').waitFor(SLOW);
  await page.getByRole('heading', { name: 'People (2)' }).waitFor(SLOW);
  // The keyboard's place stays on the notice, not lost with the button.
  await eventually(async () => expect(await focusedText()).toBe('Restored Peter K. Okafor.'));

  const visitEdit = page.getByRole('button', { name: /^Edit the visit of/ });
  await visitEdit.click();
  const visitForm = page.getByRole('form', { name: 'Edit the visit' });
  await visitForm.getByLabel('Outcome').selectOption('follow_up');
  await visitForm.getByLabel('Notes').fill('Come back on Monday');
  await page.getByRole('button', { name: 'Save visit' }).click();
  await page.getByRole('cell', { name: 'Follow up', exact: true }).waitFor(SLOW);
  await page.getByRole('button', { name: /^Delete the visit of/ }).click();
  await page.getByRole('heading', { name: 'Visits (0)' }).waitFor(SLOW);
  await page.getByRole('button', { name: 'Undo' }).click();
  await page.getByRole('heading', { name: 'Visits (1)' }).waitFor(SLOW);

  // A household's delete is confirmed, then said on the list, with its undo.
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByRole('heading', { level: 1, name: 'Households' }).waitFor();
  await page.getByTestId('undo-notice').getByText('Deleted Grace Okafor.').waitFor(SLOW);
  await eventually(async () => expect(await focusedText()).toBe('Undo'));
  await page.keyboard.press('Enter');
  await page.getByText('Restored Grace Okafor.').waitFor(SLOW);
  await page.getByRole('link', { name: 'Grace Okafor' }).waitFor(SLOW);
  await openHousehold('Grace Okafor');
  await page.getByRole('heading', { name: 'People (2)' }).waitFor(SLOW);
});

test('the list finds a household by a person in it, filters and sorts; long text wraps instead of widening the page', async () => {
  await openScreen(page, 'Households');
  await page.getByLabel(/Search/).fill('yusu');
  await page.locator('[data-testid="households-summary"][data-search="yusu"]').getByText(/of 1$/).waitFor(SLOW);
  await page.getByRole('link', { name: 'Amina Bello' }).waitFor();
  await page.getByLabel(/Search/).fill('');

  await page.getByText('Filters').click();
  await page.getByLabel('Visit outcome').selectOption('follow_up');
  await page.getByTestId('households-summary').getByText(/of 1$/).waitFor(SLOW);
  await page.getByRole('link', { name: 'Grace Okafor' }).waitFor();
  await page.getByLabel('Visit outcome').selectOption('');

  // The area filter suggests the areas already on the PC, and takes one typed in any capitals.
  const areaFilter = page.getByLabel('Area', { exact: true });
  const suggested = () => areaFilter.evaluate((input: HTMLInputElement) => [...(input.list?.options ?? [])].map((option) => option.value));
  await eventually(async () => expect(await suggested()).toEqual(['North Ward', 'South Ward']), SLOW);
  await areaFilter.fill('south ward');
  await page.getByTestId('households-summary').getByText(/of 1$/).waitFor(SLOW);
  await page.getByRole('link', { name: 'Test Household' }).waitFor();
  await areaFilter.fill('');

  await page.getByRole('button', { name: 'Head of household' }).click();
  await page.locator('th[aria-sort="ascending"]').waitFor(SLOW);
  const heads = () => page.getByTestId('households-table').locator('tbody tr td:first-child').allTextContents();
  await eventually(async () => expect(await heads()).toEqual(['Amina Bello', 'Grace Okafor', 'Test Household']), SLOW);
  await page.getByRole('button', { name: 'Head of household' }).click();
  await eventually(async () => expect(await heads()).toEqual(['Test Household', 'Grace Okafor', 'Amina Bello']), SLOW);

  // The visit turned into a follow-up waits on the reports screen, with the counts by area and worker.
  await openScreen(page, 'Reports');
  await page.getByTestId('report-follow-ups').getByRole('link', { name: 'Grace Okafor' }).waitFor(SLOW);
  await page.getByTestId('report-by-area').getByRole('row', { name: 'North Ward 2 4 2' }).waitFor();
  await page.getByTestId('report-by-worker').getByRole('row', { name: 'admin 3 5 2' }).waitFor();

  // A name and an address without a break, as long as the fields take: shown on the dashboard, the list and the household page.
  const longName = `Long${'o'.repeat(190)}Text`;
  await openScreen(page, 'Batch entry');
  await page.getByLabel('Area').fill('East Ward');
  await page.getByLabel('Head of household').fill(longName);
  await page.getByLabel('Address').fill('x'.repeat(290));
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: longName }).click();
  await page.getByRole('heading', { level: 1, name: longName }).waitFor();
  const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  expect(await pageWidth()).toBe(page.viewportSize()!.width);
  await openScreen(page, 'Households');
  await page.getByRole('link', { name: longName }).waitFor(SLOW);
  expect(await pageWidth()).toBe(page.viewportSize()!.width);
  await openScreen(page, 'Dashboard');
  await page.getByRole('link', { name: longName }).waitFor(SLOW);
  expect(await pageWidth()).toBe(page.viewportSize()!.width);
});

test('a location is typed with a point or a comma; what is no number, or half a location, is refused by its label', async () => {
  await openScreen(page, 'Households');
  await page.getByRole('link', { name: 'New household' }).click();
  await page.getByRole('heading', { level: 1, name: 'New household' }).waitFor();
  await page.getByLabel('Area').fill('West Ward');
  await page.getByLabel('Head of household').fill('Located Household');
  await page.getByLabel('Latitude').fill('-');
  await page.getByLabel('Longitude').fill('8,5');
  await page.getByRole('button', { name: 'Save household' }).click();
  await page.getByText('Please correct Latitude (a number, e.g. 9.0765).').waitFor(SLOW);
  await eventually(async () => expect(await focusedId()).toBe('geoLat'));
  await page.getByLabel('Latitude').fill('');
  await page.getByRole('button', { name: 'Save household' }).click();
  await page.getByText('Please correct Latitude (type it with the longitude, or clear both).').waitFor(SLOW);
  await page.getByLabel('Latitude').fill('12,25');
  await page.getByRole('button', { name: 'Save household' }).click();
  await page.getByRole('heading', { level: 1, name: 'Located Household' }).waitFor(SLOW);
  await page.getByText('12.25, 8.5').waitFor();
});

test('Enter straight after the last keystroke saves what was typed, before the screen has caught up', async () => {
  await openScreen(page, 'Batch entry');
  await page.getByLabel('Area').fill('East Ward');
  const before = Number(await page.getByTestId('batch-count').textContent());
  // A barcode scanner or a fast typist: the value and Enter arrive in one go, before any re-render.
  await page.evaluate(() => {
    const input = document.querySelector<HTMLInputElement>('#entry-headName')!;
    input.value = 'Typed Then Entered';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  });
  await eventually(async () => expect(Number(await page.getByTestId('batch-count').textContent())).toBe(before + 1), SLOW);
  await page.getByRole('list', { name: 'Latest saved' }).getByRole('link', { name: 'Typed Then Entered' }).waitFor(SLOW);
});

test('the household and person forms also save what was typed when the save comes before the screen caught up', async () => {
  // The value and the form's submit (what Enter does) in one go, before any re-render.
  const typeAndSubmit = (fields: Record<string, string>, formName: string) =>
    page.evaluate(
      ([values, name]) => {
        for (const [id, value] of Object.entries(values)) {
          const input = document.getElementById(id) as HTMLInputElement;
          input.value = value;
          input.dispatchEvent(new Event('input', { bubbles: true }));
        }
        document.querySelector<HTMLFormElement>(`form[aria-label="${name}"]`)!.requestSubmit();
      },
      [fields, formName] as const,
    );

  await openScreen(page, 'Households');
  await page.getByRole('link', { name: 'New household' }).click();
  await page.getByRole('heading', { level: 1, name: 'New household' }).waitFor();
  await typeAndSubmit({ area: 'West Ward', headName: 'Scanned Household' }, 'New household');
  await page.getByRole('heading', { level: 1, name: 'Scanned Household' }).waitFor(SLOW);

  await page.getByText('Add a person', { exact: true }).click();
  await typeAndSubmit({ 'person-fullName': 'Scanned Person' }, 'Add a person');
  await page.getByText('Added Scanned Person.').waitFor(SLOW);
  await page.locator('section[aria-labelledby="people-title"]').getByRole('cell', { name: 'Scanned Person', exact: true }).waitFor(SLOW);
});

test('the filtered list exports to CSV with a progress bar, and the browser downloads the file', async () => {
  const area = 'Export Ward';
  for (let start = 0; start < 3000; start += 500) {
    host.core.store.repos.households.batchCreate(Array.from({ length: 500 }, (_, i) => ({ area, headName: `Export Head ${start + i}`, enteredBy: 'admin' })));
  }
  await openScreen(page, 'Households');
  await page.getByText('Filters').click();
  await page.getByLabel('Area', { exact: true }).fill(area);
  await page.getByLabel(/Search/).fill('head 12');
  await page.locator('[data-testid="households-summary"][data-search="head 12"]').getByText(/of 111$/).waitFor(SLOW);
  await page.getByLabel('What to export').selectOption('households');

  const downloaded = page.waitForEvent('download', SLOW);
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByRole('progressbar', { name: /^Export of households-.*\.csv$/ }).waitFor(SLOW);
  const download = await downloaded;
  await page.getByTestId('export-status').getByText(/is ready: 111 rows\.$/).waitFor(SLOW);
  expect(download.suggestedFilename()).toMatch(/^households-\d{4}-\d\d-\d\d\.csv$/);
  const rows = fs.readFileSync((await download.path())!, 'utf8').split('\r\n');
  expect(rows[0]).toMatch(/^\uFEFFHousehold ID,Area,Address,Head of household,/);
  // 12, 120-129, 1200-1299: the list's search and filter, every one of them, and nothing else.
  expect(rows.slice(1, -1).map((row) => row.split(',')[3]).sort()).toEqual(
    [12, ...Array.from({ length: 10 }, (_, i) => 120 + i), ...Array.from({ length: 100 }, (_, i) => 1200 + i)].map((n) => `Export Head ${n}`).sort(),
  );
  expect(rows.at(-1)).toBe('');
});
