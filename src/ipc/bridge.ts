import type { z } from 'zod';
import type { CallError, ErrorCode } from '../shared/app-error';
import type { Contract, ContractOutputs } from './contract';
import { CONTRACT_NAMES, type ContractName } from './names';

/**
 * The transport envelope and the bridge object the renderer calls (`window.blos`). Runtime imports
 * are only the name list: the sandboxed preload and the browser bundle stay small and Node-free.
 */

export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: CallError };

export type Send = (name: ContractName, input: unknown) => Promise<CallResult>;

/** What the bridge throws when the core answers with an error. */
export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly fields: Record<string, string>;

  constructor(error: CallError) {
    super(error.message);
    this.name = 'BridgeError';
    this.code = error.code;
    this.fields = error.fields ?? {};
  }
}

type InputOf<K extends ContractName> = z.input<Contract[K]['input']>;

/** One async method per contract name; calls without input may omit the argument. */
export type Bridge = {
  [K in ContractName]: (
    ...input: undefined extends InputOf<K> ? [input?: InputOf<K>] : [input: InputOf<K>]
  ) => Promise<ContractOutputs[K]>;
};

/** Builds the bridge from a transport; the preload (ipcRenderer.invoke) and the browser (fetch) share it. */
export function createBridge(send: Send): Bridge {
  const bridge: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const name of CONTRACT_NAMES) {
    bridge[name] = async (input: unknown) => {
      const result = await send(name, input);
      if (!result.ok) throw new BridgeError(result.error);
      return result.value;
    };
  }
  return Object.freeze(bridge) as Bridge;
}


declare global {
  interface Window {
    /** Installed by the Electron preload or by the browser bridge. */
    blos?: Bridge;
  }
}
