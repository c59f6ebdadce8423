export interface EventuallyOptions {
  /** Milliseconds before giving up. */
  timeout?: number;
  /** Milliseconds between two tries. */
  interval?: number;
  /** What is awaited, for the failure message ("the quit", "the server's address"). */
  what?: string;
}

/**
 * Tries `probe` until it holds or `timeout` ms have gone. `probe` is an assertion (throwing means
 * "not yet"), a predicate (`false` means "not yet"), or both; any other result is returned, so a
 * probe can hand back what it waited for. On timeout it fails with `what` and the last refusal.
 */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  { timeout = 5_000, interval = 10, what = 'the condition' }: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeout;
  for (;;) {
    let refusal: unknown;
    try {
      const result = await probe();
      if (result !== false) return result as Exclude<T, false>;
    } catch (error) {
      refusal = error;
    }
    if (Date.now() > deadline) {
      const last = refusal === undefined ? 'it was still false' : `the last try failed with: ${refusal instanceof Error ? refusal.message : String(refusal)}`;
      throw new Error(`Timed out after ${timeout} ms waiting for ${what}; ${last}`, { cause: refusal });
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
