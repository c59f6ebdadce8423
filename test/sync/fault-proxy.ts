import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request. */
export type Fault =
  | { kind: 'pass' }
  /** The request never reaches the server; the client sees the connection reset. */
  | { kind: 'drop_request' }
  /** The server handles the request; its answer is lost on the way back. */
  | { kind: 'drop_response' }
  /** The server receives the request twice; the client gets the second answer. */
  | { kind: 'duplicate' }
  | { kind: 'delay'; ms: number }
  /** The proxy answers 500 itself; the server never sees the request. */
  | { kind: 'error_500' }
  /** The proxy refuses the key itself, as a captive portal or another server on the port would. */
  | { kind: 'unauthorized' };

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The X-Machine-Id header: which client sent it. */
  machineId: string;
}

export interface FaultProxy {
  url: string;
  /** Decides each request's fate (default: pass). */
  plan: (request: ProxiedRequest) => Fault;
  /** Runs after the server answered and before the answer is relayed: the request is in flight. */
  beforeRelay: ((request: ProxiedRequest) => Promise<void> | void) | null;
  /** Rewrites the headers of an answer as relayed. */
  relayHeaders: ((request: ProxiedRequest, headers: http.OutgoingHttpHeaders) => http.OutgoingHttpHeaders) | null;
  /** Runs once an answer's headers are relayed and before its body is: the client has the head only. */
  beforeBody: ((request: ProxiedRequest) => Promise<void> | void) | null;
  /** Requests seen, by path without query. */
  seen: string[];
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function forward(target: URL, req: http.IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** A loopback HTTP proxy between clients and the sync server that injects faults on demand. */
export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const proxy: Omit<FaultProxy, 'url' | 'close'> = { plan: () => ({ kind: 'pass' }), beforeRelay: null, relayHeaders: null, beforeBody: null, seen: [] };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const request = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, machineId: String(req.headers['x-machine-id'] ?? '') };
    proxy.seen.push(request.path);
    const fault = proxy.plan(request);
    try {
      if (fault.kind === 'drop_request') return void req.socket.destroy();
      if (fault.kind === 'error_500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { code: 'server_error', message: 'injected by the fault proxy' } }));
      }
      if (fault.kind === 'unauthorized') {
        res.writeHead(401, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'refused by the fault proxy' } }));
      }
      if (fault.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault.kind === 'duplicate') await forward(target, req, body);
      const answer = await forward(target, req, body);
      await proxy.beforeRelay?.(request);
      if (fault.kind === 'drop_response') return void req.socket.destroy();
      const { 'transfer-encoding': _te, connection: _c, ...headers } = answer.headers;
      const relayed = { ...headers, 'content-length': String(answer.body.length) };
      res.writeHead(answer.status, proxy.relayHeaders?.(request, relayed) ?? relayed);
      if (proxy.beforeBody) {
        res.flushHeaders();
        await proxy.beforeBody(request);
      }
      res.end(answer.body);
    } catch {
      // The server is down (restarting): the client sees a reset connection, like a real outage.
      req.socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FaultProxy;
}
