import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureRendererBuilt } from '../support/browser-host';
import { eventually } from '../support/eventually';
import { tempDir } from '../support/temp';

const ROOT = path.resolve(__dirname, '../..');

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/web/cli.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('npm run web (src/web/cli.ts)', () => {
  it('prints the address to open, serves it, and stops cleanly on SIGTERM', async () => {
    await ensureRendererBuilt();
    const dataDir = tempDir('blos-web-cli-');
    const run = runCli(['--port', '0', '--data', dataDir]);
    try {
      const url = await eventually(() => /^open (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43})$/m.exec(run.output())?.[1] ?? false, {
        timeout: 30_000,
        interval: 50,
        what: 'the address to open',
      });
      const origin = url.split('/#')[0]!;
      const token = url.split('#token=')[1]!;
      const response = await fetch(`${origin}/api/session.status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-blos-token': token, 'x-blos-client': 'cli-test-client-0001' },
        body: 'null',
      });
      expect(await response.json()).toMatchObject({ ok: true, value: { firstRun: true } });
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('closing the database');
  });

  it('refuses a bad --port with a clear message', async () => {
    const run = runCli(['--port', 'eighty']);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('--port: expected a port number 0-65535, got "eighty"');
  });
});
