import type { UpdaterPort } from '../core/updater';
import type { UpdateStatus } from '../shared/outputs';

/**
 * The part of electron-updater's `autoUpdater` the controller drives. Only main.ts hands in the real
 * one; tests drive the controller with an EventEmitter standing in for the OS updater.
 */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'checking-for-update', listener: () => void): unknown;
  on(event: 'update-available' | 'update-not-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
  on(event: 'error', listener: (error: Error, message?: string) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

/** Why updates are off here, or null when they can run. */
export function updatesDisabledReason(options: {
  isPackaged: boolean;
  feedUrl: string | undefined;
  env: Record<string, string | undefined>;
}): string | null {
  if (!options.isPackaged) return 'Updates are off: this app is not an installed build.';
  if (options.env.NODE_ENV === 'test' || options.env.BLOS_DISABLE_UPDATES === '1') return 'Updates are off in tests.';
  if (!options.feedUrl) return 'Updates are off: no update address (BLOS_UPDATE_URL) is configured.';
  return null;
}

export const DEFAULT_CHECK_INTERVAL_MS = 4 * 60 * 60 * 1000;

export interface UpdaterControllerOptions {
  /** Built only when updates are enabled, so a disabled app never touches electron-updater. */
  createUpdater: () => UpdaterLike;
  disabledReason: string | null;
  feedUrl: string | undefined;
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
  private readonly log: (message: string) => void;
  private readonly timers: NonNullable<UpdaterControllerOptions['timers']>;

  constructor(private readonly options: UpdaterControllerOptions) {
    this.log = options.log ?? (() => {});
    this.timers = options.timers ?? { setInterval, clearInterval };
    this.current = options.disabledReason ? { state: 'disabled', message: options.disabledReason } : { state: 'idle' };
  }

  status(): UpdateStatus {
    return { ...this.current };
  }

  /** Starts the first check and the periodic ones; does nothing when updates are disabled. */
  start(): void {
    if (this.options.disabledReason || this.updater) return;
    try {
      const updater = this.options.createUpdater();
      updater.autoDownload = true;
      updater.autoInstallOnAppQuit = true;
      updater.setFeedURL({ provider: 'generic', url: this.options.feedUrl ?? '' });
      this.listen(updater);
      this.updater = updater;
    } catch (error) {
      this.fail(error);
      return;
    }
    void this.check();
    this.timer = this.timers.setInterval(() => void this.check(), this.options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
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
