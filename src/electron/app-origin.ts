/**
 * The renderer is served from a custom privileged scheme instead of file://, so that its origin is one
 * fixed value every guard can compare against, and files outside the renderer folder are unreachable.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'blos';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True only for a well-formed app://blos URL (any path); every other scheme, host or port is foreign. */
export function isAppUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
