import { html } from 'htm/preact';
import { call } from '../bridge';
import { ErrorNotice, Loading } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { ago, dateTime, timeOfDay } from '../format';
import { useLoad, useReloadOnSync } from '../hooks';
import { householdTitle, type Household } from '../records';
import { href } from '../router';

/** Newest first: ids are time-ordered UUIDs, so the list's first page holds the latest entries. */
const LATEST = 8;

const TABLES = [
  { key: 'households', label: 'Households' },
  { key: 'people', label: 'People' },
  { key: 'visits', label: 'Visits' },
] as const;

export function DashboardScreen() {
  const summary = useLoad(() => call('dashboard.summary'), []);
  const latest = useLoad(() => call('records.list', { table: 'households', limit: LATEST }), []);
  useReloadOnSync(summary.reload);
  useReloadOnSync(latest.reload);
  const startOfDay = new Date().setHours(0, 0, 0, 0);
  const today = ((latest.data?.items ?? []) as Household[]).filter((row) => row.createdAt >= startOfDay);
  const data = summary.data;
  return html`<${ScreenTitle} title="Dashboard">
      <a class="button primary" href=${href('batch')}>Start batch entry</a>
      <a class="button secondary" href=${href('households/new')}>New household</a>
    <//>
    <${ErrorNotice} message=${summary.error} />
    ${!data
      ? html`<${Loading} />`
      : html`
          <section aria-labelledby="counts-title">
            <h2 id="counts-title">Records on this PC</h2>
            <ul class="stat-grid">
              ${TABLES.map(
                (t) => html`<li class="stat">
                  <span class="stat-label">${t.label}</span>
                  <span class="stat-value" data-testid=${`count-${t.key}`}>${data.counts[t.key].toLocaleString()}</span>
                  <span class="stat-sub">${data.today[t.key].toLocaleString()} entered today</span>
                </li>`,
              )}
            </ul>
          </section>
          <div class="columns">
          <section aria-labelledby="latest-title" class="panel">
            <h2 id="latest-title">Latest households entered today</h2>
            ${today.length === 0
              ? html`<p class="muted">Nothing entered today yet.</p>`
              : html`<ul class="latest">
                  ${today.map(
                    (row) => html`<li key=${row.id}>
                      <a href=${href(`households/${row.id}`)}>${householdTitle(row)}</a>
                      <span class="muted"> ${row.area} · ${timeOfDay(row.createdAt)}</span>
                    </li>`,
                  )}
                </ul>`}
          </section>
          <section aria-labelledby="sync-title" class="panel">
            <h2 id="sync-title">Sync</h2>
            <dl class="facts">
              <dt>Server</dt>
              <dd>${data.sync.serverUrl ?? 'not set up'}</dd>
              <dt>Waiting to send</dt>
              <dd>${data.sync.pendingTotal.toLocaleString()}</dd>
              <dt>Last successful sync</dt>
              <dd>${data.sync.lastSuccessAt ? `${dateTime(data.sync.lastSuccessAt)} (${ago(data.sync.lastSuccessAt)})` : 'never'}</dd>
              <dt>Conflicts to review</dt>
              <dd data-testid="dashboard-conflicts">${data.sync.conflicts ? html`<a href=${href('conflicts')}>${data.sync.conflicts}</a>` : 'none'}</dd>
              <dt>Rejected records</dt>
              <dd>${data.sync.rejected.length ? html`<a href=${href('conflicts')}>${data.sync.rejected.length}</a>` : 'none'}</dd>
            </dl>
          </section>
          </div>
        `}`;
}
