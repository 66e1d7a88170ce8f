/**
 * Opening a WebSocket with whichever implementation the platform has: the `ws` package in Node
 * (20, 22 and 24 alike, although 22 and later have a global WebSocket), the global `WebSocket`
 * elsewhere (browsers, workers), unless `webSocketImpl` names one.
 */
import { loadWebSocket, prefersWs } from '#platform';
import { TransportConnectionFailed, TransportTimeoutError } from '../errors.js';
import { redactUrl } from '../protocol/url.js';
import { armed } from '../options.js';

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
  /** null or a non-positive value: wait forever. */
  timeoutMs: number | null;
}

export const OPEN = 1;

const ignore = (): void => {};

async function pickImplementation(options: OpenOptions): Promise<{ Impl: WebSocketConstructor; isWs: boolean }> {
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

/**
 * Opens the socket; resolves once it is open. Rejects with `TransportConnectionFailed` (with the
 * HTTP status when the server refused the upgrade) or `TransportTimeoutError` (phase `connect`).
 */
export async function openWebSocket(options: OpenOptions): Promise<WebSocketLike> {
  const { Impl, isWs } = await pickImplementation(options);
  const safeUrl = redactUrl(options.url);
  let socket: WebSocketLike;
  try {
    socket = isWs
      ? new Impl(options.url, options.protocols, wsOptions(options))
      : new Impl(options.url, options.protocols);
  } catch (cause) {
    throw new TransportConnectionFailed(
      `Could not open a WebSocket to ${safeUrl}: ${cause instanceof Error ? cause.message : String(cause)}.`,
      { cause },
    );
  }
  // `ws` throws an 'error' event that has no listener; keep one for the socket's whole life.
  socket.addEventListener('error', ignore);
  return new Promise<WebSocketLike>((resolve, reject) => {
    let status: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('error', onError);
      socket.removeEventListener('close', onClose);
    };
    const onOpen = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (event: { message?: string; error?: unknown }) => {
      // `ws` reports a refused upgrade as "Unexpected server response: 401"; browsers say nothing.
      const match = /Unexpected server response: (\d{3})/.exec(event?.message ?? '');
      if (match) status = Number(match[1]);
      if (event?.error !== undefined || event?.message) lastError = event.error ?? event.message;
    };
    let lastError: unknown;
    const onClose = (event: { code?: number; reason?: string }) => {
      cleanup();
      const detail =
        status !== undefined
          ? `the server refused the WebSocket upgrade with HTTP ${status}${status === 401 || status === 403 ? ' (check the credentials)' : ''}`
          : `the connection closed before it opened (code ${event?.code ?? 'unknown'}${lastError instanceof Error ? `: ${lastError.message}` : ''})`;
      reject(
        new TransportConnectionFailed(`Could not open a WebSocket to ${safeUrl}: ${detail}.`, {
          code: event?.code,
          reason: event?.reason,
          statusCode: status,
          cause: lastError,
        }),
      );
    };
    socket.addEventListener('open', onOpen);
    socket.addEventListener('error', onError);
    socket.addEventListener('close', onClose);
    const ms = options.timeoutMs;
    if (armed(ms)) {
      timer = setTimeout(() => {
        cleanup();
        try {
          socket.close();
        } catch {
          /* closing a CONNECTING socket may throw in some implementations */
        }
        reject(
          new TransportTimeoutError(
            `Expected the WebSocket to ${safeUrl} to open within ${ms} ms (connectTimeoutMs), but it did not. Check the URL and the network, or raise connectTimeoutMs.`,
            { phase: 'connect', timeoutMs: ms },
          ),
        );
      }, ms);
    }
  });
}
