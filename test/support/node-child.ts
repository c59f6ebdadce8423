import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');
const REGISTER = require.resolve('@swc-node/register');

/** The unprivileged account a child runs as when the tests run as root (root writes to read-only files). */
export const UNPRIVILEGED = { uid: 65534, gid: 65534 };
export const runningAsRoot = () => process.getuid?.() === 0;

export interface ChildOptions {
  /** Run without root's right to write anywhere (as UNPRIVILEGED when the tests run as root). */
  unprivileged?: boolean;
  /** The largest file the child may write, in KiB (`ulimit -f`): a disk that fills up. */
  fileSizeLimitKb?: number;
  /**
   * A disk of this size mounted on `folder` for the child alone: a tmpfs in a mount namespace of its
   * own (`unshare`), which the rest of the machine never sees and which goes with the child.
   */
  smallDisk?: { folder: string; sizeKb: number };
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs TypeScript `script` (requires are relative to the repository) in a child Node process. */
export function runNodeChild(script: string, options: ChildOptions = {}): Promise<ChildResult> {
  return run([process.execPath, '-r', REGISTER, '-e', script], options);
}

/** Runs one of the repository's TypeScript entry points (`src/sync/cli.ts`) with `args`, as npm would. */
export function runEntryPoint(file: string, args: string[], options: ChildOptions = {}): Promise<ChildResult> {
  return run([process.execPath, '-r', REGISTER, path.join(REPO, file), ...args], options);
}

function run(node: string[], options: ChildOptions): Promise<ChildResult> {
  // With the size limit the write fails with EFBIG instead of killing the process (SIGXFSZ ignored).
  const limited = options.fileSizeLimitKb
    ? ['bash', '-c', `trap '' XFSZ; ulimit -f ${options.fileSizeLimitKb}; exec "$@"`, 'bash', ...node]
    : node;
  const disk = options.smallDisk;
  const command = disk
    ? ['unshare', '--map-root-user', '--mount', 'bash', '-c', `mount -t tmpfs -o size=${disk.sizeKb}k tmpfs "$0" && exec "$@"`, disk.folder, ...limited]
    : limited;
  const ids = options.unprivileged && runningAsRoot() ? UNPRIVILEGED : {};
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd: REPO, env: options.env ?? process.env, ...ids });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Gives a folder (and what is in it) to the account unprivileged children run as, so it can own and read it. */
export function handToUnprivileged(dir: string): void {
  fs.chmodSync(dir, 0o755);
  if (!runningAsRoot()) return;
  for (const entry of [dir, ...fs.readdirSync(dir, { recursive: true }).map((name) => path.join(dir, String(name)))]) {
    fs.chownSync(entry, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
  }
}
