import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from './bridge';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `deps` change; a slower earlier answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setLoading(true);
    load().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (failure) => {
        if (mine !== generation.current) return;
        setError(errorMessage(failure));
        setLoading(false);
      },
    );
    // Not `load` itself: it is a new closure on every render, and `deps` say when it means something new.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Sent by the sync bar when an exchange with the server finished: records may have changed. */
export const SYNCED_EVENT = 'blos:synced';

/** Calls `reload` whenever a sync exchange finished, so a screen shows what a pull brought. */
export function useReloadOnSync(reload: () => void): void {
  useEffect(() => {
    window.addEventListener(SYNCED_EVENT, reload);
    return () => window.removeEventListener(SYNCED_EVENT, reload);
  }, [reload]);
}

/** Calls `poll` now and every `ms` until unmounted; never two calls in flight at once. */
export function usePoll(poll: () => Promise<void>, ms: number): void {
  const latest = useRef(poll);
  latest.current = poll;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        await latest.current();
      } finally {
        if (!stopped) timer = setTimeout(run, ms);
      }
    };
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [ms]);
}

export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Re-renders every `ms` so relative times ("2 min ago") stay true. */
export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

type Update<T> = T | ((previous: T) => T);

/**
 * useState whose newest value can be read at once, before the next render: a key handler that runs
 * right after typing (Enter straight after the last character) must see what was typed, not the
 * value of the last render.
 */
export function useLatestState<T>(initial: T): [T, (next: Update<T>) => void, () => T] {
  const [state, setState] = useState(initial);
  const latest = useRef(initial);
  const update = useCallback((next: Update<T>) => {
    latest.current = typeof next === 'function' ? (next as (previous: T) => T)(latest.current) : next;
    setState(latest.current);
  }, []);
  return [state, update, useCallback(() => latest.current, [])];
}
