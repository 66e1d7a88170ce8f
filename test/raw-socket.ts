/** A bare `ws` client for tests that speak the wire protocol frame by frame. */
import type { TestContext } from 'node:test';
import WebSocket from 'ws';
import type { LocalAppSync } from '../src/testing/index.js';
import { API_KEY } from './helpers.js';

export type Frame = Record<string, unknown>;

/** Where the server listens (a `LocalAppSync`, or a `serve` process's `127.0.0.1:<port>`). */
export type Server = Pick<LocalAppSync, 'host'>;

export interface RawSocket {
  readonly ws: WebSocket;
  /** Every frame received, parsed, in order. */
  readonly frames: Frame[];
  /** Sends an object as JSON, a string as is. */
  send(frame: unknown): void;
  /** The first frame received (earlier or later) that matches; rejects if the socket closes or after `timeoutMs`. */
  frame(match: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Resolves with the close code once the socket has closed. */
  readonly closed: Promise<number>;
}

export const GRAPHQL = { path: '/graphql/realtime', protocol: 'graphql-ws' };
export const EVENTS = { path: '/event/realtime', protocol: 'aws-appsync-event-ws' };

/** The auth object clients send with the server's API key. */
export function apiKeyAuth(server: Server): Record<string, string> {
  return { host: server.host, 'x-api-key': API_KEY };
}

/** Opens a socket to an endpoint of `server` with `auth` in the `header-` subprotocol; closed when the test ends. */
export async function rawSocket(
  t: TestContext,
  server: Server,
  endpoint: { path: string; protocol: string },
  auth: Record<string, string> = apiKeyAuth(server),
): Promise<RawSocket> {
  const header = `header-${Buffer.from(JSON.stringify(auth)).toString('base64url')}`;
  const ws = new WebSocket(`ws://${server.host}${endpoint.path}`, [endpoint.protocol, header]);
  const frames: Frame[] = [];
  const waiting = new Set<() => void>();
  let closeCode: number | undefined;
  const closed = new Promise<number>((resolve) =>
    ws.on('close', (code) => {
      closeCode = code;
      for (const wake of [...waiting]) wake();
      resolve(code);
    }),
  );
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    for (const wake of [...waiting]) wake();
  });
  t.after(() => ws.terminate());
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    frame: (match, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        let scanned = 0;
        const check = (): void => {
          // Only the frames that arrived since the last look: a long run must not cost n².
          const found = frames.slice(scanned).find(match);
          scanned = frames.length;
          if (found !== undefined || closeCode !== undefined) {
            waiting.delete(check);
            clearTimeout(timer);
            if (found !== undefined) resolve(found);
            else reject(new Error(`the socket closed (${closeCode}) before the frame arrived; got ${JSON.stringify(frames).slice(0, 500)}`));
          }
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames).slice(0, 500)}`));
        }, timeoutMs);
        waiting.add(check);
        check();
      }),
  };
}

/** A GraphQL `start` for `query`, with the auth object in its extensions. */
export function startFrame(id: string, query: string, authorization: Record<string, string>): Frame {
  return { id, type: 'start', payload: { data: JSON.stringify({ query, variables: {} }), extensions: { authorization } } };
}
