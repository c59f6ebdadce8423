import type { ErrorBody, ErrorCode } from '../protocol/wire';

/** A refusal the client can act on: an HTTP status, a stable code from the protocol, and a message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (e.g. Allow on 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}
