import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { openLocalStore } from '../../src/db/local-store';
import { checkpointOffThread } from '../../src/db/wal-checkpointer';
import { tempDir } from '../support/temp';

describe('checkpoints off the main thread', () => {
  it('turn this connection\'s own checkpoints off while the thread runs and back on afterwards', async () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    try {
      const during = await checkpointOffThread(store.sqlite, async (checkpointer) => {
        checkpointer.start();
        await checkpointer.complete();
        return store.sqlite.pragma('wal_autocheckpoint', { simple: true });
      });
      expect(during).toBe(0);
      expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      store.close();
    }
  });

  it('never start a thread for work that asks for none', async () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    try {
      const during = await checkpointOffThread(store.sqlite, async () => store.sqlite.pragma('wal_autocheckpoint', { simple: true }));
      expect(during).toBe(1000);
    } finally {
      store.close();
    }
  });

  it('give checkpoints back to the connection when the thread cannot open the database, and let the work finish', async () => {
    const dir = tempDir();
    const store = openLocalStore({ file: path.join(dir, 'data', 'app.db') });
    // The open connection keeps its files; a new one finds a file where the folder was.
    fs.renameSync(path.join(dir, 'data'), path.join(dir, 'moved'));
    fs.writeFileSync(path.join(dir, 'data'), 'not a folder');
    try {
      const afterFailure = await checkpointOffThread(store.sqlite, async (checkpointer) => {
        checkpointer.start();
        await checkpointer.complete();
        await checkpointer.complete();
        return store.sqlite.pragma('wal_autocheckpoint', { simple: true });
      });
      expect(afterFailure).toBe(1000);
    } finally {
      store.close();
    }
    // The thread is shared: the failed session did not take it down for the next database.
    const next = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    try {
      const during = await checkpointOffThread(next.sqlite, async (checkpointer) => {
        await checkpointer.complete();
        return next.sqlite.pragma('wal_autocheckpoint', { simple: true });
      });
      expect(during).toBe(0);
    } finally {
      next.close();
    }
  });

  it('serve several databases at once from one thread, each copied into its own file', async () => {
    const stores = [0, 1].map(() => openLocalStore({ file: path.join(tempDir(), 'app.db') }));
    try {
      await Promise.all(
        stores.map((store, i) =>
          checkpointOffThread(store.sqlite, async (checkpointer) => {
            store.sqlite.exec(`CREATE TABLE marks (n INTEGER); INSERT INTO marks VALUES (${i})`);
            await checkpointer.complete();
          }),
        ),
      );
      // Everything was copied into each database file: a fresh read-only look without the log sees it.
      for (const [i, store] of stores.entries()) {
        const copy = path.join(tempDir(), 'copy.db');
        fs.copyFileSync(store.file, copy);
        const plain = new Database(copy, { readonly: true });
        expect(plain.prepare('SELECT n FROM marks').pluck().all()).toEqual([i]);
        plain.close();
      }
    } finally {
      for (const store of stores) store.close();
    }
  });

  it('keep the log bounded for a writer that commits without pause, waiting only when it outgrew its bound', async () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    const wal = `${store.file}-wal`;
    store.sqlite.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB)');
    const insert = store.sqlite.prepare('INSERT INTO blobs (body) VALUES (randomblob(?))');
    let largest = 0;
    let waits = 0;
    try {
      await checkpointOffThread(store.sqlite, async (checkpointer) => {
        // 100 commits of 256 KiB: 25 MiB in all, four times the bound.
        for (let i = 0; i < 100; i++) {
          insert.run(256 * 1024);
          const started = performance.now();
          await checkpointer.afterCommit();
          if (performance.now() - started > 1) waits++;
          largest = Math.max(largest, fs.statSync(wal).size);
        }
      });
      // The bound (1,500 pages, or 20 commits nobody has measured) plus the commits on the way.
      expect(largest).toBeLessThan(12 * 1024 * 1024);
      expect(waits).toBeGreaterThan(0);
      expect(store.sqlite.prepare('SELECT count(*) FROM blobs').pluck().get()).toBe(100);
    } finally {
      store.close();
    }
  });
});
