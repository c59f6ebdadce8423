import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routing: `#/households/abc?q=x` -> { path: ['households', 'abc'], query: { q: 'x' } }.
 * The hash keeps routes working under file/app:// loading and the browser host alike.
 */
export interface Route {
  path: string[];
  query: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart = '', queryPart = ''] = raw.split('?');
  const path = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  return { path, query };
}

export function href(path: string, query: Record<string, string> = {}): string {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ''));
  const text = params.toString();
  return `#/${path.replace(/^\//, '')}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, query: Record<string, string> = {}, { replace = false } = {}): void {
  const target = href(path, query);
  // Replacing only records where the user is (e.g. the search typed): the screen already shows it.
  if (replace) history.replaceState(null, '', target);
  else location.hash = target;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
