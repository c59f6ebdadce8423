import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Compares a secret someone sent with the real one in constant time. Hashing both sides gives
 * equal-length buffers, so neither the content nor the length of the secret leaks through timing.
 */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
