import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { UpdateStatus } from '../../ipc/contract';
import { call, errorMessage } from '../bridge';
import { ErrorNotice, Loading } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { useLoad, usePoll } from '../hooks';
import { useSession } from '../session';

const UPDATE_TEXT: Record<UpdateStatus['state'], string> = {
  disabled: 'Updates are off',
  idle: 'Not checked yet',
  checking: 'Checking for updates…',
  available: 'An update is available',
  downloading: 'Downloading the update',
  ready: 'Update downloaded, ready to install',
  error: 'The last check failed',
  'up-to-date': 'Up to date',
};

/** How often the screen asks for the update status: a download's progress moves while it is open. */
const STATUS_POLL_MS = 1000;

export function AboutScreen() {
  const about = useLoad(() => call('app.about'), []);
  const { user } = useSession();
  const [update, setUpdate] = useState<UpdateStatus | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [confirmingRestart, setConfirmingRestart] = useState(false);
  const status = update ?? about.data?.update;
  usePoll(async () => {
    if (about.data) setUpdate(await call('updates.status'));
  }, STATUS_POLL_MS);

  const run = async (action: () => Promise<UpdateStatus | null>) => {
    try {
      const next = await action();
      if (next) setUpdate(next);
      setFailure(null);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  };
  const restart = () => {
    setConfirmingRestart(false);
    void run(() => call('updates.install'));
  };

  return html`<${ScreenTitle} title="About BLOS Desktop" />
    <${ErrorNotice} message=${about.error ?? failure} />
    ${!about.data
      ? about.error ? null : html`<${Loading} />`
      : html`<dl class="facts panel">
          <dt>Version</dt><dd data-testid="app-version">${about.data.version}</dd>
          <dt>Machine ID</dt><dd><code class="machine-id">${about.data.machineId}</code></dd>
          <dt>Updates</dt>
          <dd>
            <span role="status" data-testid="update-status">
              ${status ? UPDATE_TEXT[status.state] : '—'}${status?.version ? ` (version ${status.version})` : ''}${status?.progress != null && status.state === 'downloading' ? `: ${Math.round(status.progress)}%` : ''}
            </span>
            ${status?.state === 'downloading'
              ? html`<br /><progress max="100" value=${status.progress ?? 0} aria-label="Update download"></progress>`
              : null}
            ${status?.message ? html`<br /><span class="muted">${status.message}</span>` : null}
          </dd>
        </dl>
        ${confirmingRestart
          ? html`<div class="panel" role="alertdialog" aria-label="Restart to install the update">
              <p>BLOS Desktop will close, install version ${status?.version ?? 'the update'} and start again. Everything saved is kept; finish the form you are filling in first.</p>
              <div class="actions">
                <button type="button" class="button primary" onClick=${restart}>Restart now</button>
                <button type="button" class="button secondary" onClick=${() => setConfirmingRestart(false)}>Not now</button>
              </div>
            </div>`
          : null}
        ${user.role === 'admin'
          ? html`<div class="actions">
              <button type="button" class="button secondary" onClick=${() => run(() => call('updates.check'))} disabled=${status?.state === 'disabled'}>Check for updates</button>
              ${status?.state === 'ready' && !confirmingRestart
                ? html`<button type="button" class="button primary" onClick=${() => setConfirmingRestart(true)}>Restart and install…</button>`
                : null}
              ${status?.turnedOff
                ? html`<button type="button" class="button secondary" onClick=${() => run(() => call('updates.setEnabled', { enabled: true }))}>Turn updates on</button>`
                : status?.state !== 'disabled'
                  ? html`<button type="button" class="button secondary" onClick=${() => run(() => call('updates.setEnabled', { enabled: false }))}>Turn updates off on this PC</button>`
                  : null}
            </div>`
          : null}`}`;
}
