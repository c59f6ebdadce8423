import { sameSecret } from '../config/same-secret';
import { HttpError } from './http-error';

/**
 * The API key rules (ARCHITECTURE 3.9): it travels only in `Authorization: Bearer`, is compared in
 * constant time, and a request that puts it in a URL is refused before anything else happens.
 */

/** Query parameter names that can only mean someone is passing a key in the URL. */
const KEY_PARAM_NAMES = new Set(['key', 'apikey', 'api_key', 'api-key', 'sync_api_key', 'token', 'access_token', 'auth', 'authorization']);

function decoded(url: string): string {
  try {
    return decodeURIComponent(url.replace(/\+/g, ' '));
  } catch {
    return url;
  }
}

export class ApiKeyGuard {
  /** Hex is case-insensitive: the key is compared and searched for in lower case. */
  private readonly lowerKey: string;

  constructor(apiKey: string) {
    this.lowerKey = apiKey.toLowerCase();
  }

  /** Throws 400 key_in_url when the URL names a key parameter or carries the key anywhere. */
  refuseKeyInUrl(url: string): void {
    const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const namesKey = [...new URLSearchParams(query).keys()].some((name) => KEY_PARAM_NAMES.has(name.toLowerCase()));
    if (namesKey || decoded(url).toLowerCase().includes(this.lowerKey)) {
      throw new HttpError(
        400,
        'key_in_url',
        'The API key must be sent only in the Authorization header, never in a URL; nothing was processed. ' +
          'If a real key was sent this way, treat it as exposed and replace it.',
      );
    }
  }

  /** Throws 401 unless the Authorization header carries the key as a Bearer token. */
  authorise(header: string | undefined): void {
    const token = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1];
    if (token === undefined || !sameSecret(token.toLowerCase(), this.lowerKey)) {
      throw new HttpError(401, 'unauthorized', 'Missing or wrong API key: send it as "Authorization: Bearer <key>".');
    }
  }
}
