import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { ConflictEntry } from '../../ipc/contract';
import { call, errorMessage } from '../bridge';
import { ErrorNotice, Loading, SuccessNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { dateTime, shortId } from '../format';
import { fieldLabel, humanize } from '../../shared/field-labels';
import { useLoad } from '../hooks';
import { href } from '../router';

const PAGE_SIZE = 50;

/** To the second: two edits ten seconds apart must not read as the same moment. */
function exactTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

function recordLink(table: string, id: string, label: string) {
  return table === 'households' ? html`<a href=${href(`households/${id}`)}>${label}</a>` : html`<span>${label}</span>`;
}

function shown(entry: ConflictEntry, value: unknown): string {
  if (entry.field === 'deletedAt') return value == null ? 'kept (your edit)' : `deleted ${exactTime(Number(value))}`;
  if (value === null || value === undefined || value === '') return '(empty)';
  if (entry.field === 'visitedAt' && typeof value === 'number') return exactTime(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function who(by: string, here: boolean): string {
  const account = by || 'someone';
  return here ? `${account}, on this PC` : `${account}, on another PC`;
}

function ConflictRow({ entry, onDone }: { entry: ConflictEntry; onDone: (message: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = entry.field === 'deletedAt' ? 'Record deleted' : fieldLabel(entry.table, entry.field);
  const act = (work: () => Promise<unknown>, message: string) => async () => {
    setBusy(true);
    try {
      await work();
      onDone(message);
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };
  return html`<tr data-testid="conflict-row">
    <td>${humanize(entry.table).replace(/s$/, '')} ${recordLink(entry.table, entry.recordId, entry.recordLabel)}</td>
    <th scope="row">${field}</th>
    <td class="conflict-value"><strong>${shown(entry, entry.lostValue)}</strong><br /><span class="muted">${who(entry.lostBy, entry.lostHere)}<br />${exactTime(entry.lostAt)}</span></td>
    <td class="conflict-value"><strong>${shown(entry, entry.wonValue)}</strong><br /><span class="muted">${who(entry.wonBy, entry.wonHere)}<br />${exactTime(entry.wonAt)}</span></td>
    <td>
      <button type="button" class="button small" disabled=${busy}
        onClick=${act(() => call('sync.keepMine', { id: entry.id }), `Your ${field.toLowerCase()} was written back to ${entry.recordLabel}; it syncs like any change.`)}>
        ${entry.field === 'deletedAt' ? 'Restore the record' : 'Keep mine'}
      </button>
      <button type="button" class="button small secondary" disabled=${busy}
        onClick=${act(() => call('sync.dismissConflict', { id: entry.id }), 'Conflict dismissed.')}>Dismiss</button>
      <${ErrorNotice} message=${error} />
    </td>
  </tr>`;
}

/** Values of yours a concurrent edit on another PC overwrote, and what the server refused. */
export function ConflictsScreen() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [notice, setNotice] = useState<string | null>(null);
  const after = cursors[cursors.length - 1] ?? null;
  const conflicts = useLoad(() => call('sync.conflicts', { limit: PAGE_SIZE, after }), [after]);
  const rejections = useLoad(() => call('sync.rejections'), []);
  const status = useLoad(() => call('sync.status'), []);
  const items: ConflictEntry[] = conflicts.data?.items ?? [];
  const done = (message: string) => {
    setNotice(message);
    conflicts.reload();
  };

  return html`<${ScreenTitle} title="Sync issues" />
    ${status.data?.clockWarning
      ? html`<div class="notice warn" data-testid="clock-warning-detail"><strong>Clock warning.</strong> ${status.data.clockWarning}</div>`
      : null}
    ${status.data?.lastError ? html`<div class="notice error">Last sync error: ${status.data.lastError}</div>` : null}
    <section aria-labelledby="conflicts-title">
      <h2 id="conflicts-title">Your changes that were overwritten (${conflicts.data?.total?.toLocaleString() ?? '…'})</h2>
      <p class="muted">
        When you and someone on another PC changed the same field of a record before syncing, the later change is kept on
        every PC. Yours is shown here: keep it (it is saved again and syncs to everyone) or dismiss it.
      </p>
      <${SuccessNotice} message=${notice} />
      <${ErrorNotice} message=${conflicts.error} />
      ${!conflicts.data && !conflicts.error ? html`<${Loading} />` : null}
      ${conflicts.data && items.length === 0 ? html`<p>None of your changes were overwritten.</p>` : null}
      ${items.length
        ? html`<table class="data conflicts" data-testid="conflicts-table">
            <thead>
              <tr><th scope="col">Record</th><th scope="col">Field</th><th scope="col">Your value (overwritten)</th><th scope="col">Value kept</th><th scope="col">Action</th></tr>
            </thead>
            <tbody>${items.map((entry) => html`<${ConflictRow} key=${entry.id} entry=${entry} onDone=${done} />`)}</tbody>
          </table>`
        : null}
      ${cursors.length > 1 || conflicts.data?.nextAfter
        ? html`<nav class="pager" aria-label="Conflict pages">
            <button type="button" class="button secondary" disabled=${cursors.length === 1} onClick=${() => setCursors((c) => c.slice(0, -1))}>Newer</button>
            <button type="button" class="button secondary" disabled=${!conflicts.data?.nextAfter}
              onClick=${() => conflicts.data?.nextAfter && setCursors((c) => [...c, conflicts.data!.nextAfter])}>Older</button>
          </nav>`
        : null}
    </section>
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
                  <td>${dateTime(r.at)}</td><td>${humanize(r.table)}</td><td>${recordLink(r.table, r.id, shortId(r.id))}</td>
                  <td>${humanize(r.reason)}: ${r.message}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : null}
    </section>`;
}
