import type { HandlerMap } from '../context';

export const accountHandlers: HandlerMap<'accounts.list' | 'accounts.create' | 'accounts.setDisabled' | 'accounts.resetPassword'> = {
  'accounts.list': (_input, _ctx, core) => core.accounts.list(),
  'accounts.create': (input, _ctx, core) => core.accounts.create(input),
  'accounts.setDisabled': (input, ctx, core) => core.accounts.setDisabled(ctx.account.id, input.id, input.disabled),
  'accounts.resetPassword': (input, ctx, core) => core.accounts.resetPassword(input.id, input.password, ctx.sessionId),
};
