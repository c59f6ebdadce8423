import type { HandlerMap } from '../context';

export const appHandlers: HandlerMap<'app.about' | 'updates.status' | 'updates.check' | 'updates.install'> = {
  'app.about': (_input, _ctx, core) => ({ version: core.version, machineId: core.store.machineId, update: core.updater.status() }),
  'updates.status': (_input, _ctx, { updater }) => updater.status(),
  'updates.check': async (_input, _ctx, { updater }) => {
    await updater.check();
    return updater.status();
  },
  'updates.install': (_input, _ctx, { updater }) => {
    updater.install();
    return null;
  },
};
