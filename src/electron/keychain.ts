import type { SafeStorage } from 'electron';
import type { Keychain } from '../db/database-key';

/**
 * The database key's wrapper under Electron: safeStorage (DPAPI on Windows, the Keychain on macOS,
 * libsecret or KWallet on Linux). Null where it protects nothing: before the app is ready, or on Linux
 * with no secret service, where Electron falls back to a password built into Chromium; the key then
 * goes to the owner-only key file instead (src/db/database-key.ts).
 */
export function osKeychain(safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'>, platform = process.platform): Keychain | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null;
  return {
    name: "the operating system's keychain",
    wrap: (secret) => safeStorage.encryptString(secret.toString('hex')),
    unwrap: (wrapped) => {
      const hex = safeStorage.decryptString(wrapped);
      if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error('the keychain returned something that is not a database key');
      return Buffer.from(hex, 'hex');
    },
  };
}
