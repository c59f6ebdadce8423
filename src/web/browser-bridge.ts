import { createBridge, type CallResult, type Send } from '../ipc/bridge';
import { API_PREFIX, CLIENT_HEADER, TOKEN_FRAGMENT_KEY, TOKEN_HEADER } from './http-protocol';

/**
 * Installs `window.blos` in a plain browser, with the same shape as the Electron preload's object,
 * talking to the browser host over fetch. The per-run token comes from the URL fragment and the
 * per-page client id is made here; both live only in this page's memory (never in storage or
 * cookies), so a session belongs to one page and ends with it.
 */
export function installBrowserBridge(): void {
  if (window.blos) return; // Electron's preload got there first.
  const token = new URLSearchParams(window.location.hash.slice(1)).get(TOKEN_FRAGMENT_KEY) ?? '';
  const clientId = crypto.randomUUID();

  const send: Send = async (name, input) => {
    let response: Response;
    try {
      response = await fetch(new URL(API_PREFIX + name, window.location.origin), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token, [CLIENT_HEADER]: clientId },
        body: JSON.stringify(input ?? null),
        cache: 'no-store',
      });
    } catch {
      return failure('The application host is not reachable. Is `npm run web` still running?');
    }
    if (response.status === 401 || response.status === 403) {
      return failure('This page is not authorised: open the address printed by `npm run web` (with its #token).');
    }
    try {
      return (await response.json()) as CallResult;
    } catch {
      return failure(`The application host answered ${response.status} without a result.`);
    }
  };

  window.blos = createBridge(send);
}

function failure(message: string): CallResult {
  return { ok: false, error: { code: 'failed', message } };
}
