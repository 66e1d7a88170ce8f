/**
 * The local AppSync on Node: an HTTP server whose upgrades go to the real-time engine, bound to
 * the `ws` package. Listens on 127.0.0.1, port 0 (a free port) unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RealtimeEngine, type RealtimeOptions } from './realtime-core.js';

export interface LocalAppSyncOptions extends RealtimeOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  hostname?: string;
}

export interface LocalAppSync {
  /** `http://127.0.0.1:<port>/graphql`: give this to the transport (custom-domain style). */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/graphql/realtime`. */
  readonly realtimeUrl: string;
  readonly port: number;
  /** `127.0.0.1:<port>`: the auth host clients send. */
  readonly host: string;
  /** The protocol engine: publish, received frames, subscriptions, faults. */
  readonly realtime: RealtimeEngine;
  readonly server: Server;
  close(): Promise<void>;
}

const REALTIME_PATHS = new Set(['/graphql/realtime', '/graphql']);

export async function startLocalAppSync(options: LocalAppSyncOptions = {}): Promise<LocalAppSync> {
  const engine = new RealtimeEngine(options);
  const wss = new WebSocketServer({
    noServer: true,
    // The engine picked the protocol during the upgrade; echo it.
    handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
  });
  const server = createServer((req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: `No route for ${req.method} ${req.url}` }] }));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!REALTIME_PATHS.has(url.pathname)) return refuse(socket, 404, JSON.stringify({ errors: [{ message: 'Not found' }] }));
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const decision = engine.upgrade({ path: url.pathname, query: url.searchParams, headers: req.headers, protocols });
    if (!decision.accept) return refuse(socket, decision.status, decision.body);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const handlers = engine.accept(
        {
          send: (text) => ws.send(text),
          close: (code, reason) => ws.close(code, reason),
          terminate: () => ws.terminate(),
          sendBinary: (bytes) => ws.send(bytes, { binary: true }),
        },
        decision,
      );
      ws.on('message', (data, isBinary) => handlers.receive(isBinary ? null : data.toString()));
      ws.on('close', () => handlers.closed());
      ws.on('error', () => handlers.closed());
    });
  });
  const hostname = options.hostname ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = `${hostname}:${port}`;
  return {
    url: `http://${host}/graphql`,
    realtimeUrl: `ws://${host}/graphql/realtime`,
    port,
    host,
    realtime: engine,
    server,
    async close() {
      engine.shutdown();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function refuse(socket: Duplex, status: number, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
