import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openLocalStore, type LocalStore } from '../src/db/local-store';
import type { ListQuery } from '../src/db/repository';
import { median, percentile, type BenchFigure } from './figures';
import { seedHouseholds } from './household-fixtures';

/**
 * The households list at field scale (default 100,000 households with 3 people each, and a visit
 * for every other household): the first page, searches as a person types them, filters and sorted
 * pages, each through the repository as `records.list` runs them. Target: under 50 ms each.
 * BENCH_SEARCH_HOUSEHOLDS sets the size.
 */

const HOUSEHOLDS = Number(process.env.BENCH_SEARCH_HOUSEHOLDS ?? 100_000);
const RUNS = 15;
function time(store: LocalStore, query: ListQuery): number[] {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    store.repos.households.list({ limit: 50, ...query });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

const DAY_MS = 86_400_000;
/** The seed's visits start here, one a minute. */
const FIRST_VISIT = 1_700_000_000_000;

/**
 * Every combination of the list's filters, alone, together and under a search. In the seed no follow-up
 * is in Market, so those combinations match nothing and read every candidate: the worst case.
 */
function filterCases(): [string, ListQuery][] {
  const week = { from: FIRST_VISIT + DAY_MS, to: FIRST_VISIT + 8 * DAY_MS };
  const areas = { none: undefined, 'area (no follow-up there)': 'Market', area: 'North' };
  const cases: [string, ListQuery][] = [];
  for (const [areaName, area] of Object.entries(areas)) {
    for (const enteredBy of [undefined, 'amina']) {
      for (const outcome of [undefined, 'follow_up' as const]) {
        for (const dates of [undefined, week]) {
          if (areaName === 'area (no follow-up there)' && !outcome) continue;
          const parts = [area && areaName, enteredBy && 'entered by', outcome && 'outcome', dates && 'date range'].filter(Boolean);
          if (parts.length === 0) continue;
          const filters = area || enteredBy ? { ...(area && { area }), ...(enteredBy && { enteredBy }) } : undefined;
          const visited = outcome || dates ? { ...(outcome && { outcome }), ...dates } : undefined;
          cases.push([`filter ${parts.join(' + ')}`, { filters, visited }]);
        }
      }
    }
  }
  // The area as a person may type it: its stored spelling is looked up first, then filtered by exactly.
  cases.push(['filter area typed in other capitals "north"', { filters: { area: 'north' } }]);
  cases.push(['filter area typed "NORTH" + entered by', { filters: { area: 'NORTH', enteredBy: 'amina' } }]);
  cases.push(['search "ami" + area + outcome', { search: 'ami', filters: { area: 'North' }, visited: { outcome: 'follow_up' } }]);
  cases.push(['search "amina" + area + entered by + outcome', { search: 'amina', filters: { area: 'North', enteredBy: 'amina' }, visited: { outcome: 'follow_up' } }]);
  cases.push(['search "a" + area (no follow-up there) + outcome', { search: 'a', filters: { area: 'Market' }, visited: { outcome: 'follow_up' } }]);
  cases.push(['search "amin" + area (no follow-up there) + outcome', { search: 'amin', filters: { area: 'Market' }, visited: { outcome: 'follow_up' } }]);
  cases.push(['search "a" + area + entered by + a day (60 households)', { search: 'a', filters: { area: 'North', enteredBy: 'amina' }, visited: { from: week.from, to: week.from + DAY_MS } }]);
  // The week's visits are those of the oldest tenth of the households, which a search reaches last.
  cases.push(['search "a" + date range', { search: 'a', visited: week }]);
  return cases;
}

export default async function householdSearchBench(): Promise<BenchFigure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blos-bench-search-'));
  const bench = 'household-search';
  const store = openLocalStore({ file: path.join(dir, 'app.db') });
  try {
    const seedMs = seedHouseholds(store, HOUSEHOLDS);
    const figures: BenchFigure[] = [
      { bench, metric: `seed ${HOUSEHOLDS} households, ${HOUSEHOLDS * 3} people (indexed)`, value: seedMs / 1000, unit: 's' },
    ];
    const second = store.repos.households.list({ limit: 50 }).nextAfter;
    const cases: [string, ListQuery][] = [
      ['first page', {}],
      ['second page', { after: second }],
      ['search "a" (first keystroke)', { search: 'a' }],
      ['search "ami"', { search: 'ami' }],
      ['search "amina bello"', { search: 'amina bello' }],
      ['search a person "halima okafor"', { search: 'halima okafor' }],
      ['search a phone "08030012345"', { search: '08030012345' }],
      ['search no match "zzzz"', { search: 'zzzz' }],
      ...filterCases(),
      ['sorted by head of household', { sort: { by: 'headName' } }],
      ['sorted by area, descending', { sort: { by: 'area', descending: true } }],
      ['search "ami" sorted by head', { search: 'ami', sort: { by: 'headName' } }],
    ];
    for (const [name, query] of cases) {
      const times = time(store, query);
      figures.push({ bench, metric: `${name}: median`, value: median(times), unit: 'ms' });
      figures.push({ bench, metric: `${name}: p90`, value: percentile(times, 90), unit: 'ms', target: '< 50' });
    }
    return figures;
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
