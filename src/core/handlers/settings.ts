import { ALLOW_HTTP_VARIABLE, ConfigError, loadClientConfig, needsHttps } from '../../config/env';
import type { SettingsView } from '../../ipc/contract';
import { AppError } from '../../shared/app-error';
import { syncConfigFrom, testConnection } from '../../sync';
import type { CoreServices, HandlerMap } from '../context';
import { updateUserEnv } from '../user-env-file';

type SettingName = SettingsView['setByEnvironment'][number];
const VARIABLES: Record<SettingName, string> = {
  serverUrl: 'SYNC_SERVER_URL',
  apiKey: 'SYNC_API_KEY',
  pullIntervalMs: 'SYNC_PULL_INTERVAL_MS',
};
const SETTING_NAMES = Object.keys(VARIABLES) as SettingName[];

/** Shows that a key is set without showing it: the last four characters only. */
export function maskApiKey(apiKey: string | undefined): string | null {
  return apiKey ? `${'•'.repeat(8)}${apiKey.slice(-4)}` : null;
}

function setByEnvironment(env: NodeJS.ProcessEnv): SettingName[] {
  return SETTING_NAMES.filter((name) => (env[VARIABLES[name]] ?? '') !== '');
}

export function settingsView({ config, store, env }: CoreServices): SettingsView {
  return {
    serverUrl: config.SYNC_SERVER_URL ?? null,
    apiKeyMasked: maskApiKey(config.SYNC_API_KEY),
    apiKeySet: Boolean(config.SYNC_API_KEY),
    pullIntervalMs: config.SYNC_PULL_INTERVAL_MS,
    machineId: store.machineId,
    setByEnvironment: setByEnvironment(env),
  };
}

/** A server URL typed in Settings obeys the rule the configuration does (https unless loopback or a lab). */
function refuseInsecure(serverUrl: string | undefined, core: CoreServices): void {
  if (!serverUrl || !needsHttps(serverUrl, core.config[ALLOW_HTTP_VARIABLE] === '1')) return;
  throw new AppError('invalid_input', 'The sync server URL is not secure.', {
    serverUrl: 'Use an https:// address: over http:// the API key and the records would cross the network readable by anyone on the way. Only this computer (localhost) may use http://.',
  });
}

export const settingsHandlers: HandlerMap<'settings.get' | 'settings.update' | 'settings.testConnection'> = {
  'settings.get': (_input, _ctx, core) => settingsView(core),

  'settings.update': (input, _ctx, core) => {
    const changes: Record<string, string | undefined> = {};
    const fixed: Record<string, string> = {};
    const locked = setByEnvironment(core.env);
    for (const name of SETTING_NAMES) {
      const value = input[name];
      if (value === undefined) continue;
      if (locked.includes(name)) fixed[name] = `set by the environment variable ${VARIABLES[name]}: change it there`;
      changes[VARIABLES[name]] = value === '' ? undefined : String(value);
    }
    if (Object.keys(fixed).length > 0) throw new AppError('invalid_input', 'Some settings come from the environment.', fixed);
    refuseInsecure(input.serverUrl, core);
    try {
      updateUserEnv(core.dataDir, changes);
      core.config = loadClientConfig(core.configFolders, core.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new AppError('invalid_input', error.message);
      throw error;
    }
    core.engine.updateConfig(syncConfigFrom(core.config));
    return settingsView(core);
  },

  'settings.testConnection': async (input, _ctx, core) => {
    const saved = core.config.SYNC_SERVER_URL ?? '';
    const serverUrl = (input?.serverUrl ?? saved).replace(/\/+$/, '');
    refuseInsecure(serverUrl, core);
    // The saved key (perhaps from the environment) only ever goes to the saved server: a URL typed
    // here could be anyone's, and the test would hand them the key.
    if (input?.apiKey === undefined && serverUrl !== saved) {
      return { ok: false, message: 'Type the API key to test this server: the saved key is only sent to the saved server.', latencyMs: null };
    }
    const apiKey = input?.apiKey ?? core.config.SYNC_API_KEY ?? '';
    if (!serverUrl || !apiKey) {
      return { ok: false, message: 'Enter the server URL and the API key first.', latencyMs: null };
    }
    return testConnection({ serverUrl, apiKey }, { machineId: core.store.machineId });
  },
};
