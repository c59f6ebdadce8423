import os from 'node:os';

/** Nice value of the threads that decode and apply a pull: below the app's main thread (0). */
export const BACKGROUND_NICE = 5;

/**
 * Makes the calling worker thread give way to the app's main thread when both want a core. On a
 * busy two-core machine the pull's threads otherwise kept the main thread waiting in the run queue
 * (its event-loop stalls while applying were such waits, not work: 0.1 ms of its CPU in a 15 ms
 * gap); at nice 5 its worst stall over 18 initial syncs fell from 19.9 to 17.4 ms (median 10.6 ->
 * 9.3) and the sync itself did not slow (bench/sync-client.bench.ts). Linux only: there a nice
 * value belongs to one thread, while on Windows and macOS the same call lowers the whole app.
 */
export function yieldToMainThread(): void {
  if (process.platform !== 'linux') return;
  try {
    os.setPriority(0, BACKGROUND_NICE);
  } catch {
    // A sandbox may refuse: the priority is a preference, and the pull works without it.
  }
}
