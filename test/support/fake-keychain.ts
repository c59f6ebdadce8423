import crypto from 'node:crypto';
import type { Keychain } from '../../src/db/database-key';

/**
 * The OS keychain cannot run here (Electron's safeStorage needs the Electron binary): this one
 * wraps with a secret of its own, as safeStorage does with the user's OS credentials. Another
 * instance stands for a reinstalled system: it cannot unwrap what this one wrapped.
 */
export function fakeKeychain(): Keychain & { wrapped: number } {
  const secret = crypto.randomBytes(32);
  const keychain = {
    name: 'the test keychain',
    wrapped: 0,
    wrap(plain: Buffer): Buffer {
      keychain.wrapped += 1;
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    unwrap(wrapped: Buffer): Buffer {
      const decipher = crypto.createDecipheriv('aes-256-gcm', secret, wrapped.subarray(0, 12));
      decipher.setAuthTag(wrapped.subarray(12, 28));
      return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
    },
  };
  return keychain;
}
