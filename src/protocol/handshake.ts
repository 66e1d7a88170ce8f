/**
 * How the auth object travels on the WebSocket upgrade (docs/PROTOCOL.md §3.1), pure.
 */
import { TransportConfigurationError } from '../errors.js';
import { base64Encode, base64UrlEncode } from './encoding.js';
import type { AuthObject } from './messages.js';

/**
 * - `subprotocol`: `Sec-WebSocket-Protocol: <protocol>, header-<base64url(auth)>` (Amplify, Apollo; works in browsers).
 * - `query`: `?header=<base64(auth)>&payload=e30=` appended to the URL (gql; the Amplify simulator's only way).
 * - `headers`: the auth object as plain HTTP headers on the upgrade (Node only; not for private APIs).
 */
export type HandshakeAuth = 'subprotocol' | 'query' | 'headers';

export interface Handshake {
  url: string;
  protocols: string[];
  /** Extra HTTP headers for the upgrade request (only with `headers`). */
  headers?: Record<string, string>;
}

/** Throws a `TransportConfigurationError` unless `style` is a {@link HandshakeAuth}. */
export function checkHandshakeAuth(style: unknown): HandshakeAuth {
  if (style !== 'subprotocol' && style !== 'query' && style !== 'headers') {
    throw new TransportConfigurationError(
      `Expected handshakeAuth to be 'subprotocol', 'query' or 'headers', but got ${JSON.stringify(style)}.`,
    );
  }
  return style;
}

export function buildHandshake(
  style: HandshakeAuth,
  realtimeUrl: string,
  auth: AuthObject,
  subprotocol: string,
): Handshake {
  const json = JSON.stringify(auth);
  switch (style) {
    case 'subprotocol':
      return { url: realtimeUrl, protocols: [subprotocol, `header-${base64UrlEncode(json)}`] };
    case 'query': {
      // Percent-encoded: raw base64 `+` would be read as a space by form decoders.
      const sep = realtimeUrl.includes('?') ? '&' : '?';
      const url = `${realtimeUrl}${sep}header=${encodeURIComponent(base64Encode(json))}&payload=e30=`;
      return { url, protocols: [subprotocol] };
    }
    default:
      checkHandshakeAuth(style);
      return { url: realtimeUrl, protocols: [subprotocol], headers: { ...auth } };
  }
}
