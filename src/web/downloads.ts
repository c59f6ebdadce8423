import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ExportSaveTarget } from '../core';
import { DOWNLOADS_PREFIX } from './http-protocol';

const KEY_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/**
 * Where the browser host saves exports: each in a folder of its own under `root`, named by a random
 * key that is also its download address, so only the page that started the export learns it (the
 * address reaches it through its own session). A file is served once it is complete (the export
 * writes under a temporary name until then) and removed once served.
 */
export function downloadsFolder(root: string): ExportSaveTarget & {
  serve(pathname: string, method: string, response: http.ServerResponse, headers: Record<string, string>): Promise<void>;
  remove(): void;
} {
  /** Keys whose file is being served or was: a download is offered once. */
  const served = new Set<string>();
  return {
    async choose(suggestedName) {
      const key = randomBytes(24).toString('base64url');
      fs.mkdirSync(path.join(root, key));
      return { file: path.join(root, key, suggestedName), download: `${DOWNLOADS_PREFIX}${key}/${encodeURIComponent(suggestedName)}` };
    },

    async serve(pathname, method, response, headers) {
      const [key = '', encodedName = ''] = pathname.slice(DOWNLOADS_PREFIX.length).split('/');
      let name = '';
      try {
        name = decodeURIComponent(encodedName);
      } catch {
        // not a name we made
      }
      const folder = path.join(root, key);
      const found = method === 'GET' && KEY_PATTERN.test(key) && !served.has(key) && fs.existsSync(folder) && fs.readdirSync(folder).includes(name) && !name.startsWith('.');
      if (!found) {
        response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
        response.end('Not found (a download is served once).');
        return;
      }
      served.add(key);
      const file = path.join(folder, name);
      response.writeHead(200, {
        ...headers,
        'content-type': 'text/csv; charset=utf-8',
        'content-length': String(fs.statSync(file).size),
        'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
        'cache-control': 'no-store',
      });
      try {
        await pipeline(fs.createReadStream(file), response);
      } finally {
        fs.rmSync(folder, { recursive: true, force: true });
      }
    },

    remove() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
