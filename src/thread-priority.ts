import os from 'node:os';

/** Nice value of the thread that fetches and decodes a pull: below the app's main thread (0). */
export const BACKGROUND_NICE = 5;

/**
 * Makes the calling worker thread give way to the app's main thread when both want a core. On a
 * busy two-core machine the pull's threads kept the main thread waiting in the run queue: its
 * event-loop stalls while applying were such waits, not work (0.1 ms of its CPU in a 15 ms gap).
 * Only the feed thread, the largest user of CPU, gives way: the pull thread holds the write lock
 * that the app's own writes wait for, and lowering it too made those waits longer (median 35 ms,
 * up to 50, against 23 and 37 with the feed thread alone; stalls at most 13 ms with it alone over
 * 12 syncs, 24 with both: bench/sync-client.bench.ts). Linux only: there a nice value belongs to
 * one thread, while on Windows and macOS the same call lowers the whole app.
 */
export function yieldToMainThread(): void {
  if (process.platform !== 'linux') return;
  try {
    os.setPriority(0, BACKGROUND_NICE);
  } catch {
    // A sandbox may refuse: the priority is a preference, and the pull works without it.
  }
}
