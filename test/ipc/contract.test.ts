import { z } from 'zod';
import { BridgeError, createBridge, type CallResult } from '../../src/ipc/bridge';
import { contract, CONTRACT_NAMES, type ContractEntry } from '../../src/ipc/contract';
import { ERROR_CODES } from '../../src/shared/app-error';

const entries = Object.entries(contract) as [string, ContractEntry][];

describe('the contract', () => {
  it('defines exactly the names the bridges expose', () => {
    expect(Object.keys(contract).sort()).toEqual([...CONTRACT_NAMES].sort());
    expect(new Set(CONTRACT_NAMES).size).toBe(CONTRACT_NAMES.length);
  });

  it.each(entries)('%s has an input schema and an access level', (_name, entry) => {
    expect(entry.input).toBeInstanceOf(z.ZodType);
    expect(['public', 'user', 'admin']).toContain(entry.access);
  });

  it('leaves only sign-in, first-run setup and the about box open without a session', () => {
    const open = entries.filter(([, e]) => e.access === 'public').map(([name]) => name);
    expect(open.sort()).toEqual(['app.about', 'session.login', 'session.logout', 'session.setupAdmin', 'session.status']);
  });

  it('keeps account, settings and update management for admins', () => {
    for (const [name, entry] of entries) {
      if (/^(accounts|settings)\./.test(name) || ['updates.check', 'updates.install'].includes(name)) {
        expect([name, entry.access]).toEqual([name, 'admin']);
      }
    }
  });

  it('refuses a record with unknown keys, the sync columns, or an enteredBy from the renderer', () => {
    const create = contract['records.create'].input;
    expect(create.safeParse({ table: 'households', values: { area: 'North' } }).success).toBe(true);
    expect(create.safeParse({ table: 'households', values: { area: 'North', dirty: false } }).success).toBe(false);
    expect(create.safeParse({ table: 'households', values: { area: 'North', id: 'x' } }).success).toBe(false);
    expect(create.safeParse({ table: 'households', values: { area: 'North', enteredBy: 'someone else' } }).success).toBe(false);
    const visit = { householdId: '01920000-0000-7000-8000-000000000000', visitedAt: 1, outcome: 'completed' };
    expect(create.safeParse({ table: 'visits', values: visit }).success).toBe(true);
    expect(create.safeParse({ table: 'visits', values: { ...visit, enteredBy: 'someone else' } }).success).toBe(false);
    expect(create.safeParse({ table: 'accounts', values: {} }).success).toBe(false);
  });

  it('validates an update as a partial record, with the same rules per field', () => {
    const update = contract['records.update'].input;
    const id = '01920000-0000-7000-8000-000000000000';
    expect(update.safeParse({ table: 'households', id, values: { notes: 'x' } }).success).toBe(true);
    expect(update.safeParse({ table: 'households', id, values: { area: '   ' } }).success).toBe(false);
    expect(update.safeParse({ table: 'people', id, values: { dateOfBirth: '5 May' } }).success).toBe(false);
    const empty = update.safeParse({ table: 'households', id, values: {} });
    expect(empty.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['values', 'nothing to change']]);
  });
});

describe('createBridge', () => {
  it('exposes exactly the contract names, as functions', () => {
    const bridge = createBridge(async () => ({ ok: true, value: null }));
    expect(Object.keys(bridge).sort()).toEqual([...CONTRACT_NAMES].sort());
    for (const name of CONTRACT_NAMES) expect(typeof bridge[name]).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('sends the name and input, and resolves with the value', async () => {
    const sent: [string, unknown][] = [];
    const bridge = createBridge(async (name, input) => {
      sent.push([name, input]);
      return { ok: true, value: { firstRun: true, account: null, idleTimeoutMs: 1 } };
    });
    await expect(bridge['session.status']()).resolves.toEqual({ firstRun: true, account: null, idleTimeoutMs: 1 });
    await bridge['records.get']({ table: 'households', id: 'x' });
    expect(sent).toEqual([
      ['session.status', undefined],
      ['records.get', { table: 'households', id: 'x' }],
    ]);
  });

  it('throws a BridgeError carrying the code, message and field messages', async () => {
    const failure: CallResult = {
      ok: false,
      error: { code: 'invalid_input', message: 'Please correct: values.area (required).', fields: { 'values.area': 'required' } },
    };
    const bridge = createBridge(async () => failure);
    const error = await bridge['records.create']({ table: 'households', values: { area: '' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'invalid_input', message: 'Please correct: values.area (required).', fields: { 'values.area': 'required' } });
    expect(ERROR_CODES).toContain((error as BridgeError).code);
  });
});
