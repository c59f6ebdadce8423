import { z } from 'zod';

/**
 * Password rules shared by the contract (so forms show them inline) and the accounts service (so no
 * caller can skip them). bcrypt reads at most 72 bytes: a longer password is refused, never
 * silently truncated, and the limit is in UTF-8 bytes, not characters.
 */
export const PASSWORD_MIN_CHARS = 10;
export const PASSWORD_MAX_BYTES = 72;

export const utf8Length = (value: string) => new TextEncoder().encode(value).length;

export const TOO_LONG_MESSAGE = `at most ${PASSWORD_MAX_BYTES} bytes (letters with accents or other scripts take 2-4 bytes each)`;

export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_CHARS, `at least ${PASSWORD_MIN_CHARS} characters`)
  .refine((value) => utf8Length(value) <= PASSWORD_MAX_BYTES, TOO_LONG_MESSAGE);

/** At login only the length bcrypt can compare is checked; the rest is the hash's business. */
export const loginPasswordSchema = z
  .string()
  .min(1, 'required')
  .refine((value) => utf8Length(value) <= PASSWORD_MAX_BYTES, TOO_LONG_MESSAGE);

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3, 'at least 3 characters')
  .max(50, 'at most 50 characters')
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'letters, digits, dot, dash or underscore, starting with a letter or digit');

export const displayNameSchema = z.string().trim().min(1, 'required').max(100, 'at most 100 characters');
