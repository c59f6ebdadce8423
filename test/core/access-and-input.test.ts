import { contract, CONTRACT_NAMES, type ContractEntry } from '../../src/ipc/contract';
import { ADMIN, startCore, startCoreWithAccounts, WORKER } from './harness';

const byAccess = (access: ContractEntry['access']) =>
  CONTRACT_NAMES.filter((name) => (contract[name] as ContractEntry).access === access);

describe('access', () => {
  it.each(byAccess('user').concat(byAccess('admin')))('%s is refused without a session', async (name) => {
    const h = startCore();
    await h.ok('w', 'session.setupAdmin', ADMIN);
    // Another page, with no session of its own, asks.
    const error = await h.fail('someone-else', name, undefined);
    expect(error).toEqual({ code: 'unauthenticated', message: 'Please sign in first.' });
  });

  it('refuses every admin call from a field worker, and runs it for an admin', async () => {
    const h = await startCoreWithAccounts();
    for (const name of byAccess('admin')) {
      expect([name, (await h.core.call('worker-window', name, undefined)).ok]).toEqual([name, false]);
      const error = await h.fail('worker-window', name, undefined);
      expect([name, error.code]).toEqual([name, 'forbidden']);
    }
    expect(await h.ok('admin-window', 'accounts.list')).toHaveLength(2);
  });

  it('answers public calls without a session', async () => {
    const h = startCore();
    expect(await h.ok('page', 'session.status')).toEqual({ firstRun: true, account: null, idleTimeoutMs: 30 * 60_000 });
    expect(await h.ok('page', 'app.about')).toMatchObject({ version: '9.8.7', machineId: h.core.store.machineId, update: { state: 'disabled' } });
  });

  it('binds a session to the one client that signed in', async () => {
    const h = await startCoreWithAccounts();
    expect((await h.ok('worker-window', 'session.status')).account).toMatchObject({ username: WORKER.username, role: 'field_worker' });
    expect((await h.ok('a-third-page', 'session.status')).account).toBeNull();
    await h.ok('worker-window', 'session.logout');
    expect((await h.ok('worker-window', 'session.status')).account).toBeNull();
    expect((await h.fail('worker-window', 'records.list', { table: 'households' })).code).toBe('unauthenticated');
    // The admin's page is unaffected.
    expect((await h.ok('admin-window', 'session.status')).account?.role).toBe('admin');
  });

  it('never puts the session id in an answer', async () => {
    const h = startCore();
    const answers = [await h.core.call('c', 'session.setupAdmin', ADMIN), await h.core.call('c', 'session.status', undefined)];
    const stored = h.core.store.sqlite.prepare('SELECT id FROM sessions').all() as { id: string }[];
    expect(stored).toHaveLength(1);
    for (const answer of answers) expect(JSON.stringify(answer)).not.toMatch(/"(sessionId|token)"/);
  });

  it('ends an idle session; polling the sync status does not count as activity', async () => {
    const h = await startCoreWithAccounts();
    for (let minute = 0; minute < 30; minute++) {
      h.clock.now += 60_000;
      await h.ok('worker-window', 'sync.status');
    }
    h.clock.now += 60_000;
    expect(await h.fail('worker-window', 'sync.status')).toEqual({
      code: 'unauthenticated',
      message: 'Your session has ended. Please sign in again.',
    });
    expect((await h.ok('worker-window', 'session.status')).account).toBeNull();
  });

  it('keeps an active session past the idle timeout', async () => {
    const h = await startCoreWithAccounts();
    for (let i = 0; i < 4; i++) {
      h.clock.now += 20 * 60_000;
      await h.ok('worker-window', 'records.list', { table: 'households' });
    }
  });

  it('ends the sessions of an account an admin disables', async () => {
    const h = await startCoreWithAccounts();
    const worker = (await h.ok('admin-window', 'accounts.list')).find((a) => a.username === WORKER.username)!;
    await h.ok('admin-window', 'accounts.setDisabled', { id: worker.id, disabled: true });
    expect((await h.fail('worker-window', 'dashboard.summary')).code).toBe('unauthenticated');
    expect(await h.fail('worker-window', 'session.login', { username: WORKER.username, password: WORKER.password })).toMatchObject({
      code: 'forbidden',
    });
  });

  it('gives the same answer to an unknown user and a wrong password, then locks', async () => {
    const h = await startCoreWithAccounts({ testOverrides: { accountPolicy: { bcryptCost: 4, maxFailures: 3 }, sleep: async () => {} } });
    const unknown = await h.fail('p', 'session.login', { username: 'nobody', password: 'whatever password' });
    const wrong = await h.fail('p', 'session.login', { username: WORKER.username, password: 'whatever password' });
    expect(unknown).toEqual(wrong);
    expect(unknown).toEqual({ code: 'unauthenticated', message: 'Wrong username or password.' });
    await h.fail('p', 'session.login', { username: WORKER.username, password: 'whatever password' });
    await h.fail('p', 'session.login', { username: WORKER.username, password: 'whatever password' });
    expect((await h.fail('p', 'session.login', { username: WORKER.username, password: WORKER.password })).code).toBe('locked');
  });

  it('refuses a second first-run setup', async () => {
    const h = startCore();
    await h.ok('a', 'session.setupAdmin', ADMIN);
    expect((await h.fail('b', 'session.setupAdmin', { ...ADMIN, username: 'mallory' })).code).toBe('conflict');
    expect((await h.ok('b', 'session.status')).firstRun).toBe(false);
  });
});

describe('input validation', () => {
  it('refuses an unknown call by name', async () => {
    const h = startCore();
    expect(await h.fail('c', 'records.drop', {})).toEqual({ code: 'not_found', message: 'There is no call named "records.drop".' });
    expect((await h.fail('c', 'constructor', {})).code).toBe('not_found');
    expect((await h.fail('c', '__proto__', {})).code).toBe('not_found');
  });

  it('names each bad field with its message', async () => {
    const h = await startCoreWithAccounts();
    const error = await h.fail('worker-window', 'records.create', {
      table: 'households',
      values: { area: '  ', geoLat: 123, phone: 'x'.repeat(41) },
    });
    expect(error.code).toBe('invalid_input');
    expect(error.fields).toEqual({
      'values.area': 'required',
      'values.geoLat': expect.stringMatching(/90/),
      'values.phone': 'at most 40 characters',
    });
    expect(error.message).toMatch(/^Please correct: values\.area \(required\)/);
  });

  it('takes a phone number only as digits with spaces and + - ( ) between, from the renderer', async () => {
    const h = await startCoreWithAccounts();
    for (const phone of ['not a phone ###', '12', '0803-abc-4567', '++234 803']) {
      const error = await h.fail('worker-window', 'records.create', { table: 'households', values: { area: 'North', phone } });
      expect({ phone, fields: error.fields }).toEqual({ phone, fields: { 'values.phone': expect.stringMatching(/^a phone number/) } });
    }
    for (const phone of ['', '0803 123 4567', '+234 (803) 555-0101', '555.0101']) {
      expect(await h.ok('worker-window', 'records.create', { table: 'households', values: { area: 'North', phone } })).toMatchObject({ phone });
    }
  });

  it('names unknown fields, and an unknown table', async () => {
    const h = await startCoreWithAccounts();
    const extra = await h.fail('worker-window', 'records.create', { table: 'households', values: { area: 'N', dirty: 0 } });
    expect(extra.fields).toEqual({ 'values.dirty': 'not a known field' });
    const table = await h.fail('worker-window', 'records.create', { table: 'accounts', values: {} });
    expect(table.code).toBe('invalid_input');
    expect(Object.keys(table.fields ?? {})).toEqual(['table']);
  });

  it('refuses passwords that are short or longer than 72 bytes, with the field named', async () => {
    const h = startCore();
    const short = await h.fail('c', 'session.setupAdmin', { ...ADMIN, password: 'too short' });
    expect(short.fields).toEqual({ password: 'at least 10 characters' });
    const long = await h.fail('c', 'session.setupAdmin', { ...ADMIN, password: 'ü'.repeat(40) });
    expect(long.fields?.password).toMatch(/72 bytes/);
    expect((await h.ok('c', 'session.status')).firstRun).toBe(true);
  });

  it('refuses input to a call that takes none, and a non-object input', async () => {
    const h = await startCoreWithAccounts();
    expect((await h.fail('worker-window', 'dashboard.summary', { surprise: 1 })).code).toBe('invalid_input');
    expect((await h.fail('worker-window', 'records.list', 'households')).code).toBe('invalid_input');
    // JSON null stands for "no input".
    expect((await h.core.call('worker-window', 'dashboard.summary', null)).ok).toBe(true);
  });

  it('reports unexpected failures without details, and logs them', async () => {
    const h = await startCoreWithAccounts();
    h.core.store.sqlite.prepare('DROP TABLE conflicts').run();
    const error = await h.fail('worker-window', 'sync.conflicts');
    expect(error).toEqual({ code: 'failed', message: 'Something went wrong in the application. The details are in the log.' });
    expect(h.logged).toEqual(['sync.conflicts failed']);
  });
});
