import path from 'node:path';
import { openSqlite } from '../../src/db/connection';
import { openLocalStore } from '../../src/db/local-store';
import { tempDir } from '../support/temp';

describe('every connection', () => {
  it('uses WAL, synchronous FULL, foreign keys and a busy timeout, also on reopen', () => {
    const file = path.join(tempDir(), 'app.db');
    for (let open = 0; open < 3; open++) {
      const store = openLocalStore({ file });
      expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(2);
      expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      store.close();
    }
  });

  it('sets synchronous FULL on a second connection to a file that is already in WAL mode', () => {
    const file = path.join(tempDir(), 'plain.db');
    openSqlite(file).close();
    const again = openSqlite(file);
    expect(again.pragma('synchronous', { simple: true })).toBe(2);
    again.close();
  });
});

describe('the local database', () => {
  it('opens in a data folder that does not exist yet, creating it', () => {
    const file = path.join(tempDir(), 'new', 'data', 'blos.db');
    const store = openLocalStore({ file });
    expect(store.repos.households.create({ area: 'North' }).area).toBe('North');
    store.close();
  });
});
