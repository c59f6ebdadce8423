import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { eventually } from '../support/eventually';
import { tempDir } from '../support/temp';

const repo = path.resolve(__dirname, '../..');

/**
 * A process that loads the app's data layer, says "ready", and opens `file` (as one PC: the same OS
 * machine ID) when told "go", then prints the machine ID it got or the error it met.
 */
function opener(file: string): { child: ChildProcessWithoutNullStreams; out: () => string; exited: Promise<number | null> } {
  const script = `
    const { openLocalStore } = require('./src/db/local-store');
    process.stdout.write('ready\\n');
    process.stdin.once('data', () => {
      try {
        const store = openLocalStore({ file: ${JSON.stringify(file)}, osMachineId: () => 'one-pc' });
        process.stdout.write('id ' + store.machineId + '\\n');
        store.close();
      } catch (error) {
        process.stdout.write('failed ' + error.message + '\\n');
        process.exitCode = 1;
      }
    });`;
  const child = spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), '-e', script], { cwd: repo });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  return { child, out: () => out, exited: new Promise((resolve) => child.on('exit', resolve)) };
}

describe('opening one new database from several processes at once', () => {
  it('migrates it once, under a lock the others wait for, and gives the file one identity', async () => {
    const TRIALS = 6;
    for (let trial = 0; trial < TRIALS; trial++) {
      const file = path.join(tempDir(), 'blos.db');
      const openers = [opener(file), opener(file), opener(file)];
      await eventually(() => openers.every((o) => o.out().includes('ready')), { timeout: 30_000, what: 'three processes to load' });
      for (const o of openers) o.child.stdin.end('go\n');
      const codes = await Promise.all(openers.map((o) => o.exited));
      const outputs = openers.map((o) => o.out());
      expect({ trial, outputs }).toEqual({ trial, outputs: outputs.map((o) => expect.stringMatching(/^ready\nid [0-9a-f]{64}\n$/)) });
      expect(codes).toEqual([0, 0, 0]);
      const ids = new Set(outputs.map((o) => /id ([0-9a-f]{64})/.exec(o)![1]));
      expect(ids.size).toBe(1);
    }
  }, 120_000);
});
