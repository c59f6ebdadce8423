import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { SettingsView } from '../../ipc/contract';
import { call, errorMessage, fieldErrors } from '../bridge';
import { Field } from '../components/field';
import { ErrorNotice, Loading, SuccessNotice } from '../components/notice';
import { ScreenTitle } from '../components/shell';
import { useForm, useSave } from '../form';
import { useLoad } from '../hooks';

export function SettingsScreen() {
  const settings = useLoad(() => call('settings.get'), []);
  return html`<${ScreenTitle} title="Settings" />
    <${ErrorNotice} message=${settings.error} />
    ${settings.data ? html`<${SettingsForm} current=${settings.data} />` : settings.error ? null : html`<${Loading} />`}`;
}

function SettingsForm({ current }: { current: SettingsView }) {
  const [view, setView] = useState(current);
  const { values, setValues, errors, setErrors, set } = useForm({
    serverUrl: current.serverUrl ?? '',
    apiKey: '',
    pullIntervalSeconds: String(Math.round(current.pullIntervalMs / 1000)),
  });
  // The core speaks of milliseconds; the form asks for seconds.
  const { failure, saved, busy, save, refuse } = useSave(
    ({ pullIntervalMs, ...fields }) => setErrors(pullIntervalMs ? { ...fields, pullIntervalSeconds: pullIntervalMs } : fields),
    { labels: { serverUrl: 'Sync server URL', apiKey: 'API key', pullIntervalSeconds: 'Pull from the server every (seconds)' } },
  );
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<{ ok: boolean; message: string } | null>(null);

  const typedKey = values.apiKey.trim() || undefined;
  const submit = async (event: Event) => {
    event.preventDefault();
    // The last connection test's verdict would sit stale beside the outcome of this save.
    setTest(null);
    const seconds = Number(values.pullIntervalSeconds);
    if (!Number.isFinite(seconds) || seconds < 1) {
      refuse({ pullIntervalSeconds: 'a number of seconds, at least 1' });
      return;
    }
    // Only what changed is sent: a setting fixed by the environment can stay as it is.
    const serverUrl = values.serverUrl.trim();
    const pullIntervalMs = Math.round(seconds * 1000);
    await save(async () => {
      const stored = await call('settings.update', {
        serverUrl: serverUrl === (view.serverUrl ?? '') ? undefined : serverUrl,
        apiKey: typedKey,
        pullIntervalMs: pullIntervalMs === view.pullIntervalMs ? undefined : pullIntervalMs,
      });
      setView(stored);
      setValues({ ...values, apiKey: '' });
      return 'Settings saved.';
    });
  };

  // Its verdict takes the place of the last save's "Settings saved.", which would sit beside a failure.
  const testConnection = async () => {
    setTesting(true);
    setTest(null);
    try {
      const result = await call('settings.testConnection', { serverUrl: values.serverUrl.trim() || undefined, apiKey: typedKey });
      setTest(result);
    } catch (error) {
      setErrors(fieldErrors(error));
      setTest({ ok: false, message: errorMessage(error) });
    } finally {
      setTesting(false);
    }
  };

  return html`<form onSubmit=${submit} novalidate aria-label="Sync settings" class="form-grid narrow">
      <${ErrorNotice} message=${failure} />
      <${Field} id="serverUrl" label="Sync server URL" type="url" value=${values.serverUrl} onValue=${set('serverUrl')} error=${errors.serverUrl}
        hint="For example https://sync.example.org. Leave empty to turn sync off." wide />
      <${Field} id="apiKey" label="API key" type="password" value=${values.apiKey} onValue=${set('apiKey')} error=${errors.apiKey}
        hint=${view.apiKeySet ? `Saved key: ${view.apiKeyMasked ?? 'set'}. Leave empty to keep it.` : 'No key saved yet: 64 hexadecimal characters.'}
        autoComplete="off" wide />
      <${Field} id="pullIntervalSeconds" label="Pull from the server every (seconds)" type="number" step="1"
        value=${values.pullIntervalSeconds} onValue=${set('pullIntervalSeconds')} error=${errors.pullIntervalSeconds} />
      <div class="field wide">
        <span class="label-like" id="machine-label">Machine ID</span>
        <code class="machine-id" aria-labelledby="machine-label" data-testid="machine-id">${view.machineId}</code>
      </div>
      <div class="form-actions wide">
        <button type="submit" class="button primary" disabled=${busy}>Save settings</button>
        <button type="button" class="button secondary" onClick=${testConnection} disabled=${testing}>
          ${testing ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      <div class="wide" role="status" data-testid="connection-result">
        ${test ? html`<div class=${test.ok ? 'notice success' : 'notice error'}>${test.message}</div>` : null}
      </div>
      <div class="wide"><${SuccessNotice} message=${test ? null : saved} /></div>
    </form>`;
}
