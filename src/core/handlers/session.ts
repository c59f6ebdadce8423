import { hasRecoveryCode, issueRecoveryCode } from '../../db/database-key';
import type { HandlerMap } from '../context';

/**
 * Public handlers get the caller's context as it is (account may be null): the type says signed in
 * only because one map holds all handlers; these never rely on it.
 */
export const sessionHandlers: HandlerMap<
  'session.status' | 'session.setupAdmin' | 'session.login' | 'session.logout' | 'session.changePassword'
> = {
  'session.status': (_input, ctx, core) => ({
    firstRun: core.accounts.isFirstRun(),
    account: ctx.account ?? null,
    idleTimeoutMs: core.accounts.policy.idleTimeoutMs,
  }),

  'session.setupAdmin': async (input, ctx, core) => {
    const grant = await core.accounts.setupFirstAdmin(input);
    ctx.bindSession(grant.sessionId);
    // Shown once, to the first administrator: the way back in when the keychain or key file is lost.
    const { file, key } = core.store;
    const recoveryCode = key && !hasRecoveryCode(file) ? issueRecoveryCode(file, key) : null;
    return { account: grant.account, recoveryCode };
  },

  'session.login': async (input, ctx, core) => {
    const grant = await core.accounts.login(input.username, input.password);
    ctx.bindSession(grant.sessionId);
    return grant.account;
  },

  'session.logout': (_input, ctx) => {
    ctx.bindSession(null);
    return null;
  },

  'session.changePassword': async (input, ctx, core) => {
    await core.accounts.changePassword(ctx.sessionId, input.currentPassword, input.newPassword);
    return null;
  },
};
