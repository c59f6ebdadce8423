import { SYNCED_TABLE_NAMES, type SyncedTableName } from '../db/schema';
import type { LocalStore } from '../db/local-store';
import { LIMITS } from '../protocol/wire';
import { SyncLedger } from './ledger';
import { DEFAULT_BATCH_LIMITS, Outbox, type BatchLimits } from './outbox';
import { withoutAutocheckpoint } from '../db/connection';
import { asStorageFault } from '../db/storage-fault';
import { pullInWorker, pushInWorker } from './sync-thread';
import type { SyncStatus } from './status';
import { SyncError, SyncTransport } from './transport';
import type { ClientConfig } from '../config/env';

export interface SyncConfig {
  /** Base URL of the sync server, no trailing slash; null disables sync. */
  serverUrl: string | null;
  /** The shared API key (64 hex); null disables sync. */
  apiKey: string | null;
  /** How often to pull (and push what is due) when nothing else triggers a sync (ms). */
  pullIntervalMs: number;
}

/** The engine's settings from the validated configuration (environment and .env). */
export function syncConfigFrom(config: ClientConfig): SyncConfig {
  return {
    serverUrl: config.SYNC_SERVER_URL ?? null,
    apiKey: config.SYNC_API_KEY ?? null,
    pullIntervalMs: config.SYNC_PULL_INTERVAL_MS,
  };
}

export interface SyncEngineOptions {
  store: LocalStore;
  config: SyncConfig;
  /** Quiet time after the last local write before a sync pushes it (ms). */
  pushDebounceMs?: number;
  /** First back-off delay after a failure; it doubles per failure, with jitter, up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * First delay after the server refused the key or the request (HTTP 401, 403, other 4xx): a
   * captive portal or a wrong server on the port may be gone soon, but asking every few seconds
   * would not help. It doubles like the others, up to retryMaxMs.
   */
  refusedRetryMs?: number;
  /** Rows asked for per pull request (default: the protocol's largest page). */
  pullPageSize?: number;
  /** Rows applied per transaction: bounds how long a local write may wait for the pull. */
  pullApplyRows?: number;
  batchLimits?: BatchLimits;
}

/** What the last completed exchange did. */
export interface SyncReport {
  /** Records sent to the server (each due record once). */
  pushed: number;
  applied: number;
  superseded: number;
  rejected: number;
  /** Records received from the server. */
  pulled: number;
  /** Last-write-wins decisions between an unsent local version and a different remote one. */
  conflicts: number;
  /** Pulled children still waiting for their household. */
  parked: number;
}

/**
 * Rows applied per transaction by the sync worker. Each commit rewrites the last pages of every table
 * and index it touched, so smaller chunks write more; a local write made meanwhile waits for the
 * chunk being committed, so larger ones keep it waiting longer (figures in docs/sync-engine.md).
 */
export const DEFAULT_PULL_APPLY_ROWS = 500;

const DEFAULTS = { pushDebounceMs: 1000, retryBaseMs: 2000, retryMaxMs: 5 * 60_000, refusedRetryMs: 60_000, pendingRefreshMs: 100 };

function emptyPending(): Record<SyncedTableName, number> {
  return Object.fromEntries(SYNCED_TABLE_NAMES.map((t) => [t, 0])) as Record<SyncedTableName, number>;
}

/**
 * Keeps one local database in step with the sync server (ARCHITECTURE 3.7): a sync (health check,
 * pull, push) runs at start, shortly after local writes, every pull interval, and after a failure
 * with exponential back-off and jitter. One sync runs at a time; a request for another while one
 * runs is served by a single follow-up run. Entry never waits for any of this.
 */
export class SyncEngine {
  private config: SyncConfig;
  private readonly store: LocalStore;
  private readonly options: Required<Omit<SyncEngineOptions, 'store' | 'config'>>;
  private readonly outbox: Outbox;
  private readonly ledger: SyncLedger;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private current: SyncStatus;
  private report: SyncReport | null = null;

  private started = false;
  private stopped = false;
  private running: Promise<void> | null = null;
  private followUp: Promise<SyncStatus> | null = null;
  private controller: AbortController | null = null;
  private failures = 0;
  private lastPullCompletedAt: number | null = null;
  private nextTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private pendingTimer: NodeJS.Timeout | null = null;
  private unsubscribeWrites: (() => void) | null = null;

  constructor(options: SyncEngineOptions) {
    this.store = options.store;
    this.config = { ...options.config };
    this.options = {
      pushDebounceMs: options.pushDebounceMs ?? DEFAULTS.pushDebounceMs,
      retryBaseMs: options.retryBaseMs ?? DEFAULTS.retryBaseMs,
      retryMaxMs: options.retryMaxMs ?? DEFAULTS.retryMaxMs,
      refusedRetryMs: options.refusedRetryMs ?? DEFAULTS.refusedRetryMs,
      pullPageSize: options.pullPageSize ?? LIMITS.pullMax,
      pullApplyRows: options.pullApplyRows ?? DEFAULT_PULL_APPLY_ROWS,
      batchLimits: options.batchLimits ?? DEFAULT_BATCH_LIMITS,
    };
    this.outbox = new Outbox(this.store);
    this.ledger = new SyncLedger(this.store);
    const state = this.ledger.state();
    this.current = {
      state: this.enabled() ? 'offline' : 'disabled',
      serverUrl: this.config.serverUrl,
      pending: emptyPending(),
      pendingTotal: 0,
      rejected: [],
      lastPushAt: state.lastPushAt,
      lastPullAt: state.lastPullAt,
      lastSuccessAt: null,
      lastError: state.lastError,
      clockWarning: null,
      nextRetryAt: null,
    };
    this.refresh();
  }

  get status(): SyncStatus {
    return this.current;
  }

  /** What the last successful sync did (null before the first). */
  get lastReport(): SyncReport | null {
    return this.report;
  }

  /** Calls `listener` with every new status; returns the unsubscribe function. */
  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts syncing in the background: now, after local writes, and on the pull timer. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribeWrites = this.store.onLocalWrite(() => this.localWrite());
    this.schedule(0);
  }

  /** Stops timers, aborts the exchange in flight and waits for it to settle. The store stays open. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribeWrites?.();
    this.unsubscribeWrites = null;
    for (const timer of [this.nextTimer, this.debounceTimer, this.pendingTimer]) if (timer) clearTimeout(timer);
    this.nextTimer = this.debounceTimer = this.pendingTimer = null;
    this.controller?.abort(new Error('sync stopped'));
    await this.running?.catch(() => undefined);
    await this.followUp?.catch(() => undefined);
    if (this.current.nextRetryAt !== null) this.update({ nextRetryAt: null });
  }

  /** Runs a full sync now (or joins the follow-up of the one running) and returns the status after it. */
  syncNow(): Promise<SyncStatus> {
    if (this.running) {
      this.followUp ??= this.running.then(() => {
        this.followUp = null;
        return this.runExclusive();
      });
      return this.followUp;
    }
    return this.runExclusive();
  }

  /** Applies new settings (from the settings screen) and syncs with them. */
  updateConfig(config: Partial<SyncConfig>): void {
    this.config = { ...this.config, ...config };
    this.failures = 0;
    this.controller?.abort(new Error('configuration changed'));
    this.update({ serverUrl: this.config.serverUrl, state: this.enabled() ? 'offline' : 'disabled', nextRetryAt: null, lastError: null });
    if (this.started && !this.stopped) this.schedule(0);
  }

  private enabled(): boolean {
    return Boolean(this.config.serverUrl && this.config.apiKey);
  }

  private runExclusive(): Promise<SyncStatus> {
    if (this.stopped || !this.enabled()) {
      this.refresh();
      return Promise.resolve(this.current);
    }
    if (this.nextTimer) clearTimeout(this.nextTimer);
    this.nextTimer = null;
    const run = this.runCycle()
      // A background sync is awaited by nobody: a failure even while recording a failure (the
      // database itself broken) must end as a status, never as a rejection that ends the process;
      // the next try waits the longest back-off.
      .catch((error: unknown) => {
        this.update({ state: 'offline', lastError: messageOf(error, this.store.file), nextRetryAt: this.started ? Date.now() + this.options.retryMaxMs : null });
        this.schedule(this.options.retryMaxMs);
      })
      .finally(() => {
        if (this.running === run) this.running = null;
      });
    this.running = run;
    return run.then(() => this.current);
  }

  private async runCycle(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const { signal } = controller;
    const server = { serverUrl: this.config.serverUrl!, apiKey: this.config.apiKey! };
    const transport = new SyncTransport(server, this.store.machineId);
    const target = { file: this.store.file, key: this.store.key?.toString('hex') ?? null, server, machineId: this.store.machineId };
    const pullRequest = { ...target, pageSize: this.options.pullPageSize, applyRows: this.options.pullApplyRows };
    const previous = this.current.state;
    this.update({ state: 'syncing', nextRetryAt: null });
    try {
      // Connectivity means the server answers, not that an interface is up (ARCHITECTURE 3.7). Once
      // online, the exchange itself proves it; the health check runs when coming back from offline.
      if (previous !== 'online') await transport.health(signal);
      // Pull first: a local edit that meets a concurrent remote one is decided (and logged) here.
      // Pull and push run on the sync worker, whose connection checkpoints the log as it goes; a local
      // write meanwhile must not copy a log that a large pull has grown, here on the main thread.
      const pull = () => pullInWorker(pullRequest, this.store.clock, signal);
      const { pulled, pushed } = await withoutAutocheckpoint(this.store.sqlite, async () => {
        const pulled = await pull();
        const pushed = await pushInWorker({ ...target, limits: this.options.batchLimits }, signal);
        if (pushed.superseded > 0) {
          // The winners of the superseded records are on the server now: fetch them so each conflict
          // is decided and logged on this PC within the same exchange.
          const more = await pull();
          pulled.received += more.received;
          pulled.conflicts += more.conflicts;
          pulled.parked = more.parked;
        }
        return { pulled, pushed };
      });
      this.report = {
        pushed: pushed.sent,
        applied: pushed.applied,
        superseded: pushed.superseded,
        rejected: pushed.rejected,
        pulled: pulled.received,
        conflicts: pulled.conflicts,
        parked: pulled.parked,
      };
      this.failures = 0;
      this.storeError(null);
      // Stored only when a pull brings changes (with the cursor); an empty pull is noted in memory.
      this.lastPullCompletedAt = Date.now();
      this.refresh({ state: 'online', lastError: null, lastSuccessAt: Date.now() });
      this.schedule(this.config.pullIntervalMs);
    } catch (error) {
      if (signal.aborted) {
        this.refresh({ state: this.enabled() ? 'offline' : 'disabled' });
        return;
      }
      this.fail(error);
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  private fail(error: unknown): void {
    const message = messageOf(error, this.store.file);
    this.storeError(message);
    // A refusal (wrong key or URL, or something else answering there) is retried too, more slowly:
    // a captive portal or another server on the port goes away, and then sync resumes by itself.
    const refused = error instanceof SyncError && error.kind === 'configuration';
    this.failures++;
    const base = refused ? Math.max(this.options.refusedRetryMs, this.options.retryBaseMs) : this.options.retryBaseMs;
    const ceiling = Math.min(Math.max(this.options.retryMaxMs, base), base * 2 ** (this.failures - 1));
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    const reachable = error instanceof SyncError && error.status !== undefined && !refused;
    this.refresh({ state: refused ? 'refused' : reachable ? 'online' : 'offline', lastError: message, nextRetryAt: this.started ? Date.now() + delay : null });
    this.schedule(delay);
  }

  /**
   * Keeps the last error for the next start when the database lets it: another connection may hold
   * the write lock, or the disk be full. The status shows the error either way, and the next sync
   * stores it again.
   */
  private storeError(message: string | null): void {
    try {
      this.ledger.recordError(message);
    } catch {
      // Nothing else to do here: failing again would end a sync nobody awaits.
    }
  }

  private schedule(delayMs: number): void {
    if (!this.started || this.stopped || !this.enabled()) return;
    if (this.nextTimer) clearTimeout(this.nextTimer);
    this.nextTimer = setTimeout(() => {
      this.nextTimer = null;
      void this.syncNow();
    }, delayMs);
  }

  private localWrite(): void {
    if (!this.pendingTimer) {
      this.pendingTimer = setTimeout(() => {
        this.pendingTimer = null;
        this.refresh();
      }, DEFAULTS.pendingRefreshMs);
    }
    // While backing off, the retry timer decides when to try again: writes must not hammer a dead server.
    if (this.failures > 0 || !this.enabled()) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      void this.syncNow();
    }, this.options.pushDebounceMs);
  }

  /** Re-reads what the database knows (pending, rejections, times) and emits the merged status. */
  private refresh(patch: Partial<SyncStatus> = {}): void {
    if (!this.store.sqlite.open) return;
    const pending = this.outbox.pending();
    const rejected = this.ledger.rejections();
    const state = this.ledger.state();
    this.update({
      pending,
      pendingTotal: Object.values(pending).reduce((a, b) => a + b, 0),
      rejected,
      lastPushAt: state.lastPushAt,
      lastPullAt: Math.max(state.lastPullAt ?? 0, this.lastPullCompletedAt ?? 0) || null,
      clockWarning: this.clockWarning(rejected.filter((r) => r.reason === 'future_timestamp').length),
      ...patch,
    });
  }

  private clockWarning(futureRejections: number): string | null {
    if (futureRejections > 0) {
      return `The server refused ${futureRejections} record(s) stamped in its future: this PC's clock seems to be ahead. Check its date and time; the records stay queued and are sent once the clocks agree.`;
    }
    const drift = this.store.clock.drift();
    if (drift > LIMITS.futureSkewMs) {
      return `This PC's clock is ${Math.round(drift / 60_000)} minute(s) behind the newest change it has seen. Check its date and time.`;
    }
    return null;
  }

  private update(patch: Partial<SyncStatus>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of this.listeners) listener(this.current);
  }
}

/** What the status says: a storage fault as the file's own plain message (src/db/storage-fault.ts). */
function messageOf(error: unknown, file: string): string {
  const fault = asStorageFault(error, file) ?? error;
  return fault instanceof Error ? fault.message : String(fault);
}
