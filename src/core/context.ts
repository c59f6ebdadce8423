import type { AccountsService } from '../accounts/accounts-service';
import type { ClientConfig } from '../config/env';
import type { LocalStore } from '../db/local-store';
import type { ContractName, ContractOutputs, ContractParsed, SessionAccount } from '../ipc/contract';
import type { SyncEngine } from '../sync';
import type { ExportJobs } from './exports';
import type { UpdaterPort } from './updater';

/** What every handler may use: the core's parts, shared by all calls. */
export interface CoreServices {
  readonly dataDir: string;
  readonly version: string;
  readonly store: LocalStore;
  readonly engine: SyncEngine;
  readonly accounts: AccountsService;
  readonly updater: UpdaterPort;
  readonly exports: ExportJobs;
  readonly now: () => number;
  /** The environment the core started with (it outranks the user-data .env). */
  readonly env: NodeJS.ProcessEnv;
  /** Where the configuration is read from: the user-data folder, then the working folder. */
  readonly configFolders: readonly string[];
  /** The configuration in effect; settings.update replaces it. */
  config: ClientConfig;
}

/** Who is calling: the client (a window or a page) and, once signed in, its session. */
export interface CallContext {
  readonly clientId: string;
  readonly account: SessionAccount | null;
  readonly sessionId: string | null;
  /** Binds (or with null, unbinds) a session to this client. */
  bindSession(sessionId: string | null): void;
}

/** A signed-in call: handlers of 'user' and 'admin' entries always get an account. */
export interface UserCallContext extends CallContext {
  readonly account: SessionAccount;
  readonly sessionId: string;
}

type Handler<K extends ContractName> = (
  input: ContractParsed<K>,
  ctx: UserCallContext,
  core: CoreServices,
) => ContractOutputs[K] | Promise<ContractOutputs[K]>;

/** Handlers of one domain; the core assembles them into one map covering every contract name. */
export type HandlerMap<K extends ContractName> = { [N in K]: Handler<N> };
export type Handlers = HandlerMap<ContractName>;
