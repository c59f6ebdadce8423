import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import {
  HEADERS,
  LIMITS,
  PATHS,
  PROTOCOL_VERSION,
  PROTOCOL_VERSIONS,
  machineIdSchema,
  pullQuerySchema,
  pushRequestSchema,
  type ErrorCode,
  type PullResponse,
  type PushResponse,
} from '../protocol/wire';
import { ApiKeyGuard } from './auth';
import { acceptsGzip, compressResponse, decodeBody } from './body';
import { HttpError } from './http-error';
import { describeIssues, type Dialect } from './push-rules';
import { SCHEMA_VERSION } from '../protocol/schema-history';
import { z } from 'zod';
import type { PullPage, SyncStorage } from './storage';

export interface SyncAppOptions {
  apiKey: string;
  storage: SyncStorage;
  now: () => number;
  /** Makes the HTTP(S) server the app listens on (startSyncServer's, with TLS and connection limits). */
  serverFactory?: FastifyServerFactory;
}

declare module 'fastify' {
  interface FastifyRequest {
    machineId: string;
    dialect: Dialect;
  }
}

/** `X-Protocol-Version` (absent: 1) and, in v2, `X-Schema-Version` (absent: 1), as decimal integers. */
const dialectSchema = z
  .object({
    [HEADERS.protocolVersion]: z.enum(PROTOCOL_VERSIONS.map(String) as [string, ...string[]]).default('1'),
    [HEADERS.schemaVersion]: z.string().regex(/^[1-9]\d{0,8}$/).default('1'),
  })
  .transform((headers): Dialect => ({
    protocol: Number(headers[HEADERS.protocolVersion]) as Dialect['protocol'],
    schema: Number(headers[HEADERS.schemaVersion]),
  }));

/** Fastify's own 4xx errors, translated to the protocol's codes. */
const NOT_JSON = 'Send request bodies as Content-Type: application/json.';
const FASTIFY_ERRORS: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', `The body exceeds ${LIMITS.wireBytes} bytes; split it into smaller batches.`],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', NOT_JSON],
  FST_ERR_CTP_INVALID_TYPE: [415, 'unsupported_media_type', NOT_JSON],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json', 'The body is empty; expected JSON.'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json', 'The body is not valid JSON.'],
};

/** Fatal: bytes that are not UTF-8 are refused, never stored as U+FFFD. A leading byte order mark is dropped. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
function utf8Text(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, 'malformed_json', 'The body is not valid UTF-8.');
  }
}

function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  const { code, statusCode, message } = error as { code?: string; statusCode?: number; message?: string };
  const known = code ? FASTIFY_ERRORS[code] : undefined;
  if (known) return new HttpError(...known);
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return new HttpError(statusCode, statusCode === 413 ? 'payload_too_large' : 'malformed_request', message ?? 'Bad request');
  }
  return null;
}

function isBusy(error: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: string }).code ?? ''));
}

function sendError(reply: FastifyReply, error: HttpError): FastifyReply {
  return reply.code(error.statusCode).headers(error.headers).send(error.body());
}

/** A pull answer (PullResponse) around changes the storage has already serialised. */
export function pullBody(page: PullPage, serverTime: number): Buffer {
  const rest: Omit<PullResponse, 'changes'> = { cursor: page.cursor, hasMore: page.hasMore, serverTime };
  return Buffer.concat([Buffer.from('{"changes":'), page.changes, Buffer.from(`,${JSON.stringify(rest).slice(1)}`)]);
}

/**
 * The sync server's HTTP face (docs/sync-protocol.md). Every refusal is a JSON error body with a
 * stable code; anything reaching the storage has passed auth, the size limits and the batch schema.
 */
export function buildSyncApp({ apiKey, storage, now, serverFactory }: SyncAppOptions): FastifyInstance {
  const guard = new ApiKeyGuard(apiKey);
  const app = Fastify({
    ...(serverFactory && { serverFactory }),
    // Off: a logger is one misconfiguration away from writing the Authorization header somewhere.
    logger: false,
    bodyLimit: LIMITS.wireBytes,
    requestTimeout: 120_000,
    // Fastify's own 503 body is not the protocol's error body; requests during shutdown are finished.
    return503OnClosing: false,
  });
  const jsonParse = app.getDefaultJsonParser('error', 'error');

  app.decorateRequest('machineId', '');
  app.decorateRequest('dialect', null as unknown as Dialect);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    decodeBody(raw as Buffer, request.headers['content-encoding']).then(utf8Text).then(
      (json) => jsonParse(request, json, done),
      (error: unknown) => done(error as Error, undefined),
    );
  });

  app.addHook('onRequest', async (request) => {
    guard.refuseKeyInUrl(request.url);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if ((typeof payload !== 'string' && !Buffer.isBuffer(payload)) || !acceptsGzip(request.headers['accept-encoding'])) {
      return payload;
    }
    reply.header('vary', 'accept-encoding');
    const compressed = await compressResponse(payload);
    if (!compressed) return payload;
    reply.header('content-encoding', 'gzip');
    reply.removeHeader('content-length');
    return compressed;
  });

  app.setErrorHandler((error, _request, reply) => {
    const known = toHttpError(error);
    if (known) return sendError(reply, known);
    if (isBusy(error)) {
      return sendError(reply, new HttpError(503, 'unavailable', 'The database is busy; retry shortly.', { 'retry-after': '1' }));
    }
    console.error('sync server fault:', error);
    return sendError(reply, new HttpError(500, 'server_error', 'Internal server error; retry later.'));
  });

  const knownPaths = new Map<string, string>([
    [PATHS.push, 'POST'],
    [PATHS.pull, 'GET, HEAD'],
    [PATHS.health, 'GET, HEAD'],
    [PATHS.status, 'GET, HEAD'],
  ]);
  app.setNotFoundHandler((request, reply) => {
    const allowed = knownPaths.get(request.url.split('?')[0]!);
    if (allowed) {
      return sendError(reply, new HttpError(405, 'method_not_allowed', `Use ${allowed} on this path.`, { allow: allowed }));
    }
    return sendError(reply, new HttpError(404, 'not_found', 'No such endpoint.'));
  });

  async function authorised(request: FastifyRequest) {
    guard.authorise(request.headers.authorization);
    const dialect = dialectSchema.safeParse(request.headers);
    if (!dialect.success) {
      throw new HttpError(
        400,
        'unsupported_protocol',
        `This server speaks protocol versions ${PROTOCOL_VERSIONS.join(' and ')} (X-Protocol-Version) and record schemas 1 to ${SCHEMA_VERSION} (X-Schema-Version).`,
      );
    }
    request.dialect = dialect.data;
  }

  async function identified(request: FastifyRequest) {
    const parsed = machineIdSchema.safeParse(request.headers[HEADERS.machineId]);
    if (!parsed.success) {
      throw new HttpError(400, 'malformed_request', `The ${HEADERS.machineId} header must be 64 lowercase hexadecimal characters.`);
    }
    request.machineId = parsed.data;
  }

  app.get(PATHS.health, async () => ({
    ok: true as const,
    protocolVersion: PROTOCOL_VERSION,
    protocolVersions: [...PROTOCOL_VERSIONS],
    schemaVersion: SCHEMA_VERSION,
    serverTime: now(),
  }));

  app.get(PATHS.status, { onRequest: [authorised] }, async () => ({ ...(await storage.status()), serverTime: now() }));

  app.post(PATHS.push, { onRequest: [authorised, identified] }, async (request): Promise<PushResponse> => {
    if (request.body === undefined) {
      throw new HttpError(415, 'unsupported_media_type', NOT_JSON);
    }
    const batch = pushRequestSchema.safeParse(request.body);
    if (!batch.success) throw new HttpError(422, 'invalid_batch', `Nothing was applied: ${describeIssues(batch.error.issues)}`);
    if (request.dialect.schema > SCHEMA_VERSION) {
      // A client updated before its server: nothing is stored, its records stay queued (section 4.3).
      throw new HttpError(
        409,
        'schema_ahead',
        `This server knows record schemas up to ${SCHEMA_VERSION}, and this client speaks ${request.dialect.schema}: update the server; the client keeps its changes and retries.`,
        { 'retry-after': '300' },
      );
    }
    const results = await storage.applyPush(request.machineId, batch.data.changes, request.dialect);
    return { results, serverTime: now() };
  });

  app.get(PATHS.pull, { onRequest: [authorised, identified] }, async (request, reply) => {
    const query = pullQuerySchema.safeParse(request.query);
    if (!query.success) throw new HttpError(400, 'malformed_request', `Bad pull query: ${describeIssues(query.error.issues)}`);
    const page = await storage.pull(query.data.since, query.data.limit, request.dialect.protocol);
    // HEAD sends no rows, so it counts as no pull.
    if (request.method === 'GET') await storage.recordPull(request.machineId, page.count);
    // Announced before the body, so a client can ask for the next page while this one arrives.
    reply.header(HEADERS.pullCursor, String(page.cursor)).header(HEADERS.pullHasMore, String(page.hasMore));
    return reply.type('application/json; charset=utf-8').send(pullBody(page, now()));
  });

  return app;
}
