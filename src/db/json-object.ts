import { codePointLength, isWellFormedText } from '../shared/unicode';
import type { JsonObject } from './domain-columns';

/**
 * bytes: UTF-8 bytes of the compact serialisation; keyLength: code points; depth: levels of objects
 * and arrays, the top object being level 1 (docs/sync-protocol.md 4.2).
 */
export const JSON_OBJECT_LIMITS = { bytes: 65_536, keyLength: 100, depth: 16 } as const;

/** The longest text JSON.stringify gives a finite number ('-1.7976931348623157e+308'). */
const MAX_NUMBER_TEXT = 24;

/** An object literal's kind of object (or one without a prototype): not an array, a class instance or a Date. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * An upper bound on the UTF-8 size of `JSON.stringify(value)`, or -1 if it breaks a rule. A UTF-16
 * unit takes at most six bytes: escaped as `\u001f`, or three bytes of UTF-8 (a pair takes four).
 */
function valueBound(value: unknown, level: number): number {
  switch (typeof value) {
    case 'string':
      return isWellFormedText(value) ? 2 + 6 * value.length : -1;
    case 'boolean':
      return 5;
    case 'number':
      return Number.isFinite(value) ? MAX_NUMBER_TEXT : -1;
    case 'object': {
      if (value === null) return 4;
      if (level > JSON_OBJECT_LIMITS.depth) return -1;
      if (!Array.isArray(value)) return objectBound(value, level);
      let total = 2;
      const valid = value.every((item) => {
        const bound = valueBound(item, level + 1);
        total += bound + 1;
        return bound >= 0;
      });
      return valid ? total : -1;
    }
    default:
      return -1;
  }
}

function objectBound(value: unknown, level: number): number {
  if (!isPlainObject(value)) return -1;
  let total = 2;
  for (const key in value) {
    if (codePointLength(key) > JSON_OBJECT_LIMITS.keyLength || !isWellFormedText(key)) return -1;
    const bound = valueBound(value[key], level + 1);
    if (bound < 0) return -1;
    total += 2 + 6 * key.length + 2 + bound;
  }
  return total;
}

/**
 * Whether a value is a JSON object the app stores as form answers or attributes: plain objects,
 * arrays, well-formed strings, finite numbers, booleans and null only, keys of at most 100
 * characters, nesting of at most 16 levels, at most 64 KiB of UTF-8 serialised. One walk instead of
 * zod's z.json(), several times slower per small object; the walk also bounds the serialised size,
 * so only an object that might be near the limit is serialised to measure it (that took most of the
 * check on every pulled row).
 */
export function isJsonObject(value: unknown): value is JsonObject {
  const bound = objectBound(value, 1);
  return bound >= 0 && (bound <= JSON_OBJECT_LIMITS.bytes || Buffer.byteLength(JSON.stringify(value)) <= JSON_OBJECT_LIMITS.bytes);
}
