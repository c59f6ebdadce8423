import bcrypt from 'bcryptjs';
import path from 'node:path';
import { AccountsService, BCRYPT_COST, type AccountPolicy } from '../../src/accounts/accounts-service';
import { openLocalStore, type LocalStore } from '../../src/db/local-store';
import { AppError } from '../../src/shared/app-error';
import { tempDir } from '../support/temp';
import { holdWriteLock } from '../support/write-lock';

const PASSWORD = 'correct horse battery';
const stores: LocalStore[] = [];
afterAll(() => stores.forEach((s) => s.close()));

/** A service on a fresh database, a hand-driven clock, and a back-off that records instead of waiting. */
function setup(policy: Partial<AccountPolicy> = {}) {
  const store = openLocalStore({ file: path.join(tempDir(), 'blos.db'), osMachineId: () => 'pc-accounts' });
  stores.push(store);
  const clock = { now: 1_800_000_000_000 };
  const waits: number[] = [];
  const service = new AccountsService({
    db: store.db,
    sqlite: store.sqlite,
    now: () => clock.now,
    sleep: async (ms) => void waits.push(ms),
    policy: { bcryptCost: 4, ...policy },
  });
  return { store, service, clock, waits };
}

async function expectAppError(promise: Promise<unknown> | (() => unknown), code: string, message?: RegExp) {
  let caught: unknown;
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  if (message) expect((caught as AppError).message).toMatch(message);
  return caught as AppError;
}

describe('first run', () => {
  it('starts with no account at all: no default admin, no default password', () => {
    const { store, service } = setup();
    expect(service.isFirstRun()).toBe(true);
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM accounts').get()).toEqual({ n: 0 });
  });

  it('creates the first admin and signs it in, then refuses a second setup', async () => {
    const { service } = setup();
    const grant = await service.setupFirstAdmin({ username: 'Amina', displayName: 'Amina K', password: PASSWORD });
    expect(grant.account).toMatchObject({ username: 'amina', role: 'admin' });
    expect(grant.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(service.authenticate(grant.sessionId, { touch: true })?.username).toBe('amina');
    expect(service.isFirstRun()).toBe(false);
    await expectAppError(service.setupFirstAdmin({ username: 'eve', displayName: 'Eve', password: PASSWORD }), 'conflict');
  });

  it('makes exactly one admin when two setups race', async () => {
    const { service } = setup();
    const results = await Promise.allSettled([
      service.setupFirstAdmin({ username: 'one', displayName: 'One', password: PASSWORD }),
      service.setupFirstAdmin({ username: 'two', displayName: 'Two', password: PASSWORD }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(service.list()).toHaveLength(1);
  });

  it('keeps the session id out of the database: only its hash is stored', async () => {
    const { store, service } = setup();
    const { sessionId } = await service.setupFirstAdmin({ username: 'amina', displayName: 'A', password: PASSWORD });
    const stored = store.sqlite.prepare('SELECT id FROM sessions').all() as { id: string }[];
    expect(stored).toHaveLength(1);
    expect(stored[0]!.id).not.toContain(sessionId);
  });
});

describe('passwords', () => {
  it('hashes with bcrypt at cost 12 or more in production, stored in the hash itself', async () => {
    expect(BCRYPT_COST).toBeGreaterThanOrEqual(12);
    const { store } = setup();
    // No policy given: what the app itself uses.
    const service = new AccountsService({ db: store.db, sqlite: store.sqlite });
    expect(service.policy.bcryptCost).toBe(BCRYPT_COST);
    await service.setupFirstAdmin({ username: 'amina', displayName: 'A', password: PASSWORD });
    const { password_hash: hash } = store.sqlite.prepare('SELECT password_hash FROM accounts').get() as { password_hash: string };
    expect(hash).toMatch(/^\$2[aby]\$\d\d\$/);
    expect(bcrypt.getRounds(hash)).toBeGreaterThanOrEqual(12);
    expect(hash).not.toContain(PASSWORD);
  });

  it('refuses passwords shorter than 10 characters', async () => {
    const { service } = setup();
    const error = await expectAppError(service.setupFirstAdmin({ username: 'amina', displayName: 'A', password: 'nine char' }), 'invalid_input', /at least 10/);
    expect(error.fields).toHaveProperty('password');
  });

  it('refuses passwords over 72 UTF-8 bytes, counting multi-byte characters, instead of truncating', async () => {
    const { service } = setup();
    const ascii72 = 'a'.repeat(72);
    const ascii73 = 'a'.repeat(73);
    const accented = 'é'.repeat(37); // 37 characters, 74 bytes
    const emoji = '🔑'.repeat(19); // 19 code points, 76 bytes
    await expectAppError(service.create({ username: 'x1', displayName: 'X', role: 'field_worker', password: ascii73 }), 'invalid_input', /72 bytes/);
    await expectAppError(service.create({ username: 'x2', displayName: 'X', role: 'field_worker', password: accented }), 'invalid_input', /72 bytes/);
    await expectAppError(service.create({ username: 'x3', displayName: 'X', role: 'field_worker', password: emoji }), 'invalid_input', /72 bytes/);
    await service.setupFirstAdmin({ username: 'amina', displayName: 'A', password: ascii72 });
    // 72 bytes is the whole password: a 73rd byte would have been ignored by bcrypt, so it must not match.
    await expectAppError(service.login('amina', ascii72 + 'b'), 'unauthenticated');
    expect((await service.login('amina', ascii72)).account.username).toBe('amina');
  });
});

describe('sign-in', () => {
  async function withWorker(policy: Partial<AccountPolicy> = {}) {
    const ctx = setup(policy);
    const admin = await ctx.service.setupFirstAdmin({ username: 'admin', displayName: 'Admin', password: PASSWORD });
    const worker = await ctx.service.create({ username: 'Bola', displayName: 'Bola', role: 'field_worker', password: PASSWORD });
    return { ...ctx, admin, worker };
  }

  it('signs in with the right password, case-insensitively by username', async () => {
    const { service } = await withWorker();
    const grant = await service.login('  BOLA ', PASSWORD);
    expect(grant.account).toMatchObject({ username: 'bola', role: 'field_worker', displayName: 'Bola' });
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const { service } = await withWorker();
    const unknown = await expectAppError(service.login('nobody', PASSWORD), 'unauthenticated');
    const wrong = await expectAppError(service.login('bola', 'wrong password!'), 'unauthenticated');
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.fields).toEqual(wrong.fields);
  });

  it('waits longer after each consecutive failure, capped, and starts over after a success', async () => {
    const { service, waits } = await withWorker();
    for (let i = 0; i < 8; i++) await expectAppError(service.login('bola', 'wrong password!'), 'unauthenticated');
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000, 4000]);
    await service.login('bola', PASSWORD);
    await expectAppError(service.login('bola', 'wrong password!'), 'unauthenticated');
    expect(waits.at(-1)).toBe(250);
  });

  it('locks a username after 100 failures within the hour, whether or not it exists, and unlocks as they age', async () => {
    const { service, clock, store } = await withWorker();
    for (let i = 0; i < 100; i++) {
      for (const username of ['bola', 'ghost']) await expectAppError(service.login(username, 'wrong password!'), 'unauthenticated');
      clock.now += 30_000; // 100 failures each over 50 minutes
    }
    const locked = await expectAppError(service.login('bola', PASSWORD), 'locked', /Too many failed sign-in attempts/);
    const lockedGhost = await expectAppError(service.login('ghost', PASSWORD), 'locked');
    expect(lockedGhost.message.replace(/\d+/g, 'N')).toBe(locked.message.replace(/\d+/g, 'N'));
    expect(store.sqlite.prepare("SELECT COUNT(*) AS n FROM login_failures WHERE username = 'ghost'").get()).toEqual({ n: 100 });
    // Other usernames are not affected.
    expect((await service.login('admin', PASSWORD)).account.username).toBe('admin');
    // The oldest failures leave the one-hour window: sign-in works again.
    clock.now += 60 * 60_000;
    expect((await service.login('bola', PASSWORD)).account.username).toBe('bola');
  });

  it('never lets parallel attempts exceed the hourly limit', async () => {
    const { service, store } = await withWorker({ maxFailures: 10 });
    const attempts = await Promise.allSettled(Array.from({ length: 30 }, () => service.login('bola', 'wrong password!')));
    const codes = attempts.map((a) => (a.status === 'rejected' ? (a.reason as AppError).code : 'ok'));
    expect(codes.filter((c) => c === 'unauthenticated')).toHaveLength(10);
    expect(codes.filter((c) => c === 'locked')).toHaveLength(20);
    expect(store.sqlite.prepare('SELECT COUNT(*) AS n FROM login_failures').get()).toEqual({ n: 10 });
  });

  it('refuses a disabled account and ends its sessions', async () => {
    const { service, admin, worker } = await withWorker();
    const session = await service.login('bola', PASSWORD);
    service.setDisabled(admin.account.id, worker.id, true);
    expect(service.authenticate(session.sessionId, { touch: true })).toBeNull();
    await expectAppError(service.login('bola', PASSWORD), 'forbidden', /disabled/);
    service.setDisabled(admin.account.id, worker.id, false);
    expect((await service.login('bola', PASSWORD)).account.username).toBe('bola');
  });

  it('waits its turn while another connection writes (the sync worker committing a chunk)', async () => {
    const { service, store, admin, worker } = await withWorker();
    const pull = await holdWriteLock(store.file, "INSERT INTO instance_meta (key, value) VALUES ('pull', 'chunk')", 200);
    expect(service.setDisabled(admin.account.id, worker.id, true).disabled).toBe(true);
    await pull.committed;
    expect(store.sqlite.prepare("SELECT value FROM instance_meta WHERE key = 'pull'").pluck().get()).toBe('chunk');
  });
});

describe('sessions', () => {
  it('end 12 hours after sign-in however busy they are', async () => {
    const { service, clock } = setup();
    expect(service.policy.absoluteLifetimeMs).toBe(12 * 60 * 60_000);
    const { sessionId } = await service.setupFirstAdmin({ username: 'amina', displayName: 'A', password: PASSWORD });
    for (let minutes = 0; minutes < 12 * 60; minutes += 20) {
      expect(service.authenticate(sessionId, { touch: true })).not.toBeNull();
      clock.now += 20 * 60_000;
    }
    clock.now += 1;
    expect(service.authenticate(sessionId, { touch: true })).toBeNull();
  });


  it('end after 30 idle minutes; activity keeps them alive, passive checks do not', async () => {
    const { service, clock } = setup();
    expect(service.policy.idleTimeoutMs).toBe(30 * 60_000);
    const { sessionId } = await service.setupFirstAdmin({ username: 'amina', displayName: 'A', password: PASSWORD });
    clock.now += 29 * 60_000;
    expect(service.authenticate(sessionId, { touch: true })).not.toBeNull();
    clock.now += 29 * 60_000; // 58 minutes since sign-in, 29 since the last activity
    expect(service.authenticate(sessionId, { touch: false })).not.toBeNull();
    clock.now += 2 * 60_000; // 31 minutes since the last activity
    expect(service.authenticate(sessionId, { touch: false })).toBeNull();
    clock.now -= 10 * 60_000; // gone for good, even if the clock goes back
    expect(service.authenticate(sessionId, { touch: true })).toBeNull();
  });

  it('end at logout, and none survives a restart of the core', async () => {
    const { service } = setup();
    const first = await service.setupFirstAdmin({ username: 'amina', displayName: 'A', password: PASSWORD });
    const second = await service.login('amina', PASSWORD);
    service.logout(first.sessionId);
    expect(service.authenticate(first.sessionId, { touch: true })).toBeNull();
    expect(service.authenticate(second.sessionId, { touch: true })).not.toBeNull();
    service.endAllSessions();
    expect(service.authenticate(second.sessionId, { touch: true })).toBeNull();
  });

  it('an unknown session id is no session', () => {
    const { service } = setup();
    expect(service.authenticate('made-up', { touch: true })).toBeNull();
  });
});

describe('account management', () => {
  it('creates accounts with unique usernames', async () => {
    const { service } = setup();
    await service.setupFirstAdmin({ username: 'admin', displayName: 'Admin', password: PASSWORD });
    await service.create({ username: 'bola', displayName: 'Bola', role: 'field_worker', password: PASSWORD });
    const taken = await expectAppError(
      service.create({ username: 'BOLA', displayName: 'Other', role: 'admin', password: PASSWORD }),
      'conflict',
    );
    expect(taken.fields).toEqual({ username: 'already taken' });
    expect(service.list().map((a) => [a.username, a.role, a.disabled])).toEqual([
      ['admin', 'admin', false],
      ['bola', 'field_worker', false],
    ]);
  });

  it('resets a password: the old one stops working and the account is signed out elsewhere', async () => {
    const { service } = setup();
    const admin = await service.setupFirstAdmin({ username: 'admin', displayName: 'Admin', password: PASSWORD });
    const worker = await service.create({ username: 'bola', displayName: 'Bola', role: 'field_worker', password: PASSWORD });
    const session = await service.login('bola', PASSWORD);
    await service.resetPassword(worker.id, 'a brand new secret', admin.sessionId);
    expect(service.authenticate(session.sessionId, { touch: true })).toBeNull();
    expect(service.authenticate(admin.sessionId, { touch: true })).not.toBeNull();
    await expectAppError(service.login('bola', PASSWORD), 'unauthenticated');
    expect((await service.login('bola', 'a brand new secret')).account.username).toBe('bola');
  });

  it('changes your own password only with the current one', async () => {
    const { service } = setup();
    const admin = await service.setupFirstAdmin({ username: 'admin', displayName: 'Admin', password: PASSWORD });
    const wrong = await expectAppError(service.changePassword(admin.sessionId, 'not my password', 'another secret!'), 'invalid_input');
    expect(wrong.fields).toHaveProperty('currentPassword');
    await service.changePassword(admin.sessionId, PASSWORD, 'another secret!');
    expect(service.authenticate(admin.sessionId, { touch: true })).not.toBeNull();
    expect((await service.login('admin', 'another secret!')).account.username).toBe('admin');
  });

  it('keeps at least one enabled admin, and admins cannot disable themselves', async () => {
    const { service } = setup();
    const admin = await service.setupFirstAdmin({ username: 'admin', displayName: 'Admin', password: PASSWORD });
    await expectAppError(() => service.setDisabled(admin.account.id, admin.account.id, true), 'conflict');
    const second = await service.create({ username: 'second', displayName: 'Second', role: 'admin', password: PASSWORD });
    expect(service.setDisabled(admin.account.id, second.id, true).disabled).toBe(true);
    await expectAppError(() => service.setDisabled(second.id, admin.account.id, true), 'conflict', /at least one administrator/i);
    await expectAppError(() => service.setDisabled(admin.account.id, 'no-such-id', true), 'not_found');
  });

  it('upgrades a hash made at a lower cost when its owner signs in', async () => {
    const ctx = setup({ bcryptCost: 4 });
    await ctx.service.setupFirstAdmin({ username: 'admin', displayName: 'Admin', password: PASSWORD });
    const stronger = new AccountsService({ db: ctx.store.db, sqlite: ctx.store.sqlite, policy: { bcryptCost: 5 } });
    await stronger.login('admin', PASSWORD);
    const { password_hash: hash } = ctx.store.sqlite.prepare('SELECT password_hash FROM accounts').get() as { password_hash: string };
    expect(bcrypt.getRounds(hash)).toBe(5);
  });
});
