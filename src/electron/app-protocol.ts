import fs from 'node:fs';
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-origin';
import { CONTENT_SECURITY_POLICY } from './content-security-policy';
import { CONTENT_TYPES } from '../web/content-types';

export type ResolvedAppPath = { ok: true; file: string } | { ok: false; status: 400 | 404; reason: string };

// Characters that would let a decoded segment name another folder or drive (Windows reads both slashes).
const UNSAFE_SEGMENT = /[\\/:\0]/;

/**
 * Maps app://blos/<path> to a file under the renderer folder. Each segment is percent-decoded on its
 * own and refused if it is '.', '..' or holds a slash, backslash, colon or NUL, so neither literal nor
 * encoded traversal (%2e%2e, %2f, %5c) nor an absolute or drive path can leave the folder; the final
 * path is checked against the folder once more.
 */
export function resolveAppPath(url: string, rendererDir: string): ResolvedAppPath {
  if (!URL.canParse(url)) return { ok: false, status: 400, reason: 'not a URL' };
  const parsed = new URL(url);
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) {
    return { ok: false, status: 400, reason: `not an ${APP_SCHEME}://${APP_HOST} URL` };
  }
  const rawSegments = parsed.pathname.split('/').slice(1);
  const segments: string[] = [];
  for (const raw of rawSegments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: 'malformed percent-encoding' };
    }
    if (segment === '.' || segment === '..' || UNSAFE_SEGMENT.test(segment)) {
      return { ok: false, status: 400, reason: 'path escapes the app folder' };
    }
    segments.push(segment);
  }
  if (segments.slice(0, -1).includes('')) return { ok: false, status: 400, reason: 'empty path segment' };
  if (segments.length === 0 || segments.at(-1) === '') segments.splice(-1, 1, 'index.html');

  const root = path.resolve(rendererDir);
  const file = path.resolve(root, ...segments);
  const relative = path.relative(root, file);
  if (relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    return { ok: false, status: 400, reason: 'path escapes the app folder' };
  }
  return { ok: true, file };
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  /** A plain Uint8Array (not a Buffer) so it is a valid Response body. */
  body: Uint8Array<ArrayBuffer> | string;
}

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
};

/** Answers one app:// request from the renderer folder; every answer carries the CSP. */
export async function serveAppRequest(url: string, rendererDir: string): Promise<AppResponse> {
  const resolved = resolveAppPath(url, rendererDir);
  if (!resolved.ok) return textResponse(resolved.status, resolved.reason);
  const contentType = CONTENT_TYPES[path.extname(resolved.file).toLowerCase()];
  if (!contentType) return textResponse(404, 'not found');
  try {
    const body = new Uint8Array(await fs.promises.readFile(resolved.file));
    return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': contentType }, body };
  } catch {
    return textResponse(404, 'not found');
  }
}

function textResponse(status: number, message: string): AppResponse {
  return { status, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }, body: message };
}
