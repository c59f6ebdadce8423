import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { HEADERS, PATHS } from '../protocol/wire';
import { CheckFailure, show } from './expect';

/** The server under test: its base URL (paths are appended) and its API key. */
export interface Target {
  url: string;
  key: string;
}

export interface Sent {
  method?: string;
  /** Path and query, appended to the base URL. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Long enough for an 8 MiB body to a remote server; a hung server fails its check instead of the run. */
const REQUEST_TIMEOUT_MS = 60_000;

export async function send(target: Target, sent: Sent): Promise<Answer> {
  const body = sent.body === undefined ? undefined : new Uint8Array(typeof sent.body === 'string' ? Buffer.from(sent.body) : sent.body);
  const response = await fetch(target.url + sent.path, {
    method: sent.method ?? 'GET',
    headers: sent.headers,
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const randomMachineId = () => crypto.randomBytes(32).toString('hex');

/** A fresh lowercase UUID (version 4: the protocol takes versions 1-8). */
export const randomId = () => crypto.randomUUID();

export function authorisation(target: Target): Record<string, string> {
  return { authorization: `Bearer ${target.key}` };
}

export function identified(target: Target, machineId: string): Record<string, string> {
  return { ...authorisation(target), [HEADERS.machineId]: machineId };
}

export interface PushOptions {
  machineId: string;
  /** Default true: the body is gzipped, as clients send it. */
  gzip?: boolean;
  /** Replaces or adds request headers. */
  headers?: Record<string, string>;
}

/** POSTs a push body: JSON text (or a value to serialise), gzipped unless told otherwise. */
export function pushBody(target: Target, body: unknown, options: PushOptions): Promise<Answer> {
  const json = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const gzip = options.gzip ?? true;
  return send(target, {
    method: 'POST',
    path: PATHS.push,
    headers: {
      ...identified(target, options.machineId),
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...options.headers,
    },
    body: gzip ? zlib.gzipSync(json) : json,
  });
}

/** Fails the check unless the server answered 200 with a JSON body. */
export function expectOk(what: string, answer: Answer): Record<string, unknown> {
  if (answer.status !== 200 || typeof answer.json !== 'object' || answer.json === null) {
    throw new CheckFailure(what, '200 with a JSON body', `${answer.status} ${show(answer.json ?? answer.text)}`);
  }
  return answer.json as Record<string, unknown>;
}

/** Fails the check unless the answer is this status with the protocol's error body and this code. */
export function expectError(what: string, answer: Answer, status: number, code: string): void {
  const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const shaped = typeof error === 'object' && error !== null && typeof error.message === 'string' && Object.keys(answer.json as object).length === 1;
  if (answer.status !== status || !shaped || error.code !== code) {
    throw new CheckFailure(what, `${status} {"error":{"code":"${code}","message":"..."}}`, `${answer.status} ${show(answer.json ?? answer.text)}`);
  }
}
