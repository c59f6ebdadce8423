import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { PATHS } from '../../src/protocol/wire';
import { startSyncServer, type RunningSyncServer } from '../../src/server';
import { eventually } from '../support/eventually';
import { tempDir } from '../support/temp';

const ROOT = path.resolve(__dirname, '../..');
const REGISTER = require.resolve('@swc-node/register', { paths: [ROOT] });
const KEY = 'ab'.repeat(32);

/** Opens a TCP connection that sends nothing; resolves once connected (or refused). */
function silentSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

async function health(url: string, options: https.RequestOptions = {}): Promise<number> {
  const client = url.startsWith('https:') ? https : await import('node:http');
  return new Promise((resolve, reject) => {
    const request = client.get(`${url}${PATHS.health}`, { ...options, timeout: 15_000 }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 15 s')));
    request.on('error', reject);
  });
}

describe('connections the sync server keeps', () => {
  let server: RunningSyncServer;
  afterEach(() => server?.close());

  it('closes connections that send nothing, and ones that dribble a request, after the idle time', async () => {
    server = await startSyncServer({ apiKey: KEY, dbFile: path.join(tempDir(), 'server.db'), connections: { idleMs: 600 } });
    const silent = await Promise.all(Array.from({ length: 20 }, () => silentSocket(server.port)));
    const dribbling = await silentSocket(server.port);
    const drip = setInterval(() => dribbling.write('G'), 100);
    try {
      await Promise.all([...silent, dribbling].map(closed));
    } finally {
      clearInterval(drip);
    }
    expect(await health(server.url)).toBe(200);
  });

  it('with more silent sockets than the descriptor limit allows, still answers /health.php at once', async () => {
    const dir = tempDir('blos-fd-limit-');
    // 256 descriptors for the whole server process; 400 silent sockets would exhaust them.
    const child = spawn('bash', ['-c', 'ulimit -n 256; exec "$@"', 'bash', process.execPath, '-r', REGISTER, path.join(ROOT, 'src/server/cli.ts')], {
      cwd: dir,
      env: { PATH: process.env.PATH, SYNC_API_KEY: KEY, SYNC_SERVER_PORT: '0', SYNC_SERVER_DB: path.join(dir, 'server.db'), SYNC_SERVER_MAX_CONNECTIONS: '128', SYNC_SERVER_IDLE_TIMEOUT_MS: '600000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const sockets: net.Socket[] = [];
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stdout!.on('data', (chunk) => {
          seen += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(seen);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
      });
      const port = Number(new URL(url).port);
      for (let i = 0; i < 400; i++) sockets.push(await silentSocket(port));
      expect(await health(url)).toBe(200);
      // The connections held stay within the cap: the oldest silent ones made room (their ends arrive here in time).
      await eventually(() => sockets.filter((socket) => !socket.destroyed).length <= 128, { what: 'the server to close the connections over its cap' });
    } finally {
      sockets.forEach((socket) => socket.destroy());
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('serves https itself with a certificate and key from its configuration', async () => {
    const dir = tempDir('blos-tls-');
    const [certFile, keyFile] = [path.join(dir, 'cert.pem'), path.join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = fs.readFileSync(certFile);
    server = await startSyncServer({ apiKey: KEY, dbFile: path.join(dir, 'server.db'), tls: { cert, key: fs.readFileSync(keyFile) } });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await health(server.url, { ca: cert })).toBe(200);
    await expect(health(server.url.replace('https:', 'http:'))).rejects.toThrow();
  });
});
