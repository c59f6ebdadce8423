import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Reports } from '../../ipc/contract';
import { call } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice, Loading } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { dateTime, localDate, localeDateOrder, parseLocalDateTime } from '../format';
import { useDebounced, useLoad, useReloadOnSync } from '../hooks';
import { householdTitle } from '../records';
import { href } from '../router';

const DAY_MS = 86_400_000;
const RANGE_DEBOUNCE_MS = 300;

/** Counts by area, day and worker for a supervisor, and the follow-up visits still waiting. */
export function ReportsScreen() {
  const [range, setRange] = useState({ from: '', to: '' });
  const settled = useDebounced(range, RANGE_DEBOUNCE_MS);
  const errors: Record<string, string> = {};
  const day = (key: 'from' | 'to') => {
    if (!settled[key].trim()) return undefined;
    const parsed = parseLocalDateTime(settled[key], '');
    if (!parsed.ok) errors[key] = parsed.error;
    return parsed.ok ? parsed.value + (key === 'to' ? DAY_MS - 1 : 0) : undefined;
  };
  const input = { from: day('from'), to: day('to') };
  const reports = useLoad(() => call('reports.summary', input), [input.from, input.to]);
  useReloadOnSync(reports.reload);
  const pattern = localeDateOrder().pattern;

  return html`<${ScreenTitle} title="Reports" />
    <div class="filter-grid narrow" role="group" aria-label="Date range">
      <${Field} id="report-from" label="From" hint=${pattern} value=${range.from} onValue=${(from: string) => setRange((r) => ({ ...r, from }))}
        error=${errors.from} autoFocus />
      <${Field} id="report-to" label="To" hint=${pattern} value=${range.to} onValue=${(to: string) => setRange((r) => ({ ...r, to }))} error=${errors.to} />
    </div>
    <p class="muted">Counts by area cover every record on this PC; the date range applies to the other tables (households and people by the day they were entered, visits by the day of the visit).</p>
    <${ErrorNotice} message=${reports.error} />
    ${reports.data ? html`<${ReportTables} reports=${reports.data} />` : reports.error ? null : html`<${Loading} />`}`;
}

function ReportTables({ reports }: { reports: Reports }) {
  const n = (value: number) => value.toLocaleString();
  return html`<div class="columns">
      <section aria-labelledby="by-area-title">
        <h2 id="by-area-title">By area</h2>
        <table class="data" data-testid="report-by-area">
          <thead><tr><th scope="col">Area</th><th scope="col">Households</th><th scope="col">People</th><th scope="col">Visits</th></tr></thead>
          <tbody>${reports.byArea.map((r) => html`<tr key=${r.area}><td class="breakable">${r.area}</td><td>${n(r.households)}</td><td>${n(r.people)}</td><td>${n(r.visits)}</td></tr>`)}</tbody>
        </table>
      </section>
      <section aria-labelledby="by-worker-title">
        <h2 id="by-worker-title">By worker</h2>
        <table class="data" data-testid="report-by-worker">
          <thead><tr><th scope="col">Entered by</th><th scope="col">Households</th><th scope="col">People</th><th scope="col">Visits</th></tr></thead>
          <tbody>${reports.byWorker.map((r) => html`<tr key=${r.worker}><td>${r.worker || '(unknown)'}</td><td>${n(r.households)}</td><td>${n(r.people)}</td><td>${n(r.visits)}</td></tr>`)}</tbody>
        </table>
      </section>
    </div>
    <section aria-labelledby="by-day-title">
      <h2 id="by-day-title">By day</h2>
      <table class="data" data-testid="report-by-day">
        <thead><tr><th scope="col">Day</th><th scope="col">Households entered</th><th scope="col">Visits</th></tr></thead>
        <tbody>${reports.byDay.map((r) => html`<tr key=${r.day}><td>${localDate(r.day)}</td><td>${n(r.households)}</td><td>${n(r.visits)}</td></tr>`)}</tbody>
      </table>
    </section>
    <section aria-labelledby="follow-ups-title">
      <h2 id="follow-ups-title">Follow-ups waiting (${reports.followUpsTruncated ? `more than ${n(reports.followUps.length)}` : n(reports.followUps.length)})</h2>
      <p class="muted">Visits with the outcome "follow up" and no later visit to the household, the longest waiting first.</p>
      <table class="data" data-testid="report-follow-ups">
        <thead><tr><th scope="col">Household</th><th scope="col">Area</th><th scope="col">Phone</th><th scope="col">Visited</th><th scope="col">By</th><th scope="col">Notes</th></tr></thead>
        <tbody>
          ${reports.followUps.map(
            (f) => html`<tr key=${f.visitId}>
              <td class="breakable"><a href=${href(`households/${f.householdId}`)}>${householdTitle(f)}</a></td>
              <td class="breakable">${f.area}</td><td class="breakable">${f.phone}</td><td>${dateTime(f.visitedAt)}</td><td>${f.enteredBy}</td>
              <td class="breakable pre">${f.notes}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
}
