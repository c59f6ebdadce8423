import fs from 'node:fs';
import path from 'node:path';
import { CONTENT_TYPES } from './content-types';

export interface StaticFile {
  file: string;
  contentType: string;
}

/**
 * Maps a URL path to a file inside `root`, or null. The path is decoded once and must stay inside
 * the folder after normalisation: `..`, encoded `%2e%2e`, backslashes, NUL bytes and symlinks that
 * lead out are all refused. Only regular files with a known type are served.
 */
export function resolveStaticFile(root: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const realRoot = fs.realpathSync(root);
  const candidate = path.resolve(realRoot, relative);
  if (!isInside(realRoot, candidate)) return null;
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    return null;
  }
  if (!isInside(realRoot, real) || !fs.statSync(real).isFile()) return null;
  const contentType = CONTENT_TYPES[path.extname(real).toLowerCase()];
  return contentType ? { file: real, contentType } : null;
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
