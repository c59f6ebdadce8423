/** The part of Electron's 'before-quit' event the gate uses. */
export interface PreventableEvent {
  preventDefault(): void;
}

export interface QuitGateOptions {
  /** Stops the sync engine and closes the database; awaited once. */
  shutdown: () => Promise<void>;
  /** Quits for real (Electron's app.quit); called once the shutdown finished or timed out. */
  quit: () => void;
  /** A shutdown that hangs (a sync request stuck on the network) is abandoned after this long. */
  timeoutMs?: number;
  log?: (message: string) => void;
}

/**
 * Holds the first quit until the core has shut down, then lets the app go. Quit requests that arrive
 * while it waits are held too, and the shutdown runs only once. A failed or hung shutdown is logged
 * and the app quits anyway: SQLite in WAL mode loses no committed write when a process exits.
 */
export function createQuitGate(options: QuitGateOptions): (event: PreventableEvent) => void {
  let phase: 'running' | 'shutting-down' | 'done' = 'running';
  const log = options.log ?? (() => {});

  return (event) => {
    if (phase === 'done') return;
    event.preventDefault();
    if (phase === 'shutting-down') return;
    phase = 'shutting-down';
    void shutdownWithin(options.shutdown, options.timeoutMs ?? 10_000, log).finally(() => {
      phase = 'done';
      options.quit();
    });
  };
}

async function shutdownWithin(shutdown: () => Promise<void>, timeoutMs: number, log: (message: string) => void): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(shutdown), timeout]);
    if (outcome === 'timeout') log(`shutdown did not finish within ${timeoutMs} ms; quitting anyway`);
  } catch (error) {
    log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}
