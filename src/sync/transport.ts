import type { z } from 'zod';
import {
  PATHS,
  releaseHeaders,
  errorBodySchema,
  healthResponseSchema,
  pullAnnouncementSchema,
  pushResponseSchema,
  type PullAnnouncement,
  type PushResponse,
} from '../protocol/wire';
import { exchange, type HttpAnswer } from './http-exchange';

/**
 * The client side of the sync protocol over HTTP: headers, compression, timeouts, and a
 * classification of every failure that tells the engine what to do next.
 */

export interface ServerConfig {
  serverUrl: string;
  apiKey: string;
}

/**
 * - `configuration`: the server answered but refuses us (bad key, wrong URL, protocol mismatch):
 *   retrying will not help until the settings change.
 * - `too_large`: the batch exceeded the server's limits (413): split it and retry.
 * - `transient`: network error, timeout, 5xx or a garbled answer: retry with back-off.
 */
export type SyncErrorKind = 'configuration' | 'too_large' | 'transient';

export class SyncError extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** Requests are abandoned after this long, so a stalled server cannot hang a sync. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Bodies smaller than this are sent as is: compressing them costs more than it saves. */
const GZIP_THRESHOLD_BYTES = 1024;

export class SyncTransport {
  constructor(
    private readonly config: ServerConfig,
    private readonly machineId: string,
  ) {}

  async health(signal?: AbortSignal): Promise<{ serverTime: number }> {
    return this.request('GET', PATHS.health, healthResponseSchema, { signal, auth: false });
  }

  /**
   * One page of changes as the server sent it (decompressed bytes), for the caller to decode
   * (src/sync/pull-decoder.ts). `onSent` as in HttpExchange;
   * `onAnnounce` hears the page's cursor once its headers arrive, or null when the server announced
   * none (or the exchange failed first).
   */
  async pull(
    since: number,
    limit: number,
    options: { signal?: AbortSignal; onSent?: () => void; onAnnounce?: (announced: PullAnnouncement | null) => void } = {},
  ): Promise<Buffer> {
    let pending = options.onAnnounce;
    const announce = (announced: PullAnnouncement | null) => {
      pending?.(announced);
      pending = undefined;
    };
    const onHead = (status: number, headers: Record<string, unknown>) => {
      const announced = pullAnnouncementSchema.safeParse(headers);
      announce(status >= 200 && status <= 299 && announced.success ? announced.data : null);
    };
    const query = new URLSearchParams({ since: String(since), limit: String(limit) });
    const body = this.exchange('GET', `${PATHS.pull}?${query}`, { signal: options.signal, ...(options.onSent && { onSent: options.onSent }), onHead });
    body.then(() => announce(null), () => announce(null));
    return body;
  }

  async push(body: string, signal?: AbortSignal): Promise<PushResponse> {
    return this.request('POST', PATHS.push, pushResponseSchema, { signal, body });
  }

  private async request<S extends z.ZodType>(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    schema: S,
    options: ExchangeOptions,
  ): Promise<z.output<S>> {
    return readAnswer(await this.exchange(method, pathAndQuery, options), schema);
  }

  /** The body of a 2xx answer; any other outcome as a classified SyncError. */
  private async exchange(method: 'GET' | 'POST', pathAndQuery: string, options: ExchangeOptions): Promise<Buffer> {
    const headers = releaseHeaders(this.machineId);
    if (options.auth !== false) headers.authorization = `Bearer ${this.config.apiKey}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;

    let answer: HttpAnswer;
    try {
      answer = await exchange(this.config.serverUrl + pathAndQuery, {
        method,
        headers,
        ...(options.body !== undefined && { body: options.body, compress: Buffer.byteLength(options.body) >= GZIP_THRESHOLD_BYTES }),
        ...(options.onSent && { onSent: options.onSent }),
        ...(options.onHead && { onHead: options.onHead }),
        signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const reason = timeout.aborted ? `it gave no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : unreachable(error);
      throw new SyncError(
        'transient',
        `Cannot reach the sync server at ${this.config.serverUrl}: ${reason}. Changes stay on this PC and are sent once it answers.`,
      );
    }
    if (answer.status < 200 || answer.status > 299) throw httpError(answer.status, answer.body.toString('utf8'), this.config.serverUrl);
    return answer.body;
  }
}

interface ExchangeOptions {
  signal?: AbortSignal | undefined;
  onSent?: () => void;
  onHead?: (status: number, headers: Record<string, unknown>) => void;
  body?: string;
  auth?: boolean;
}

/** A 2xx answer's JSON, checked by the protocol's schema for it. */
export function readAnswer<S extends z.ZodType>(body: Uint8Array, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw new SyncError('transient', 'The sync server sent an answer that is not JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SyncError('transient', `The sync server's answer does not follow the protocol (${issue?.path.join('.')}: ${issue?.message})`);
  }
  return parsed.data;
}

/** Why a request got no answer, in words: a network error's code alone ("ECONNREFUSED") says nothing to people. */
function unreachable(error: unknown): string {
  const code = String((error as { code?: unknown }).code ?? (error as { cause?: { code?: unknown } }).cause?.code ?? '');
  if (code === 'ECONNREFUSED') return 'nothing answers at that address (the server may be stopped)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its name cannot be found (check the address, or the network)';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return 'the connection was cut';
  if (['ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN', 'UND_ERR_CONNECT_TIMEOUT'].includes(code)) return 'the network does not reach it';
  if (/CERT|SELF_SIGNED|TLS|SSL/i.test(code)) return 'its certificate is not trusted by this PC';
  return 'the network failed';
}

function httpError(status: number, text: string, serverUrl: string): SyncError {
  let detail = '';
  try {
    const body = errorBodySchema.safeParse(JSON.parse(text));
    // Its sentence goes inside ours: without its full stop.
    if (body.success) detail = `: ${body.data.error.message.replace(/\.$/, '')}`;
  } catch {
    // Not our server's JSON error body (a proxy's HTML page): the status says enough.
  }
  if (status === 413) return new SyncError('too_large', `The batch is too large for the server (HTTP 413)${detail}`, status);
  if (status === 409) {
    return new SyncError(
      'configuration',
      `The sync server has not been updated to this version of BLOS yet (HTTP 409)${detail}. Your changes stay on this PC and are sent once it is.`,
      status,
    );
  }
  if (status === 401 || status === 403) {
    // The server's own words name its header; what a person can do is check the key.
    return new SyncError('configuration', 'The sync server refused the API key. Check the API key in Settings: it must be the one the server was set up with.', status);
  }
  if (status === 408 || status === 429 || status >= 500) {
    return new SyncError('transient', `The sync server failed (HTTP ${status})${detail}`, status);
  }
  return new SyncError('configuration', `The sync server at ${serverUrl} rejected the request (HTTP ${status})${detail}. Check the server address in Settings.`, status);
}
