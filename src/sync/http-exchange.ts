import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { gunzip } from '../protocol/gunzip';

const gzip = promisify(zlib.gzip);

/** Answers larger than this are refused: a pull page is bounded far below it. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

export interface HttpAnswer {
  status: number;
  /** The answer's bytes, decompressed. */
  body: Buffer;
}

export interface HttpExchange {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Sent gzip-compressed (level 1, ARCHITECTURE 7) when `compress` is set. */
  body?: string;
  compress?: boolean;
  signal: AbortSignal;
  /** Called once the request has been handed to the operating system (the server can start on it). */
  onSent?: () => void;
  /** Called once the answer's status and headers have arrived, before its body. */
  onHead?: (status: number, headers: http.IncomingHttpHeaders) => void;
}

/**
 * One HTTP exchange with node:http(s). Compression and decompression run on libuv's thread pool
 * (zlib's async API), so a large page never blocks the event loop (fetch decodes answers on the
 * calling thread).
 */
export async function exchange(url: string, options: HttpExchange): Promise<HttpAnswer> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...options.headers, 'accept-encoding': 'gzip' };
  let body: Buffer | undefined;
  if (options.body !== undefined) {
    body = options.compress ? await gzip(options.body, { level: 1 }) : Buffer.from(options.body);
    if (options.compress) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
  }
  const raw = await new Promise<{ status: number; encoding: string | undefined; data: Buffer }>((resolve, reject) => {
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, { method: options.method, headers, signal: options.signal }, (response) => {
      options.onHead?.(response.statusCode ?? 0, response.headers);
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) {
          request.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, encoding: response.headers['content-encoding'], data: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    if (options.onSent) request.once('finish', options.onSent);
    request.end(body);
  });
  const data = raw.encoding === 'gzip' ? await gunzip(raw.data, MAX_ANSWER_BYTES) : raw.data;
  return { status: raw.status, body: data };
}
