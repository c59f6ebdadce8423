import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Bounds what a client can hold without the API key. An attack review found that sockets which send
 * nothing stayed open for good, and 1,100 of them exhausted 1,024 file descriptors so that
 * `/health.php` failed for everyone. Every connection must now speak within `idleMs`, headers and
 * requests have deadlines, and at `maxConnections` a new connection takes the place of the oldest one
 * that is not serving a request (silent ones first), so the server never runs out of descriptors and
 * a client that speaks always gets in.
 */
export interface ConnectionLimits {
  /** Open connections at most: keep it below the process's descriptor limit (`ulimit -n`). */
  maxConnections: number;
  /** A connection that sends nothing, or stays idle between requests, for this long is closed. */
  idleMs: number;
  /** All request headers must arrive within this (a client dribbling bytes is closed). */
  headersMs: number;
  /** A whole request, body included, must arrive within this. */
  requestMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 512, idleMs: 30_000, headersMs: 15_000, requestMs: 120_000 };

/** The TCP socket under a request: for https, the TLS socket's parent (Node keeps it as `_parent`). */
function tcpSocket(request: IncomingMessage): Socket {
  return (request.socket as Socket & { _parent?: Socket })._parent ?? request.socket;
}

export function guardConnections(server: Server, limits: ConnectionLimits): void {
  server.headersTimeout = limits.headersMs;
  server.requestTimeout = limits.requestMs;
  server.keepAliveTimeout = Math.min(server.keepAliveTimeout, limits.idleMs);
  server.setTimeout(limits.idleMs);

  /** Open TCP connections, oldest first (a Set keeps insertion order). */
  const open = new Set<Socket>();
  const spoken = new WeakSet<Socket>();
  const serving = new Map<Socket, number>();

  const oldestEvictable = (): Socket | undefined => {
    let idle: Socket | undefined;
    for (const socket of open) {
      if (!spoken.has(socket)) return socket;
      if (!idle && !serving.has(socket)) idle = socket;
    }
    return idle;
  };

  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      const victim = oldestEvictable();
      if (!victim) return void socket.destroy();
      open.delete(victim);
      victim.destroy();
    }
    open.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      serving.delete(socket);
    });
    // A socket that never completes a request (nor, under TLS, a handshake) is closed by this alone:
    // it may never produce the activity the idle timeout watches.
    const silence = setTimeout(() => spoken.has(socket) || socket.destroy(), limits.idleMs);
    silence.unref();
    socket.once('close', () => clearTimeout(silence));
  });

  server.on('request', (request: IncomingMessage, response) => {
    const socket = tcpSocket(request);
    spoken.add(socket);
    serving.set(socket, (serving.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (serving.get(socket) ?? 1) - 1;
      if (left > 0) serving.set(socket, left);
      else serving.delete(socket);
    });
  });
}
