import type { UpdateStatus } from '../shared/outputs';

/**
 * What the core needs from an auto-updater. The Electron shell implements it with electron-updater;
 * everywhere else (tests, the browser host, an unpackaged app) the disabled one stands in.
 */
export interface UpdaterPort {
  status(): UpdateStatus;
  /** Looks for an update; never rejects for a failed check (the status says what happened). */
  check(): Promise<void>;
  /** Quits and installs a downloaded update (state 'ready'); does nothing otherwise. */
  install(): void;
  /** An administrator's switch (BLOS_DISABLE_UPDATES): off stops checking, downloading and installing. */
  setTurnedOff(off: boolean): void;
}

export const disabledUpdater: UpdaterPort = {
  status: () => ({ state: 'disabled', message: 'Updates are not available in this build.' }),
  check: async () => {},
  install: () => {},
  setTurnedOff: () => {},
};
