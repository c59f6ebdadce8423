import fs from 'node:fs';
import path from 'node:path';
import { openLocalStore } from '../../src/db/local-store';
import { tempDir } from '../support/temp';

describe('machine identity', () => {
  it('is 64 hex characters and stable across reopen', () => {
    const file = path.join(tempDir(), 'app.db');
    const first = openLocalStore({ file });
    const id = first.machineId;
    first.close();
    const second = openLocalStore({ file });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(second.machineId).toBe(id);
    second.close();
  });

  it('uses the real OS machine ID by default', () => {
    const store = openLocalStore({ file: path.join(tempDir(), 'app.db') });
    expect(store.sqlite.prepare("SELECT value FROM instance_meta WHERE key = 'machine.os_id'").pluck().get()).toMatch(
      /^[0-9a-f]{64}$/,
    );
    store.close();
  });

  it('differs between two installations on the same PC', () => {
    const dir = tempDir();
    const a = openLocalStore({ file: path.join(dir, 'a.db'), osMachineId: () => 'pc-1' });
    const b = openLocalStore({ file: path.join(dir, 'b.db'), osMachineId: () => 'pc-1' });
    expect(a.machineId).not.toBe(b.machineId);
    a.close();
    b.close();
  });

  it('changes when the database is copied to another PC, and stays put on the original', () => {
    const dir = tempDir();
    const original = path.join(dir, 'original.db');
    const store = openLocalStore({ file: original, osMachineId: () => 'pc-1' });
    const id = store.machineId;
    store.close();
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(original, copy);

    const moved = openLocalStore({ file: copy, osMachineId: () => 'pc-2' });
    expect(moved.machineId).toMatch(/^[0-9a-f]{64}$/);
    expect(moved.machineId).not.toBe(id);
    const movedId = moved.machineId;
    moved.close();
    const movedAgain = openLocalStore({ file: copy, osMachineId: () => 'pc-2' });
    expect(movedAgain.machineId).toBe(movedId);
    movedAgain.close();

    const back = openLocalStore({ file: original, osMachineId: () => 'pc-1' });
    expect(back.machineId).toBe(id);
    back.close();
  });
});
