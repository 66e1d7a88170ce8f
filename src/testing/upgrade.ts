/**
 * The WebSocket upgrade as both local engines see it: injected refusals, then where the auth
 * object travels (query string, `header-` subprotocol, or plain headers; docs/PROTOCOL.md §3.1).
 */
import { base64Decode } from '../protocol/encoding.js';

export interface UpgradeRequest {
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Offered `Sec-WebSocket-Protocol` values. */
  protocols: string[];
}

export type UpgradeDecision =
  | { accept: true; protocol: string | undefined; auth: Record<string, string> | undefined }
  | { accept: false; status: number; body: string };

/** Refuse the next `remaining` upgrades with HTTP `status` (fault injection). */
export interface Refusal {
  status: number;
  remaining: number;
}

/** Accepts with the decoded auth object (and the expected subprotocol when offered), or refuses. */
export function decideUpgrade(request: UpgradeRequest, refusal: Refusal | undefined, subprotocol: string): UpgradeDecision {
  if (refusal !== undefined && refusal.remaining > 0) {
    refusal.remaining--;
    return { accept: false, status: refusal.status, body: JSON.stringify({ errors: [{ message: 'Injected refusal' }] }) };
  }
  let auth: Record<string, string> | undefined;
  try {
    const headerParam = request.query.get('header');
    const headerProtocol = request.protocols.find((p) => p.startsWith('header-'));
    if (headerParam !== null) auth = decodeAuth(headerParam);
    else if (headerProtocol !== undefined) auth = decodeAuth(headerProtocol.slice('header-'.length));
    else auth = plainHeaders(request.headers);
  } catch {
    return {
      accept: false,
      status: 400,
      body: JSON.stringify({ errors: [{ errorType: 'BadRequestException', message: 'Invalid auth header encoding.' }] }),
    };
  }
  const protocol = request.protocols.find((p) => p === subprotocol);
  return { accept: true, protocol: protocol ?? request.protocols[0], auth };
}

/** base64 or base64url; a `+` that a form decoder turned into a space is put back (gql does not percent-encode). */
function decodeAuth(encoded: string): Record<string, string> {
  const value = JSON.parse(base64Decode(encoded.replace(/ /g, '+'))) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('auth header is not an object');
  return value as Record<string, string>;
}

const PLAIN_AUTH_HEADERS = ['host', 'x-api-key', 'authorization', 'x-amz-date', 'x-amz-security-token', 'accept', 'content-encoding', 'content-type'];

function plainHeaders(headers: UpgradeRequest['headers']): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const name of PLAIN_AUTH_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out['x-api-key'] !== undefined || out.authorization !== undefined ? out : undefined;
}
