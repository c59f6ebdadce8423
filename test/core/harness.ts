import { createAppCore, type AppCore, type AppCoreOptions } from '../../src/core';
import type { CallResult } from '../../src/ipc/bridge';
import type { ContractInput, ContractName, ContractOutputs } from '../../src/ipc/contract';
import { tempDir } from '../support/temp';

export const ADMIN = { username: 'admin', displayName: 'Ada Admin', password: 'admin password 1' };
export const WORKER = { username: 'bola', displayName: 'Bola Field', password: 'worker password 1' };

export interface Harness {
  core: AppCore;
  dataDir: string;
  clock: { now: number };
  logged: string[];
  /** A call whose result must be ok; returns its value. */
  ok<K extends ContractName>(clientId: string, name: K, input?: ContractInput<K>): Promise<ContractOutputs[K]>;
  /** A call whose result must be an error; returns the error. */
  fail(clientId: string, name: string, input?: unknown): Promise<Extract<CallResult, { ok: false }>['error']>;
}

const open: AppCore[] = [];
afterAll(async () => {
  for (const core of open.splice(0)) await core.close();
});

/** A core on a fresh data folder, with a hand-driven clock and a fast (test-only) bcrypt cost. */
export function startCore(options: Partial<AppCoreOptions> = {}): Harness {
  const dataDir = options.dataDir ?? tempDir('blos-core-');
  const clock = { now: Date.parse('2026-05-04T10:00:00') };
  const logged: string[] = [];
  const core = createAppCore({
    dataDir,
    version: '9.8.7',
    env: {},
    osMachineId: () => `pc-${dataDir}`,
    now: () => clock.now,
    startSync: false,
    log: (message) => logged.push(message),
    ...options,
    testOverrides: { accountPolicy: { bcryptCost: 4 }, sleep: async () => {}, ...options.testOverrides },
  });
  open.push(core);
  return {
    core,
    dataDir,
    clock,
    logged,
    async ok(clientId, name, input) {
      const result = await core.call(clientId, name, input);
      if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
      return result.value as never;
    },
    async fail(clientId, name, input) {
      const result = await core.call(clientId, name, input);
      if (result.ok) throw new Error(`${name} succeeded but should have failed: ${JSON.stringify(result.value)}`);
      return result.error;
    },
  };
}

/** A core with an admin signed in on client "admin-window" and a field worker on "worker-window". */
export async function startCoreWithAccounts(options: Partial<AppCoreOptions> = {}) {
  const h = startCore(options);
  await h.ok('admin-window', 'session.setupAdmin', ADMIN);
  await h.ok('admin-window', 'accounts.create', { ...WORKER, role: 'field_worker' });
  await h.ok('worker-window', 'session.login', { username: WORKER.username, password: WORKER.password });
  return h;
}
