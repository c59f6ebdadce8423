import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { gunzip } from '../protocol/gunzip';
import { LIMITS } from '../protocol/wire';
import { HttpError } from './http-error';

const gzip = promisify(zlib.gzip);

function tooLarge(): HttpError {
  return new HttpError(413, 'payload_too_large', `The push body exceeds ${LIMITS.pushBytes} bytes once decompressed; split it into smaller batches.`);
}

/**
 * The request body as bytes of JSON: gunzipped when `Content-Encoding: gzip`, with the decompressed
 * size capped so a small gzip bomb cannot exhaust memory.
 */
export async function decodeBody(raw: Buffer, contentEncoding: string | undefined): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') {
    if (raw.length > LIMITS.pushBytes) throw tooLarge();
    return raw;
  }
  if (encoding !== 'gzip' && encoding !== 'x-gzip') {
    throw new HttpError(415, 'unsupported_media_type', 'Unsupported Content-Encoding: send gzip or no encoding.');
  }
  try {
    return await gunzip(raw, LIMITS.pushBytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new HttpError(400, 'bad_encoding', 'The body is not valid gzip (corrupt or truncated).');
  }
}

/** Responses smaller than this go uncompressed: gzip would cost more than it saves. */
const COMPRESS_FROM_BYTES = 1024;

export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/.test(p));
    return (coding === 'gzip' || coding === 'x-gzip' || coding === '*') && !refused;
  });
}

/** gzip level 1: hundreds of MB/s with most of the size saving (ARCHITECTURE 7). */
export async function compressResponse(payload: string | Buffer): Promise<Buffer | null> {
  if (Buffer.byteLength(payload) < COMPRESS_FROM_BYTES) return null;
  return gzip(payload, { level: 1 });
}
