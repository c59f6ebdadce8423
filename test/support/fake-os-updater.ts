import { EventEmitter } from 'node:events';
import type { UpdaterLike } from '../../src/electron/updater-controller';

/**
 * Stands in for electron-updater's autoUpdater (the OS updater, which needs the Electron binary and a
 * real feed): records checks and installs, and emits whatever a test says happened.
 */
export class FakeOsUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  checks = 0;
  installs = 0;
  checkBehaviour: () => Promise<unknown> = async () => null;
  installBehaviour: () => void = () => {};

  checkForUpdates(): Promise<unknown> {
    this.checks += 1;
    return this.checkBehaviour();
  }
  quitAndInstall(): void {
    this.installs += 1;
    this.installBehaviour();
  }
}
