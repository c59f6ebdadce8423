import fs from 'node:fs';
import path from 'node:path';
import { migrationsWithExtra } from '../support/migrations';
import { tempDir } from '../support/temp';
import { startCore } from './harness';

describe('starting the core', () => {
  it('creates the database in the data folder and reads the .env there', () => {
    const dataDir = tempDir('blos-core-');
    fs.writeFileSync(path.join(dataDir, '.env'), 'SYNC_PULL_INTERVAL_MS=12345\n');
    const h = startCore({ dataDir });
    expect(h.core.store.file).toBe(path.join(dataDir, 'blos.db'));
    expect(fs.existsSync(path.join(dataDir, 'blos.db'))).toBe(true);
    expect(h.core.config.SYNC_PULL_INTERVAL_MS).toBe(12345);
  });

  it('migrates with the migrations folder it is given (a packaged app ships its own)', () => {
    const shipped = migrationsWithExtra('0099_shipped_marker', ['CREATE TABLE `shipped_marker` (`id` integer PRIMARY KEY);']);
    const h = startCore({ migrationsFolder: shipped });
    const marker = h.core.store.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'shipped_marker'").get();
    expect(marker).toEqual({ name: 'shipped_marker' });
    expect(() => startCore({ migrationsFolder: path.join(tempDir('blos-app-'), 'nowhere') })).toThrow();
  });

  it('refuses to start with an invalid configuration, naming the variable', () => {
    expect(() => startCore({ env: { SYNC_SERVER_URL: 'not a url' } })).toThrow(/SYNC_SERVER_URL/);
  });
});
