import bcrypt from 'bcryptjs';
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, count, eq, lt, min } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { SqliteDatabase } from '../db/connection';
import type { LocalDrizzle } from '../db/repository';
import { accounts, loginFailures, sessions } from '../db/schema';
import { AppError } from '../shared/app-error';
import type { AccountSummary, SessionAccount } from '../shared/outputs';
import type { AccountRole } from '../shared/vocabulary';
import { comparePassword, hashPassword } from './password-hasher';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS, TOO_LONG_MESSAGE, utf8Length } from './password-policy';

/** Production bcrypt cost; about 250 ms per hash on this machine kind (ARCHITECTURE 7). */
export const BCRYPT_COST = 12;

export interface AccountPolicy {
  bcryptCost: number;
  /** A session unused for this long ends (ms). */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in however busy it is (ms): a stolen one cannot live on. */
  absoluteLifetimeMs: number;
  /** Most failed sign-ins per username within failureWindowMs; more are refused as locked. */
  maxFailures: number;
  failureWindowMs: number;
  /** Delay before answering the n-th consecutive failure: base * 2^(n-1), at most max (ms). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_ACCOUNT_POLICY: AccountPolicy = {
  bcryptCost: BCRYPT_COST,
  idleTimeoutMs: 30 * 60_000,
  absoluteLifetimeMs: 12 * 60 * 60_000,
  maxFailures: 100,
  failureWindowMs: 60 * 60_000,
  backoffBaseMs: 250,
  backoffMaxMs: 4000,
};

export interface AccountsServiceOptions {
  db: LocalDrizzle;
  sqlite: SqliteDatabase;
  now?: () => number;
  /** How the back-off waits; tests pass one that records the delay instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Only tests loosen the policy (a lower bcrypt cost, a shorter idle timeout). */
  policy?: Partial<AccountPolicy>;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: AccountRole;
  password: string;
}

/** A signed-in session: the id stays in the core (never sent to the renderer). */
export interface SessionGrant {
  sessionId: string;
  account: SessionAccount;
}

type AccountRow = typeof accounts.$inferSelect;

const BAD_CREDENTIALS = 'Wrong username or password.';
const SESSION_ID_BYTES = 32; // 256 bits

const normalizeUsername = (username: string) => username.trim().toLowerCase();
/** Stored hashed: a copied database file holds no usable session. */
const sessionKey = (sessionId: string) => createHash('sha256').update(sessionId).digest('hex');

function toSessionAccount(row: AccountRow): SessionAccount {
  return { id: row.id, username: row.username, displayName: row.displayName, role: row.role };
}
function toSummary(row: AccountRow): AccountSummary {
  return { ...toSessionAccount(row), disabled: row.disabled, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

/**
 * Local accounts: first-run admin setup, sign-in with back-off and lockout, sessions with an idle
 * timeout and an absolute lifetime, and the admin's account management. bcrypt runs on a worker
 * thread (password-hasher.ts) so hashing never blocks the event loop for the ~250 ms a hash takes. Its transactions take the write lock as they
 * begin (immediate): the sync worker commits on its own connection, and a transaction that had read
 * before such a commit could not write after it (SQLITE_BUSY) instead of waiting its turn.
 */
export class AccountsService {
  readonly policy: AccountPolicy;
  private readonly db: LocalDrizzle;
  private readonly sqlite: SqliteDatabase;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Consecutive failures per username since its last success: drives the back-off (memory only). */
  private readonly consecutiveFailures = new Map<string, number>();
  /**
   * Compared against when the username is unknown, so that answer takes as long as a wrong password.
   * Made at start, not at the first unknown name, whose extra hashing time would give it away.
   */
  private readonly dummyHash: Promise<string>;

  constructor(options: AccountsServiceOptions) {
    this.db = options.db;
    this.sqlite = options.sqlite;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.policy = { ...DEFAULT_ACCOUNT_POLICY, ...options.policy };
    if (this.policy.bcryptCost < 4 || this.policy.bcryptCost > 31) throw new Error('bcrypt cost must be 4..31');
    if (this.policy.maxFailures > DEFAULT_ACCOUNT_POLICY.maxFailures) throw new Error('at most 100 failures per window');
    this.dummyHash = hashPassword(randomBytes(16).toString('hex'), this.policy.bcryptCost);
    // Awaited by the first sign-in of an unknown name, which reports a failure; not a crash before that.
    this.dummyHash.catch(() => undefined);
  }

  isFirstRun(): boolean {
    return (this.db.select({ n: count() }).from(accounts).get()?.n ?? 0) === 0;
  }

  /** Creates the first admin and signs it in; refused once any account exists. */
  async setupFirstAdmin(input: Omit<NewAccount, 'role'>): Promise<SessionGrant> {
    if (!this.isFirstRun()) throw new AppError('conflict', 'An administrator already exists: sign in instead.');
    const row = this.newAccountRow({ ...input, role: 'admin' }, await this.hash(input.password));
    return this.sqlite.transaction(() => {
      // Checked again inside the write: two setup calls racing through the hash make one admin.
      if (!this.isFirstRun()) throw new AppError('conflict', 'An administrator already exists: sign in instead.');
      this.db.insert(accounts).values(row).run();
      return this.openSession(row);
    }).immediate();
  }

  /**
   * Signs in. Unknown user and wrong password get the same answer after the same work (a hash
   * comparison against a dummy). Each attempt is recorded before the comparison and the record is
   * removed on success, so no number of parallel attempts exceeds the hourly limit.
   */
  async login(username: string, password: string): Promise<SessionGrant> {
    const name = normalizeUsername(username);
    const attempt = this.recordAttempt(name);
    const account = this.findByUsername(name);
    const tooLong = utf8Length(password) > PASSWORD_MAX_BYTES;
    const matches = (await comparePassword(password, account?.passwordHash ?? (await this.dummyHash))) && !tooLong;

    if (!account || !matches) {
      const failures = (this.consecutiveFailures.get(name) ?? 0) + 1;
      this.consecutiveFailures.set(name, failures);
      await this.sleep(this.backoffMs(failures));
      throw new AppError('unauthenticated', BAD_CREDENTIALS);
    }
    this.db.delete(loginFailures).where(eq(loginFailures.id, attempt)).run();
    this.consecutiveFailures.delete(name);
    if (account.disabled) throw new AppError('forbidden', 'This account is disabled. Ask an administrator to enable it.');
    if (bcrypt.getRounds(account.passwordHash) < this.policy.bcryptCost) {
      await this.setPasswordHash(account.id, await this.hash(password));
    }
    return this.openSession(account);
  }

  /** The delay before answering the n-th consecutive failure (ms). */
  backoffMs(consecutiveFailures: number): number {
    if (consecutiveFailures < 1) return 0;
    return Math.min(this.policy.backoffBaseMs * 2 ** (consecutiveFailures - 1), this.policy.backoffMaxMs);
  }

  /**
   * The account behind a session, or null when there is none, it sat idle past the timeout, or its
   * account was disabled (the session ends then). `touch` counts the call as activity.
   */
  authenticate(sessionId: string, options: { touch: boolean }): SessionAccount | null {
    const key = sessionKey(sessionId);
    const found = this.db
      .select({ session: sessions, account: accounts })
      .from(sessions)
      .innerJoin(accounts, eq(accounts.id, sessions.accountId))
      .where(eq(sessions.id, key))
      .get();
    if (!found) return null;
    const now = this.now();
    const expired = now - found.session.lastSeenAt > this.policy.idleTimeoutMs || now - found.session.createdAt > this.policy.absoluteLifetimeMs;
    if (expired || found.account.disabled) {
      this.db.delete(sessions).where(eq(sessions.id, key)).run();
      return null;
    }
    if (options.touch) this.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, key)).run();
    return toSessionAccount(found.account);
  }

  logout(sessionId: string): void {
    this.db.delete(sessions).where(eq(sessions.id, sessionKey(sessionId))).run();
  }

  /** Sessions live as long as the page that holds them; none survives a restart of the core. */
  endAllSessions(): void {
    this.db.delete(sessions).run();
  }

  async changePassword(sessionId: string, currentPassword: string, newPassword: string): Promise<void> {
    const account = this.authenticate(sessionId, { touch: true });
    const row = account && this.findById(account.id);
    if (!row) throw new AppError('unauthenticated', 'Sign in first.');
    if (!(await comparePassword(currentPassword, row.passwordHash))) {
      throw new AppError('invalid_input', 'The current password is wrong.', { currentPassword: 'wrong password' });
    }
    await this.setPasswordHash(row.id, await this.hash(newPassword), sessionId);
  }

  list(): AccountSummary[] {
    return this.db.select().from(accounts).orderBy(asc(accounts.username)).all().map(toSummary);
  }

  async create(input: NewAccount): Promise<AccountSummary> {
    const row = this.newAccountRow(input, await this.hash(input.password));
    if (this.findByUsername(row.username)) {
      throw new AppError('conflict', `The username "${row.username}" is taken.`, { username: 'already taken' });
    }
    this.db.insert(accounts).values(row).run();
    return toSummary(row);
  }

  /** Disabling ends the account's sessions. The last enabled admin, and yourself, stay enabled. */
  setDisabled(actingAccountId: string, id: string, disabled: boolean): AccountSummary {
    return this.sqlite.transaction(() => {
      const row = this.requireAccount(id);
      if (disabled && id === actingAccountId) throw new AppError('conflict', 'You cannot disable your own account.');
      if (disabled && row.role === 'admin' && !row.disabled && this.enabledAdmins() <= 1) {
        throw new AppError('conflict', 'At least one administrator must stay enabled.');
      }
      this.db.update(accounts).set({ disabled, updatedAt: this.now() }).where(eq(accounts.id, id)).run();
      if (disabled) this.db.delete(sessions).where(eq(sessions.accountId, id)).run();
      return toSummary(this.requireAccount(id));
    }).immediate();
  }

  /** Sets a new password; the account's other sessions end (the caller's own stays). */
  async resetPassword(id: string, password: string, keepSessionId?: string): Promise<AccountSummary> {
    this.requireAccount(id);
    await this.setPasswordHash(id, await this.hash(password), keepSessionId);
    return toSummary(this.requireAccount(id));
  }

  private async hash(password: string): Promise<string> {
    // The contract validates first; checked again so no other caller can store a truncated password.
    if (password.length < PASSWORD_MIN_CHARS) {
      throw new AppError('invalid_input', `The password needs at least ${PASSWORD_MIN_CHARS} characters.`, {
        password: `at least ${PASSWORD_MIN_CHARS} characters`,
      });
    }
    if (utf8Length(password) > PASSWORD_MAX_BYTES || bcrypt.truncates(password)) {
      throw new AppError('invalid_input', `The password is too long: ${TOO_LONG_MESSAGE}.`, { password: TOO_LONG_MESSAGE });
    }
    return hashPassword(password, this.policy.bcryptCost);
  }

  private async setPasswordHash(id: string, passwordHash: string, keepSessionId?: string): Promise<void> {
    this.sqlite.transaction(() => {
      this.db.update(accounts).set({ passwordHash, updatedAt: this.now() }).where(eq(accounts.id, id)).run();
      const others = this.db.select({ id: sessions.id }).from(sessions).where(eq(sessions.accountId, id)).all();
      const keep = keepSessionId === undefined ? null : sessionKey(keepSessionId);
      for (const session of others) {
        if (session.id !== keep) this.db.delete(sessions).where(eq(sessions.id, session.id)).run();
      }
    }).immediate();
  }

  /** Counts the attempt against the hourly limit, or refuses it as locked. Returns the record's id. */
  private recordAttempt(username: string): number {
    return this.sqlite.transaction(() => {
      const now = this.now();
      const windowStart = now - this.policy.failureWindowMs;
      this.db.delete(loginFailures).where(lt(loginFailures.at, windowStart)).run();
      const recent = this.db
        .select({ n: count(), oldest: min(loginFailures.at) })
        .from(loginFailures)
        .where(eq(loginFailures.username, username))
        .get();
      if ((recent?.n ?? 0) >= this.policy.maxFailures) {
        const minutes = Math.max(1, Math.ceil(((recent?.oldest ?? now) + this.policy.failureWindowMs - now) / 60_000));
        throw new AppError('locked', `Too many failed sign-in attempts. Try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`);
      }
      return this.db.insert(loginFailures).values({ username, at: now }).returning({ id: loginFailures.id }).get().id;
    }).immediate();
  }

  private openSession(account: AccountRow): SessionGrant {
    const sessionId = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const now = this.now();
    this.db.insert(sessions).values({ id: sessionKey(sessionId), accountId: account.id, createdAt: now, lastSeenAt: now }).run();
    return { sessionId, account: toSessionAccount(account) };
  }

  private newAccountRow(input: NewAccount, passwordHash: string): AccountRow {
    const now = this.now();
    return {
      id: uuidv7(),
      username: normalizeUsername(input.username),
      displayName: input.displayName.trim(),
      role: input.role,
      passwordHash,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
  }

  private enabledAdmins(): number {
    return (
      this.db
        .select({ n: count() })
        .from(accounts)
        .where(and(eq(accounts.role, 'admin'), eq(accounts.disabled, false)))
        .get()?.n ?? 0
    );
  }

  private findByUsername(username: string): AccountRow | undefined {
    return this.db.select().from(accounts).where(eq(accounts.username, normalizeUsername(username))).get();
  }

  private findById(id: string): AccountRow | undefined {
    return this.db.select().from(accounts).where(eq(accounts.id, id)).get();
  }

  private requireAccount(id: string): AccountRow {
    const row = this.findById(id);
    if (!row) throw new AppError('not_found', 'No such account.');
    return row;
  }
}
