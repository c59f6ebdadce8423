import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ConflictEntry } from '../../ipc/contract';
import { call } from '../bridge';
import { ErrorNotice, Loading } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { dateTime, humanize, shortId } from '../format';
import { useLoad } from '../hooks';
import { href } from '../router';

const PAGE_SIZE = 50;
/** Columns every record carries for sync: not what a person entered, so not shown as "overwritten". */
const SYNC_KEYS = new Set(['id', 'createdAt', 'updatedAt', 'machineId', 'deletedAt', 'serverVersion', 'dirty']);

function recordLink(table: string, id: string) {
  return table === 'households' ? html`<a href=${href(`households/${id}`)}>${shortId(id)}</a>` : html`<code>${shortId(id)}</code>`;
}

function Machine({ id, self }: { id: string; self: string | undefined }) {
  return html`<span title=${id}><code>${shortId(id)}</code>${id === self ? ' (this PC)' : ''}</span>`;
}

function LostValues({ lost }: { lost: Record<string, unknown> }) {
  const entries = Object.entries(lost).filter(([key]) => !SYNC_KEYS.has(key));
  if (lost.deletedAt) entries.unshift(['deleted', 'yes']);
  return html`<dl class="lost">
    ${entries.map(([key, value]) => html`<dt>${humanize(key)}</dt><dd>${value === null || value === '' ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>`)}
  </dl>`;
}

/** What last-write-wins overwrote (and by which machine, when), and what the server refused. */
export function ConflictsScreen() {
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const about = useLoad(() => call('app.about'), []);
  const conflicts = useLoad(() => call('sync.conflicts', { limit: PAGE_SIZE, after }), [after]);
  const rejections = useLoad(() => call('sync.rejections'), []);
  const status = useLoad(() => call('sync.status'), []);
  const self = about.data?.machineId;
  const items: ConflictEntry[] = conflicts.data?.items ?? [];

  return html`<${ScreenTitle} title="Sync issues" />
    ${status.data?.clockWarning
      ? html`<div class="notice warn" data-testid="clock-warning-detail"><strong>Clock warning.</strong> ${status.data.clockWarning}</div>`
      : null}
    ${status.data?.lastError ? html`<div class="notice error">Last sync error: ${status.data.lastError}</div>` : null}
    <section aria-labelledby="rejected-title">
      <h2 id="rejected-title">Rejected by the server (${rejections.data?.length ?? '…'})</h2>
      <p class="muted">These records stay on this PC and are sent again once they are corrected.</p>
      <${ErrorNotice} message=${rejections.error} />
      ${rejections.data && rejections.data.length === 0 ? html`<p>No rejected records.</p>` : null}
      ${rejections.data?.length
        ? html`<table class="data" data-testid="rejections-table">
            <thead><tr><th scope="col">When</th><th scope="col">Table</th><th scope="col">Record</th><th scope="col">Reason</th></tr></thead>
            <tbody>
              ${rejections.data.map(
                (r) => html`<tr key=${`${r.table}:${r.id}`}>
                  <td>${dateTime(r.at)}</td><td>${humanize(r.table)}</td><td>${recordLink(r.table, r.id)}</td>
                  <td>${humanize(r.reason)}: ${r.message}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : null}
    </section>
    <section aria-labelledby="conflicts-title">
      <h2 id="conflicts-title">Overwritten changes (${conflicts.data?.total?.toLocaleString() ?? '…'})</h2>
      <p class="muted">When two PCs changed the same record, the later change wins everywhere. The losing version is kept here.</p>
      <${ErrorNotice} message=${conflicts.error} />
      ${!conflicts.data && !conflicts.error ? html`<${Loading} />` : null}
      ${conflicts.data && items.length === 0 ? html`<p>No conflicts so far.</p>` : null}
      ${items.length
        ? html`<table class="data conflicts" data-testid="conflicts-table">
            <thead>
              <tr><th scope="col">Resolved</th><th scope="col">Record</th><th scope="col">Overwritten version</th><th scope="col">Lost change</th><th scope="col">Winning change</th></tr>
            </thead>
            <tbody>
              ${items.map(
                (c) => html`<tr key=${c.id}>
                  <td>${dateTime(c.resolvedAt)}</td>
                  <td>${humanize(c.table)} ${recordLink(c.table, c.rowId)}</td>
                  <td><${LostValues} lost=${c.lost} /></td>
                  <td>by <${Machine} id=${c.lostMachineId} self=${self} /><br />${dateTime(c.lostUpdatedAt)}</td>
                  <td>by <${Machine} id=${c.wonMachineId} self=${self} /><br />${dateTime(c.wonUpdatedAt)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : null}
      ${cursors.length > 1 || conflicts.data?.nextAfter
        ? html`<nav class="pager" aria-label="Conflict pages">
            <button type="button" class="button secondary" disabled=${cursors.length === 1} onClick=${() => setCursors((c) => c.slice(0, -1))}>Newer</button>
            <button type="button" class="button secondary" disabled=${!conflicts.data?.nextAfter}
              onClick=${() => conflicts.data?.nextAfter && setCursors((c) => [...c, conflicts.data!.nextAfter])}>Older</button>
          </nav>`
        : null}
    </section>`;
}
