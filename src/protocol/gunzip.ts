import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gunzipOnPool = promisify(zlib.gunzip);

/** zlib's own output piece size: below it, sizing from the trailer saves nothing. */
const SMALLEST_PIECE = 16 * 1024;
/** A trailer is only a hint (and a corrupt one could state anything): never one piece larger than this. */
const LARGEST_PIECE = 16 * 1024 * 1024;

/**
 * Decompresses a gzip body of at most `maxOutputLength` bytes on libuv's thread pool. zlib writes
 * into pieces of 16 KiB by default, each a round trip between the pool and the event loop, all
 * copied together at the end; a pull page took 30 of them. The gzip trailer states the body's size
 * (modulo 4 GiB), so the output is made one piece of that size, without the round trips.
 */
export function gunzip(bytes: Buffer, maxOutputLength: number): Promise<Buffer> {
  const stated = bytes.length >= 4 ? bytes.readUInt32LE(bytes.length - 4) : 0;
  const chunkSize = Math.min(Math.max(stated, SMALLEST_PIECE), LARGEST_PIECE, Math.max(maxOutputLength, SMALLEST_PIECE));
  return gunzipOnPool(bytes, { maxOutputLength, chunkSize });
}
