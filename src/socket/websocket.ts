/**
 * Opening a WebSocket with whichever implementation the platform has: the `ws` package in Node
 * (20, 22 and 24 alike, although 22 and later have a global WebSocket), the global `WebSocket`
 * elsewhere (browsers, workers), unless `webSocketImpl` names one.
 */
import { loadWebSocket, prefersWs } from '#platform';
import { TransportConnectionFailed, TransportTimeoutError } from '../errors.js';
import { redactUrl } from '../protocol/url.js';

/** The part of the WHATWG WebSocket interface the library uses; `ws` and browsers both have it. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  binaryType?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}

export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
  options?: Record<string, unknown>,
) => WebSocketLike;

/** Node TLS options forwarded to `ws` (the seed's `ssl`). */
export interface TlsOptions {
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  cert?: string | Uint8Array | Array<string | Uint8Array>;
  key?: string | Uint8Array | Array<string | Uint8Array>;
  rejectUnauthorized?: boolean;
  servername?: string;
  [option: string]: unknown;
}

export interface OpenOptions {
  url: string;
  protocols: string[];
  headers?: Record<string, string> | undefined;
  tls?: TlsOptions | undefined;
  webSocketOptions?: Record<string, unknown> | undefined;
  webSocketImpl?: WebSocketConstructor | undefined;
  /** Time for the socket to open; null or a non-positive value: wait forever. */
  timeoutMs: number | null;
}

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSED = 3;

/** What the socket reports until it opens, for the failure message. */
export interface OpenAttempt {
  /** HTTP status of a refused upgrade (`ws` only: browsers do not tell). */
  status: number | undefined;
  lastError: unknown;
}

/** A WebSocket constructor, and whether it takes `ws`'s third argument. */
export interface Implementation {
  Impl: WebSocketConstructor;
  isWs: boolean;
}

/** `webSocketImpl`, else `ws` in Node (20, 22 and 24 alike), else the global WebSocket. */
export async function webSocketImplementation(options: OpenOptions): Promise<Implementation> {
  if (options.webSocketImpl) return { Impl: options.webSocketImpl, isWs: true };
  const needsNodeOptions =
    options.tls !== undefined ||
    options.headers !== undefined ||
    (options.webSocketOptions !== undefined && Object.keys(options.webSocketOptions).length > 0);
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global && !needsNodeOptions && !prefersWs()) return { Impl: global, isWs: false };
  return { Impl: await loadWebSocket(global !== undefined), isWs: true };
}

/**
 * The third argument for `ws`: TLS options, then the user's `webSocketOptions`; upgrade headers
 * are merged, the handshake's auth headers winning over the user's of the same name.
 */
function wsOptions(options: OpenOptions): Record<string, unknown> {
  const user = options.webSocketOptions ?? {};
  const userHeaders = (user.headers ?? {}) as Record<string, string>;
  const headers = options.headers ? { ...userHeaders, ...options.headers } : user.headers;
  return { ...options.tls, ...user, ...(headers !== undefined ? { headers } : {}) };
}

const ignore = (): void => {};

/**
 * Creates the socket. The caller adds its listeners in the same turn: `ws` emits frames that
 * came with the upgrade response on the next tick, before any `await` could resume.
 * @throws TransportConnectionFailed when the constructor throws (a malformed URL)
 */
export function createWebSocket({ Impl, isWs }: Implementation, options: OpenOptions): WebSocketLike {
  let socket: WebSocketLike;
  try {
    socket = isWs ? new Impl(options.url, options.protocols, wsOptions(options)) : new Impl(options.url, options.protocols);
  } catch (cause) {
    throw new TransportConnectionFailed(
      `Could not open a WebSocket to ${redactUrl(options.url)}: ${cause instanceof Error ? cause.message : String(cause)}.`,
      { cause },
    );
  }
  // `ws` throws an 'error' event that has no listener; keep one for the socket's whole life.
  socket.addEventListener('error', ignore);
  return socket;
}

/** Records what an `error` event before the open says (`ws`: "Unexpected server response: 401"). */
export function noteOpenError(attempt: OpenAttempt, event: { message?: string; error?: unknown }): void {
  const match = /Unexpected server response: (\d{3})/.exec(event?.message ?? '');
  if (match) attempt.status = Number(match[1]);
  if (event?.error !== undefined || event?.message) attempt.lastError = event.error ?? event.message;
}

/** The socket closed before it opened: a refused upgrade (with its status) or a network failure. */
export function openFailure(url: string, attempt: OpenAttempt, event: { code?: number; reason?: string }): TransportConnectionFailed {
  const { status, lastError } = attempt;
  const detail =
    status !== undefined
      ? `the server refused the WebSocket upgrade with HTTP ${status}${status === 401 || status === 403 ? ' (check the credentials)' : ''}`
      : `the connection closed before it opened (code ${event?.code ?? 'unknown'}${lastError instanceof Error ? `: ${lastError.message}` : ''})`;
  return new TransportConnectionFailed(`Could not open a WebSocket to ${redactUrl(url)}: ${detail}.`, {
    code: event?.code,
    reason: event?.reason,
    statusCode: status,
    cause: lastError,
  });
}

export function openTimeout(url: string, ms: number): TransportTimeoutError {
  return new TransportTimeoutError(
    `Expected the WebSocket to ${redactUrl(url)} to open within ${ms} ms (connectTimeoutMs), but it did not. Check the URL and the network, or raise connectTimeoutMs.`,
    { phase: 'connect', timeoutMs: ms },
  );
}
