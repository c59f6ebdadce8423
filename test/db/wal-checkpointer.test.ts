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
  });
});
