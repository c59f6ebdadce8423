import type { Bridge } from '../ipc/bridge';
import type { ContractName, ContractOutputs } from '../ipc/contract';

/**
 * The one door to the core: `window.blos`, installed by the Electron preload or, in a plain browser,
 * by the browser bridge. Screens call `call(name, input)`; every failure becomes a CallFailure with
 * the core's code, message and per-field messages.
 */

export class CallFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Field name -> message, with the contract's `values.` prefix removed (forms name fields plainly). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'CallFailure';
  }
}

export const SESSION_LOST_EVENT = 'blos:session-lost';

function plainFields(fields: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields ?? {})) out[path.replace(/^values\./, '')] ??= message;
  return out;
}

function toFailure(error: unknown): CallFailure {
  if (error instanceof CallFailure) return error;
  if (error && typeof error === 'object' && 'message' in error) {
    const e = error as { code?: unknown; message: unknown; fields?: Record<string, string> };
    return new CallFailure(String(e.code ?? 'failed'), String(e.message), plainFields(e.fields));
  }
  return new CallFailure('failed', String(error));
}

export async function call<K extends ContractName>(name: K, ...input: Parameters<Bridge[K]>): Promise<ContractOutputs[K]> {
  const bridge = window.blos;
  if (!bridge) throw new CallFailure('failed', 'The application core is not connected.');
  try {
    const method = bridge[name] as (...args: unknown[]) => Promise<ContractOutputs[K]>;
    return await method(...input);
  } catch (error) {
    const failure = toFailure(error);
    // The idle timeout ended the session: the app goes back to the sign-in screen.
    if (failure.code === 'unauthenticated') window.dispatchEvent(new CustomEvent(SESSION_LOST_EVENT));
    throw failure;
  }
}

export function errorMessage(error: unknown): string {
  return toFailure(error).message;
}

export function fieldErrors(error: unknown): Record<string, string> {
  return toFailure(error).fields;
}
