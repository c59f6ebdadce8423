import type { CallError, ErrorCode } from './bridge';

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
