import path from 'node:path';
import type { UpdaterPort } from '../core/updater';
import type { UpdateStatus } from '../shared/outputs';

/**
 * The part of electron-updater's `autoUpdater` the controller drives. Only main.ts hands in the real
 * one; tests drive the controller with an EventEmitter standing in for the OS updater. The feed is not
 * set here: electron-updater reads it, with the publisher name Windows signatures are checked against,
 * from the app-update.yml baked in at build time.
 */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'checking-for-update', listener: () => void): unknown;
  on(event: 'update-available' | 'update-not-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
  on(event: 'error', listener: (error: Error, message?: string) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** Where electron-builder bakes the feed: app-update.yml in the resources folder, beside app.asar. */
export function bakedFeedFile(appPath: string): string {
  return path.join(path.dirname(appPath), 'app-update.yml');
}

/** Why updates cannot run in this app at all, or null when they can (an administrator may still turn them off). */
export function updatesDisabledReason(options: { isPackaged: boolean; hasFeed: boolean; env: Record<string, string | undefined> }): string | null {
  if (!options.isPackaged) return 'Updates are off: this app is not an installed build.';
  if (options.env.NODE_ENV === 'test') return 'Updates are off in tests.';
  if (!options.hasFeed) return 'Updates are off: this build was made without an update address.';
  return null;
}

export const TURNED_OFF_MESSAGE = 'Updates are turned off on this PC. An administrator can turn them on again.';

export const DEFAULT_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;

export interface UpdaterControllerOptions {
  /** Built only when updates are enabled, so a disabled app never touches electron-updater. */
  createUpdater: () => UpdaterLike;
  disabledReason: string | null;
  /** Turned off by an administrator (BLOS_DISABLE_UPDATES=1); setTurnedOff changes it while running. */
  turnedOff?: boolean;
  checkIntervalMs?: number;
  log?: (message: string) => void;
  timers?: { setInterval: typeof setInterval; clearInterval: typeof clearInterval };
}

/**
 * Runs electron-updater for the UI: checks at start and every few hours, downloads in the background,
 * installs on quit (or at once via install()). Every failure, thrown, emitted or rejected, ends in
 * the 'error' status and a log line; nothing here may throw into the running app.
 */
export class UpdaterController implements UpdaterPort {
  private current: UpdateStatus;
  private updater: UpdaterLike | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private turnedOff: boolean;
  private readonly log: (message: string) => void;
  private readonly timers: NonNullable<UpdaterControllerOptions['timers']>;

  constructor(private readonly options: UpdaterControllerOptions) {
    this.log = options.log ?? (() => {});
    this.timers = options.timers ?? { setInterval, clearInterval };
    this.turnedOff = options.turnedOff ?? false;
    this.current = this.restingStatus();
  }

  status(): UpdateStatus {
    return { ...this.current };
  }

  /** Starts the first check and the periodic ones; does nothing when updates are disabled or turned off. */
  start(): void {
    if (this.options.disabledReason || this.turnedOff || this.updater) return;
    try {
      const updater = this.options.createUpdater();
      updater.autoDownload = true;
      updater.autoInstallOnAppQuit = true;
      this.listen(updater);
      this.updater = updater;
    } catch (error) {
      this.fail(error);
      return;
    }
    void this.check();
    this.timer = this.timers.setInterval(() => void this.check(), this.options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
  }

  /**
   * Turns updates off (no more checks or downloads, and a downloaded update is not installed on quit)
   * or on again (checks at once).
   */
  setTurnedOff(off: boolean): void {
    if (off === this.turnedOff) return;
    this.turnedOff = off;
    if (off) {
      if (this.updater) {
        this.updater.autoDownload = false;
        this.updater.autoInstallOnAppQuit = false;
      }
      this.stop();
      this.log('updates turned off');
    } else {
      this.log('updates turned on');
    }
    this.current = this.restingStatus();
    this.start();
  }

  async check(): Promise<void> {
    const updater = this.updater;
    // A check while one runs or a download is under way or done would only restart the same work.
    if (!updater || ['checking', 'downloading', 'ready'].includes(this.current.state)) return;
    this.current = { state: 'checking' };
    try {
      await updater.checkForUpdates();
      // electron-updater resolves without an event when it skips a check; do not stay 'checking'.
      if (this.current.state === 'checking') this.current = { state: 'idle' };
    } catch (error) {
      this.fail(error);
    }
  }

  install(): void {
    if (!this.updater || this.current.state !== 'ready') return;
    try {
      this.updater.quitAndInstall(false, true);
    } catch (error) {
      // The download is still there: stay 'ready' so the user can try again or install on quit.
      const message = errorMessage(error);
      this.log(`update install failed: ${message}`);
      this.current = { ...this.current, message: `The update could not be installed now: ${message}` };
    }
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearInterval(this.timer);
    this.timer = null;
    this.updater?.removeAllListeners();
    this.updater = null;
  }

  private listen(updater: UpdaterLike): void {
    updater.on('checking-for-update', () => this.set({ state: 'checking' }));
    updater.on('update-not-available', () => this.set({ state: 'up-to-date' }));
    updater.on('update-available', (info) => this.set({ state: 'available', version: info?.version }));
    updater.on('download-progress', (progress) =>
      this.set({ state: 'downloading', version: this.current.version, progress: clampPercent(progress?.percent) }),
    );
    updater.on('update-downloaded', (info) =>
      this.set({ state: 'ready', version: info?.version ?? this.current.version, message: 'Restart to install the update.' }),
    );
    updater.on('error', (error) => this.fail(error));
  }

  private restingStatus(): UpdateStatus {
    if (this.options.disabledReason) return { state: 'disabled', message: this.options.disabledReason };
    if (this.turnedOff) return { state: 'disabled', message: TURNED_OFF_MESSAGE, turnedOff: true };
    return { state: 'idle' };
  }

  private set(status: UpdateStatus): void {
    this.current = status;
  }

  private fail(error: unknown): void {
    const message = errorMessage(error);
    this.log(`update failed: ${message}`);
    // A failed check after a finished download must not hide that the update is ready to install.
    if (this.current.state === 'ready') return;
    this.current = { state: 'error', message: `The update could not be completed: ${message}` };
  }
}

function clampPercent(percent: unknown): number {
  return typeof percent === 'number' && Number.isFinite(percent) ? Math.min(100, Math.max(0, Math.round(percent))) : 0;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
