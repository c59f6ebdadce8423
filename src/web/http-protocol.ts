/** What the browser bridge and the browser host agree on (no Node imports: bundled into the page). */
export const TOKEN_HEADER = 'x-blos-token';
export const CLIENT_HEADER = 'x-blos-client';
export const API_PREFIX = '/api/';
/** The per-run token travels in the URL fragment, which browsers never send to the server. */
export const TOKEN_FRAGMENT_KEY = 'token';
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9-]{16,64}$/;
/** A finished export is downloaded from here: /downloads/<unguessable key>/<file name>. */
export const DOWNLOADS_PREFIX = '/downloads/';
