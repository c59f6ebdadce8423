import type { HandlerMap } from '../context';

/** Exports belong to the window or page that started them: another one cannot follow or stop them. */
export const exportHandlers: HandlerMap<'exports.start' | 'exports.status' | 'exports.cancel'> = {
  'exports.start': (input, ctx, { exports }) => exports.start(ctx.clientId, input.kind, input.query),
  'exports.status': (input, ctx, { exports }) => exports.status(ctx.clientId, input.id),
  'exports.cancel': (input, ctx, { exports }) => exports.cancel(ctx.clientId, input.id),
};
