import path from 'node:path';
import { AccountsService, type AccountPolicy } from '../accounts/accounts-service';
import { loadClientConfig, type ClientConfig } from '../config/env';
import { openLocalStore, type LocalStore } from '../db/local-store';
import type { Keychain } from '../db/database-key';
import type { OsMachineId } from '../db/machine-identity';
import type { CallResult } from '../ipc/bridge';
import { SyncEngine, syncConfigFrom, type SyncEngineOptions } from '../sync';
import type { CoreServices, Handlers } from './context';
import { Dispatcher } from './dispatch';
import { ExportJobs, type ExportSaveTarget } from './exports';
import { exportHandlers } from './handlers/exports';
import { accountHandlers } from './handlers/accounts';
import { appHandlers } from './handlers/app';
import { recordHandlers } from './handlers/records';
import { sessionHandlers } from './handlers/session';
import { settingsHandlers } from './handlers/settings';
import { syncHandlers } from './handlers/sync';
import { disabledUpdater, type UpdaterPort } from './updater';

export interface AppCoreOptions {
  /** The user-data folder: blos.db and the settings' .env live here. */
  dataDir: string;
  version: string;
  /** The process environment (default process.env); it outranks .env files. */
  env?: NodeJS.ProcessEnv;
  /** The folders whose `.env` is read, first wins (default: dataDir, then the working folder). */
  configFolders?: string[];
  osMachineId?: OsMachineId;
  /** The OS keychain that wraps the database key (Electron's safeStorage); absent: an owner-only key file. */
  keychain?: Keychain | null;
  /** The local migrations (default: the nearest migrations/local above the code, in the sources or the packaged app). */
  migrationsFolder?: string;
  updater?: UpdaterPort;
  /** Where CSV exports are saved (the shell's save dialog, the browser host's downloads); absent: no exports. */
  exportTarget?: ExportSaveTarget;
  /** The wall clock for sessions, "today" and record stamps; tests drive their own. */
  now?: () => number;
  /** Start background sync at once (default true). */
  startSync?: boolean;
  /** Where failures with details go (default console.error); the renderer never sees them. */
  log?: (message: string, error: unknown) => void;
  /** For tests only: the Electron shell and the CLIs never pass these. */
  testOverrides?: {
    accountPolicy?: Partial<AccountPolicy>;
    /** Replaces the sign-in back-off's wait. */
    sleep?: (ms: number) => Promise<void>;
    sync?: Partial<Omit<SyncEngineOptions, 'store' | 'config'>>;
  };
}

export interface AppCore {
  /** Runs one contract call for a client (a window's webContents id, a page's random id). Never rejects. */
  call(clientId: string, name: string, rawInput: unknown): Promise<CallResult>;
  /** Ends the session of a client that went away. */
  endClient(clientId: string): void;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  readonly accounts: AccountsService;
  /** The configuration in effect (settings.update changes it). */
  readonly config: ClientConfig;
  /** Stops sync (abandoning an exchange in flight safely), waits for calls in flight, closes the database. */
  close(): Promise<void>;
}

const handlers: Handlers = {
  ...sessionHandlers,
  ...recordHandlers,
  ...exportHandlers,
  ...syncHandlers,
  ...accountHandlers,
  ...settingsHandlers,
  ...appHandlers,
};

/** The application core: everything behind the contract, in plain Node (no Electron, no DOM). */
export function createAppCore(options: AppCoreOptions): AppCore {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const configFolders = options.configFolders ?? [options.dataDir, process.cwd()];
  const config = loadClientConfig(configFolders, env);
  const store = openLocalStore({
    file: path.join(options.dataDir, 'blos.db'),
    key: { env, keychain: options.keychain ?? null },
    osMachineId: options.osMachineId,
    migrationsFolder: options.migrationsFolder,
    wallClock: now,
  });
  try {
    return assemble(options, { store, config, configFolders, env, now });
  } catch (error) {
    store.close();
    throw error;
  }
}

/** The parts made from the open store; the caller closes the store if any of this throws. */
function assemble(options: AppCoreOptions, base: Pick<CoreServices, 'store' | 'config' | 'configFolders' | 'env' | 'now'>): AppCore {
  const { store, config, now } = base;
  const accounts = new AccountsService({
    db: store.db,
    sqlite: store.sqlite,
    now,
    policy: options.testOverrides?.accountPolicy,
    sleep: options.testOverrides?.sleep,
  });
  // Sessions belong to windows and pages of this run: none can be resumed after a restart.
  accounts.endAllSessions();
  const engine = new SyncEngine({ store, config: syncConfigFrom(config), ...options.testOverrides?.sync });

  const log = options.log ?? ((message, error) => console.error(`[blos core] ${message}:`, error));
  const services: CoreServices = {
    ...base,
    dataDir: options.dataDir,
    version: options.version,
    engine,
    accounts,
    updater: options.updater ?? disabledUpdater,
    exports: new ExportJobs(store, options.exportTarget ?? null, log, now),
  };
  const dispatcher = new Dispatcher(services, handlers, log);
  const inFlight = new Set<Promise<CallResult>>();
  let closing: Promise<void> | null = null;

  if (options.startSync ?? true) engine.start();

  return {
    call(clientId, name, rawInput) {
      if (closing) return Promise.resolve({ ok: false, error: { code: 'failed', message: 'The application is closing.' } });
      const result = dispatcher.call(clientId, name, rawInput);
      inFlight.add(result);
      void result.finally(() => inFlight.delete(result));
      return result;
    },
    endClient: (clientId) => dispatcher.endClient(clientId),
    store,
    engine,
    accounts,
    get config() {
      return services.config;
    },
    close() {
      closing ??= (async () => {
        await engine.stop();
        await services.exports.close();
        await Promise.allSettled([...inFlight]);
        store.close();
      })();
      return closing;
    },
  };
}
