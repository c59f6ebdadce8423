import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { UpdateStatus } from '../../ipc/contract';
import { call, errorMessage } from '../bridge';
import { ErrorNotice, Loading } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { useLoad } from '../hooks';
import { useSession } from '../session';

const UPDATE_TEXT: Record<UpdateStatus['state'], string> = {
  disabled: 'Updates are off in this build',
  idle: 'Not checked yet',
  checking: 'Checking for updates…',
  available: 'An update is available',
  downloading: 'Downloading the update',
  ready: 'Update downloaded, ready to install',
  error: 'The last check failed',
  'up-to-date': 'Up to date',
};

export function AboutScreen() {
  const about = useLoad(() => call('app.about'), []);
  const { user } = useSession();
  const [update, setUpdate] = useState<UpdateStatus | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const status = update ?? about.data?.update;

  const run = async (action: 'updates.check' | 'updates.install') => {
    try {
      if (action === 'updates.check') setUpdate(await call('updates.check'));
      else await call('updates.install');
      setFailure(null);
    } catch (error) {
      setFailure(errorMessage(error));
    }
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
            ${status?.message ? html`<br /><span class="muted">${status.message}</span>` : null}
          </dd>
        </dl>
        ${user.role === 'admin'
          ? html`<div class="actions">
              <button type="button" class="button secondary" onClick=${() => run('updates.check')} disabled=${status?.state === 'disabled'}>Check for updates</button>
              ${status?.state === 'ready' ? html`<button type="button" class="button primary" onClick=${() => run('updates.install')}>Restart and install</button>` : null}
            </div>`
          : null}`}`;
}
