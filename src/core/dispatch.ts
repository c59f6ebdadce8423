import type { z } from 'zod';
import type { CallResult } from '../ipc/bridge';
import { contract, isContractName, type ContractEntry, type ContractName } from '../ipc/contract';
import { asStorageFault, type StorageFaultError } from '../db/storage-fault';
import { AppError, type CallError } from '../shared/app-error';
import type { CallContext, CoreServices, Handlers, UserCallContext } from './context';

const MAX_LISTED_FIELDS = 5;

/** Zod issues as the envelope carries them: one message per field path ("values.area"). */
export function invalidInput(error: z.ZodError): CallError {
  const fields: Record<string, string> = {};
  let general: string | null = null;
  for (const issue of error.issues) {
    const base = issue.path.map(String);
    // Unknown keys come as one issue on the parent; name each key so a form can point at it.
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...base, key].join('.')) : [base.join('.')];
    const message = issue.code === 'unrecognized_keys' ? 'not a known field' : issue.message;
    for (const path of paths) {
      if (path === '') general ??= message;
      else fields[path] ??= message;
    }
  }
  const names = Object.keys(fields);
  const listed = names.slice(0, MAX_LISTED_FIELDS).map((name) => `${name} (${fields[name]})`);
  if (names.length > MAX_LISTED_FIELDS) listed.push(`and ${names.length - MAX_LISTED_FIELDS} more`);
  const message = names.length > 0 ? `Please correct: ${listed.join(', ')}.` : `Invalid input: ${general ?? 'not accepted'}.`;
  return names.length > 0 ? { code: 'invalid_input', message, fields } : { code: 'invalid_input', message };
}

const refuse = (code: CallError['code'], message: string): CallResult => ({ ok: false, error: { code, message } });

/**
 * Runs one call from the renderer: the name must be in the contract, the caller must have the
 * access the entry asks for (checked before the input is even read), and the input must pass the
 * entry's schema. Errors become the envelope: an AppError keeps its code and message; anything else
 * is logged and reported as 'failed' without details (no stack traces reach the renderer).
 */
export class Dispatcher {
  /** clientId -> session id. Session ids never leave the core. */
  private readonly sessions = new Map<string, string>();
  /** Damage found in the database while running (see stopWriting). */
  private damage: StorageFaultError | null = null;

  constructor(
    private readonly services: CoreServices,
    private readonly handlers: Handlers,
    private readonly log: (message: string, error: unknown) => void,
  ) {}

  async call(clientId: string, name: string, rawInput: unknown): Promise<CallResult> {
    if (!isContractName(name)) return refuse('not_found', `There is no call named "${String(name).slice(0, 80)}".`);
    try {
      return await this.run(clientId, name, rawInput);
    } catch (error) {
      return this.failure(name, error);
    }
  }

  /** The call itself; anything it throws (checking the session writes too) becomes the envelope in failure(). */
  private async run(clientId: string, name: ContractName, rawInput: unknown): Promise<CallResult> {
    const entry: ContractEntry = contract[name];

    const sessionId = this.sessions.get(clientId) ?? null;
    const account = sessionId ? this.services.accounts.authenticate(sessionId, { touch: !entry.passive }) : null;
    if (sessionId && !account) this.sessions.delete(clientId);
    if (entry.access !== 'public' && !account) {
      return refuse('unauthenticated', sessionId ? 'Your session has ended. Please sign in again.' : 'Please sign in first.');
    }
    if (entry.access === 'admin' && account?.role !== 'admin') return refuse('forbidden', 'Only an administrator can do this.');

    // JSON has no `undefined`: a call without input arrives as null.
    const parsed = entry.input.safeParse(rawInput ?? undefined);
    if (!parsed.success) return { ok: false, error: invalidInput(parsed.error) };

    const ctx: CallContext = {
      clientId,
      account,
      sessionId: account ? sessionId : null,
      bindSession: (next) => this.bind(clientId, next),
    };
    const handler = this.handlers[name] as (input: unknown, ctx: UserCallContext, core: CoreServices) => unknown;
    return { ok: true, value: await handler(parsed.data, ctx as UserCallContext, this.services) };
  }

  private failure(name: ContractName, error: unknown): CallResult {
    if (error instanceof AppError) return { ok: false, error: error.toCallError() };
    this.log(`${name} failed`, error);
    const fault = asStorageFault(error, this.services.store.file);
    if (fault) {
      if (fault.kind === 'damaged' && !this.damage) this.stopWriting(fault);
      // Once damage is found, refused writes are about it, not about a read-only file.
      return refuse('failed', (this.damage ?? fault).message);
    }
    return refuse('failed', 'Something went wrong in the application. The details are in the log.');
  }

  /**
   * A damaged file found while running (a damaged page that opening did not read) gets no more
   * changes, from calls or from sync, until it is restored: writing could spread the damage.
   */
  private stopWriting(damage: StorageFaultError): void {
    this.damage = damage;
    this.services.store.sqlite.pragma('query_only = ON');
    void this.services.engine.stop();
  }

  /** Ends the client's session (its window closed, its page went away). */
  endClient(clientId: string): void {
    try {
      this.bind(clientId, null);
    } catch (error) {
      // Called from a window's or page's end, where a throw has nobody to answer: the session then
      // ends at the next start (sessions never outlive a run).
      this.log('ending a session failed', error);
    }
  }

  private bind(clientId: string, sessionId: string | null): void {
    const previous = this.sessions.get(clientId);
    if (previous && previous !== sessionId) this.services.accounts.logout(previous);
    if (sessionId) this.sessions.set(clientId, sessionId);
    else this.sessions.delete(clientId);
  }
}
