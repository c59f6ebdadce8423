import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ContractInput, ExportStatus } from '../../ipc/contract';
import { EXPORT_KINDS, type ExportKind } from '../../shared/vocabulary';
import { call, errorMessage } from '../bridge';
import { Field } from './field';
import { ErrorNotice } from './notice';

/** How often a running export's progress is asked for. */
const POLL_MS = 250;

export type ExportQuery = ContractInput<'exports.start'>['query'];

const running = (status: ExportStatus | null) => status?.state === 'counting' || status?.state === 'writing';

function progressText(status: ExportStatus): string {
  const file = status.fileName;
  switch (status.state) {
    case 'counting':
      return `Preparing ${file}…`;
    case 'writing':
      return `Writing ${file}: ${status.householdsDone.toLocaleString()} of ${status.households.toLocaleString()} households, ${status.rows.toLocaleString()} rows.`;
    case 'done':
      return status.savedTo
        ? `Saved ${status.rows.toLocaleString()} rows to ${status.savedTo}.`
        : `${file} is ready: ${status.rows.toLocaleString()} rows.`;
    default:
      return status.message ?? '';
  }
}

/**
 * "Export to CSV" for the list as it is filtered: households, or their people or visits. The core
 * asks where to save (or, in a browser, offers a download when done); the bar follows the households
 * read, and Cancel leaves nothing saved.
 */
export function ExportPanel({ query }: { query: ExportQuery }) {
  const [kind, setKind] = useState<ExportKind>('households');
  const [status, setStatus] = useState<ExportStatus | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const download = useRef<HTMLAnchorElement>(null);

  useEffect(() => {
    if (!status || !running(status)) return;
    const timer = setTimeout(() => {
      call('exports.status', { id: status.id }).then(setStatus, (error) => setFailure(errorMessage(error)));
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [status]);

  // In a browser the finished file is offered as a download at once.
  useEffect(() => {
    if (status?.state === 'done' && status.download) download.current?.click();
  }, [status?.state]);

  const start = async () => {
    setFailure(null);
    setAsking(true);
    try {
      setStatus(await call('exports.start', { kind, query }));
    } catch (error) {
      setFailure(errorMessage(error));
    } finally {
      setAsking(false);
    }
  };
  const cancel = async () => {
    if (!status) return;
    try {
      setStatus(await call('exports.cancel', { id: status.id }));
    } catch (error) {
      setFailure(errorMessage(error));
    }
  };

  const busy = asking || running(status);
  return html`<section class="export-panel" aria-labelledby="export-title">
    <h2 id="export-title">Export to CSV</h2>
    <p class="muted">What the list shows, as searched and filtered, ready for Excel.</p>
    <div class="export-controls">
      <${Field} id="export-kind" label="What to export" type="select" options=${EXPORT_KINDS} value=${kind}
        onValue=${(value: string) => setKind(value as ExportKind)} />
      <button type="button" class="button secondary" disabled=${busy} onClick=${start}>${asking ? 'Choosing where to save…' : 'Export…'}</button>
      ${running(status) ? html`<button type="button" class="button secondary" onClick=${cancel}>Cancel export</button>` : null}
    </div>
    <${ErrorNotice} message=${failure ?? (status?.state === 'failed' ? status.message : null)} />
    <div role="status" data-testid="export-status">
      ${status && status.state !== 'failed'
        ? html`<p>${progressText(status)}</p>
            ${running(status)
              ? html`<progress max=${Math.max(status.households, 1)} value=${status.householdsDone} aria-label=${`Export of ${status.fileName}`}></progress>`
              : null}
            ${status.state === 'done' && status.download
              ? html`<a ref=${download} href=${status.download} download=${status.fileName}>Download ${status.fileName}</a>`
              : null}`
        : null}
    </div>
  </section>`;
}
