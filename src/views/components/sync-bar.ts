import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import type { SyncStatus, SyncView } from '../../ipc/contract';
import { call, errorMessage } from '../bridge';
import { ago, count, timeOfDay } from '../format';
import { SYNCED_EVENT, useNow, usePoll } from '../hooks';
import { href } from '../router';

const STATE_LABELS: Record<SyncStatus['state'], string> = {
  online: 'Online',
  offline: 'Offline',
  refused: 'Refused by the server',
  syncing: 'Syncing',
  disabled: 'Sync not set up',
};

/** Polled once a second so the bar is never more than a second behind the engine. */
const POLL_MS = 1000;

/** The sync bar shown on every screen: state, queue, last success, errors, and "Sync now". */
export function SyncBar({ isAdmin }: { isAdmin: boolean }) {
  const [status, setStatus] = useState<SyncView | null>(null);
  const [pollError, setPollError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** How many "Sync now" exchanges have finished: lets a test (or a screen reader user) tell one ended. */
  const [finished, setFinished] = useState(0);
  const now = useNow(5000);
  const lastExchange = useRef<string | null>(null);
  const show = (next: SyncView) => {
    setStatus(next);
    // A finished push or pull may have changed what the screen shows (a pulled record, "not yet synced").
    const exchange = `${next.lastPushAt}/${next.lastPullAt}`;
    if (lastExchange.current !== null && exchange !== lastExchange.current) window.dispatchEvent(new CustomEvent(SYNCED_EVENT));
    lastExchange.current = exchange;
  };

  usePoll(async () => {
    try {
      show(await call('sync.status'));
      setPollError(null);
    } catch (error) {
      setPollError(errorMessage(error));
    }
  }, POLL_MS);

  const syncNow = async () => {
    setBusy(true);
    try {
      show(await call('sync.now'));
      setPollError(null);
    } catch (error) {
      setPollError(errorMessage(error));
    } finally {
      setBusy(false);
      setFinished((n) => n + 1);
    }
  };

  const state = status?.state ?? 'offline';
  const rejected = status?.rejected.length ?? 0;
  return html`<section class=${`sync-bar state-${status ? state : 'unknown'}`} aria-label="Sync status" data-testid="sync-bar"
    data-syncs-finished=${finished}>
    <span class="sync-state" data-state=${status ? state : 'unknown'}>
      <span class="dot" aria-hidden="true"></span>
      <span role="status">${status ? STATE_LABELS[state] : 'Sync status…'}</span>
    </span>
    ${status
      ? html`
          <span class="sync-item" data-testid="sync-pending">${count(status.pendingTotal, 'change')} waiting</span>
          <span class="sync-item" title=${status.lastSuccessAt ? new Date(status.lastSuccessAt).toString() : ''}>
            Last sync: ${status.lastSuccessAt ? html`${timeOfDay(status.lastSuccessAt)} (${ago(status.lastSuccessAt, now)})` : 'never'}
          </span>
          ${status.conflicts
            ? html`<a class="sync-item sync-warn" href=${href('conflicts')} data-testid="sync-conflicts">${count(status.conflicts, 'conflict')} to review</a>`
            : null}
          ${rejected
            ? html`<a class="sync-item sync-warn" href=${href('conflicts')}>${count(rejected, 'record')} rejected</a>`
            : null}
          ${status.clockWarning
            ? html`<a class="sync-item sync-warn" href=${href('conflicts')} title=${status.clockWarning} data-testid="clock-warning">Clock warning</a>`
            : null}
          ${status.lastError ? html`<span class="sync-item sync-error" title=${status.lastError}>${status.lastError}</span>` : null}
          ${state === 'disabled' && isAdmin ? html`<a class="sync-item" href=${href('settings')}>Set up sync</a>` : null}
        `
      : null}
    ${pollError ? html`<span class="sync-item sync-error">${pollError}</span>` : null}
    <button type="button" class="button small secondary sync-now" onClick=${syncNow} disabled=${busy || state === 'disabled'}>
      ${busy ? 'Syncing…' : 'Sync now'}
    </button>
  </section>`;
}
