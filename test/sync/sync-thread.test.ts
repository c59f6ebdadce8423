import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const repo = path.resolve(__dirname, '../..');

describe('the sync worker', () => {
  it('keeps the process alive while it loads, and lets it exit once idle', async () => {
    // A CLI that starts the worker early must not end before it has loaded, nor hang after.
    const script = "require('./src/sync/sync-thread').prepareSyncWorker().then(() => console.log('loaded'))";
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', require.resolve('@swc-node/register'), '-e', script], { cwd: repo, timeout: 30_000 });
    expect(stdout.trim()).toBe('loaded');
  });
});
