/** What went wrong with a call, as the renderer may be told. */
export const ERROR_CODES = [
  'invalid_input',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'locked',
  'failed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CallError {
  code: ErrorCode;
  message: string;
  /** For invalid_input: issue path joined by '.' (e.g. "values.area", "values.3.phone") -> message. */
  fields?: Record<string, string>;
}

/**
 * An error meant for the person using the app: its code and message reach the renderer as they are.
 * Any other error becomes a generic 'failed' (its details stay in the core's log).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toCallError(): CallError {
    return this.fields ? { code: this.code, message: this.message, fields: this.fields } : { code: this.code, message: this.message };
  }
}
