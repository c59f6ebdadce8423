import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createAppCore, type AppCore, type AppCoreOptions } from '../core';
import { downloadsFolder } from './downloads';
import type { CallResult } from '../ipc/bridge';
import { API_PREFIX, CLIENT_HEADER, DOWNLOADS_PREFIX, CLIENT_ID_PATTERN, TOKEN_FRAGMENT_KEY, TOKEN_HEADER } from './http-protocol';
import { resolveStaticFile } from './static-files';
import { sameSecret } from '../config/same-secret';

const ROOT = path.resolve(__dirname, '../..');
export const DEFAULT_RENDERER_DIR = path.join(ROOT, 'dist/renderer');
/** A batch of 500 records with their largest JSON answers stays under this. */
const MAX_BODY_BYTES = 40 * 1024 * 1024;

/** The page may load and talk to nothing but this host (ARCHITECTURE 5; htm needs no eval). */
export const BROWSER_HOST_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const COMMON_HEADERS = {
  'content-security-policy': BROWSER_HOST_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface BrowserHostOptions {
  dataDir: string;
  /** 0 or absent: any free port. Always bound to 127.0.0.1. */
  port?: number;
  env?: NodeJS.ProcessEnv;
  version?: string;
  /** The built renderer (default dist/renderer). */
  rendererDir?: string;
  osMachineId?: AppCoreOptions['osMachineId'];
  log?: AppCoreOptions['log'];
  /** The updater the core reports (default: none, updates disabled). */
  updater?: AppCoreOptions['updater'];
  /** Passed to the core; for tests only. */
  testOverrides?: AppCoreOptions['testOverrides'];
}

export interface BrowserHost {
  /** The address to open, with the per-run token in its fragment. */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  token: string;
  core: AppCore;
  close(): Promise<void>;
}

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpRefusal(413, 'The request is too large.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Serves the built renderer and the contract over loopback HTTP, so the same UI runs in a plain
 * browser against the same core (E2E tests, demos). Every API call needs the per-run token (sent by
 * the page in a header, learnt from the URL fragment) and names its page's client id, which binds
 * the session to that page. The Host header must be this host (no DNS rebinding).
 */
export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const rendererDir = path.resolve(options.rendererDir ?? DEFAULT_RENDERER_DIR);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`No built renderer in ${rendererDir}: run \`node scripts/build.mjs renderer\` first.`);
  }
  const token = randomBytes(32).toString('base64url');
  const downloads = downloadsFolder(fs.mkdtempSync(path.join(os.tmpdir(), 'blos-web-exports-')));
  const core = createAppCore({
    dataDir: options.dataDir,
    version: options.version ?? packageVersion(),
    env: options.env,
    osMachineId: options.osMachineId,
    log: options.log,
    updater: options.updater,
    testOverrides: options.testOverrides,
    exportTarget: downloads,
  });

  let allowedHosts: string[] = [];
  let origin = '';

  const send = (response: http.ServerResponse, status: number, body: string | Buffer, contentType: string, extra: Record<string, string> = {}) => {
    response.writeHead(status, { ...COMMON_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra });
    response.end(body);
  };
  const sendResult = (response: http.ServerResponse, status: number, result: CallResult) =>
    send(response, status, JSON.stringify(result), 'application/json; charset=utf-8', { 'cache-control': 'no-store' });
  const refuse = (response: http.ServerResponse, status: number, code: 'unauthenticated' | 'forbidden' | 'invalid_input' | 'not_found' | 'failed', message: string) =>
    sendResult(response, status, { ok: false, error: { code, message } });

  async function handleApi(request: http.IncomingMessage, response: http.ServerResponse, name: string) {
    if (request.method !== 'POST') return refuse(response, 405, 'invalid_input', 'Use POST.');
    const given = request.headers[TOKEN_HEADER];
    if (typeof given !== 'string' || given === '') return refuse(response, 401, 'unauthenticated', 'The page token is missing.');
    if (!sameSecret(given, token)) return refuse(response, 403, 'forbidden', 'The page token is wrong.');
    // A browser always names the origin of a cross-site POST; ours must be this host.
    if (request.headers.origin !== undefined && request.headers.origin !== origin) return refuse(response, 403, 'forbidden', 'Wrong origin.');
    const clientId = request.headers[CLIENT_HEADER];
    if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) {
      return refuse(response, 400, 'invalid_input', `The ${CLIENT_HEADER} header is missing or malformed.`);
    }
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return refuse(response, 415, 'invalid_input', 'Send the input as application/json.');
    }
    let input: unknown;
    try {
      const body = await readBody(request);
      input = body.length === 0 ? null : JSON.parse(body.toString('utf8'));
    } catch (error) {
      if (error instanceof HttpRefusal) return refuse(response, error.status, 'invalid_input', error.message);
      return refuse(response, 400, 'invalid_input', 'The input is not valid JSON.');
    }
    const result = await core.call(`web:${clientId}`, name, input);
    // The envelope carries the outcome; HTTP statuses are for the transport (token, body, method).
    sendResult(response, 200, result);
  }

  function handleStatic(request: http.IncomingMessage, response: http.ServerResponse, pathname: string) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'Method not allowed', 'text/plain; charset=utf-8');
    const found = resolveStaticFile(rendererDir, pathname);
    if (!found) return send(response, 404, 'Not found', 'text/plain; charset=utf-8');
    const body = fs.readFileSync(found.file);
    response.writeHead(200, { ...COMMON_HEADERS, 'content-type': found.contentType, 'content-length': body.length, 'cache-control': 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  const server = http.createServer((request, response) => {
    if (!allowedHosts.includes(request.headers.host ?? '')) {
      return send(response, 421, 'Unknown host', 'text/plain; charset=utf-8');
    }
    const pathname = (request.url ?? '/').split('?')[0]!;
    const handled = pathname.startsWith(API_PREFIX)
      ? handleApi(request, response, pathname.slice(API_PREFIX.length))
      : pathname.startsWith(DOWNLOADS_PREFIX)
        ? downloads.serve(pathname, request.method ?? '', response, COMMON_HEADERS)
        : Promise.resolve(handleStatic(request, response, pathname));
    handled.catch((error: unknown) => {
      (options.log ?? console.error)('browser host request failed', error);
      if (!response.headersSent) refuse(response, 500, 'failed', 'The request failed.');
      else response.destroy();
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await core.close();
    downloads.remove();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/#${TOKEN_FRAGMENT_KEY}=${token}`,
    origin,
    port,
    token,
    core,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await core.close();
        downloads.remove();
      })();
      return closing;
    },
  };
}
