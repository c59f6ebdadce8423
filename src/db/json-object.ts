import type { JsonObject } from './domain-columns';

export const JSON_OBJECT_LIMITS = { bytes: 65_536, keyLength: 100, depth: 16 } as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isJsonValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (depth >= JSON_OBJECT_LIMITS.depth) return false;
      if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
      return isJsonObjectAt(value, depth + 1);
    default:
      return false;
  }
}

function isJsonObjectAt(value: unknown, depth: number): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) {
    if (key.length > JSON_OBJECT_LIMITS.keyLength || !isJsonValue(value[key], depth)) return false;
  }
  return true;
}

/**
 * Whether a value is a JSON object the app stores as form answers or attributes: plain objects,
 * arrays, strings, finite numbers, booleans and null only, keys of at most 100 characters, nesting of
 * at most 16 levels, at most 64 KiB serialised. One walk instead of zod's z.json(), which cost about
 * 4 µs per small object: most of a pulled row's validation (bench/sync-client.bench.ts).
 */
export function isJsonObject(value: unknown): value is JsonObject {
  return isJsonObjectAt(value, 0) && JSON.stringify(value).length <= JSON_OBJECT_LIMITS.bytes;
}
