import { ConfigError, loadClientConfig } from '../../config/env';
import { AppError } from '../../shared/app-error';
import type { HandlerMap } from '../context';
import { updateUserEnv } from '../user-env-file';

export const appHandlers: HandlerMap<'app.about' | 'updates.status' | 'updates.check' | 'updates.install' | 'updates.setEnabled'> = {
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
  'updates.setEnabled': ({ enabled }, _ctx, core) => {
    if ((core.env.BLOS_DISABLE_UPDATES ?? '') !== '') {
      throw new AppError('invalid_input', 'On this PC updates are switched by the environment variable BLOS_DISABLE_UPDATES: change it there.');
    }
    try {
      updateUserEnv(core.dataDir, { BLOS_DISABLE_UPDATES: enabled ? undefined : '1' });
      core.config = loadClientConfig(core.configFolders, core.env);
    } catch (error) {
      if (error instanceof ConfigError) throw new AppError('invalid_input', error.message);
      throw error;
    }
    core.updater.setTurnedOff(core.config.BLOS_DISABLE_UPDATES === '1');
    return core.updater.status();
  },
};
