import { isDeepStrictEqual } from 'node:util';

/** A failed expectation says what docs/sync-protocol.md expects and what the server did instead. */

export class CheckFailure extends Error {
  constructor(
    readonly what: string,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`${what}: expected ${expected}, got ${got}`);
    this.name = 'CheckFailure';
  }
}

/** Short, one-line JSON for messages; long values are cut. */
export function show(value: unknown): string {
  const text = value === undefined ? 'nothing' : typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export function expectEqual(what: string, got: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(got, expected)) throw new CheckFailure(what, show(expected), show(got));
}

export function expectThat(what: string, holds: boolean, expected: string, got: unknown): void {
  if (!holds) throw new CheckFailure(what, expected, show(got));
}

/** Every key of `expected` has an equal value in `got` (other keys of `got` are not looked at). */
export function expectFields(what: string, got: unknown, expected: Record<string, unknown>): void {
  const actual = (typeof got === 'object' && got !== null ? got : {}) as Record<string, unknown>;
  const differing = Object.keys(expected).filter((key) => !isDeepStrictEqual(actual[key], expected[key]));
  if (differing.length > 0) {
    const pick = (source: Record<string, unknown>) => Object.fromEntries(differing.map((key) => [key, source[key]]));
    throw new CheckFailure(what, show(pick(expected)), typeof got === 'object' && got !== null ? show(pick(actual)) : show(got));
  }
}
