/**
 * The contract every auth mode fulfils: produce AppSync's auth object (docs/PROTOCOL.md
 * §3.2) for one request. The same object is the handshake header, the `authorization` of a
 * `start`, and the HTTP headers of a query over HTTP.
 */
import { TransportAuthError, TransportConfigurationError, TransportError, TransportTimeoutError, errorName } from '../errors.js';
import { withDeadline } from '../deadline.js';
import type { Cancellation } from '../transport/session.js';

/** A value, or a function returning a (promised) value, called again on every use. */
export type ValueOrProvider<T> = T | (() => T | Promise<T>);

export interface AuthRequest {
  /** Host of the HTTP API (or custom domain) derived from the transport URL, e.g. `x.appsync-api.us-east-1.amazonaws.com`. */
  host: string;
  /** Path of the request that is signed: `/graphql/connect` (handshake), `/graphql` (start, HTTP), `/event`… */
  path: string;
  /** The exact request body: `{}` for a connect, `payload.data` for a start, the JSON body over HTTP. */
  body: string;
  /** `https` unless the transport URL is plain http/ws (local servers). IAM signs this URL. */
  scheme?: 'https' | 'http';
  /**
   * For a real HTTP request: its own headers that IAM must sign, which then come back in the
   * result. @default AppSync's three real-time constants (accept, content-encoding, content-type)
   */
  headers?: Record<string, string>;
}

export type AuthMode = 'API_KEY' | 'AMAZON_COGNITO_USER_POOLS' | 'AWS_LAMBDA' | 'AWS_IAM';

export interface AppSyncAuthentication {
  readonly mode: AuthMode;
  /** The auth object for this request: header names as AppSync expects them, `host` included. */
  getHeaders(request: AuthRequest): Promise<Record<string, string>>;
  /**
   * Asked after the server refused our credentials, before one more try: forget anything cached
   * so the next `getHeaders` reads fresh credentials. Optional; providers usually refresh themselves.
   */
  invalidate?(): void;
}

/** Checks the `auth` option: undefined (the default) or an object with `getHeaders`. */
export function checkAuth(auth: unknown): AppSyncAuthentication | undefined {
  if (auth === undefined || typeof (auth as AppSyncAuthentication | null)?.getHeaders === 'function') return auth as AppSyncAuthentication | undefined;
  // Keys only, never values: a plain `{ apiKey }` holds the secret.
  const got = auth === null ? 'null' : typeof auth === 'object' ? `an object with keys ${Object.keys(auth).join(', ') || '(none)'}` : `a ${typeof auth}`;
  throw new TransportConfigurationError(
    `Expected auth to be an auth object such as new AppSyncApiKeyAuthentication({ apiKey }) (anything with getHeaders(request)), but got ${got}.`,
  );
}

/** How long a call to `getHeaders` may take, and what it is for (in messages). */
export interface AuthCall {
  /** `authTimeoutMs`; null or 0: no limit. */
  timeoutMs: number | null;
  /** For messages: `the connect`, `the start of subscription 3`. */
  purpose: string;
  /** Each stops waiting (close() during a connect, a caller's signal); the call then rejects with its reason. */
  signals?: ReadonlyArray<Cancellation | undefined>;
}

/** The provider inside each built-in auth mode that can hang, for the timeout message. */
const PROVIDER: Record<string, string> = {
  API_KEY: 'the `apiKey` function',
  AMAZON_COGNITO_USER_POOLS: 'the `jwt` function',
  AWS_LAMBDA: 'the `token` function',
  AWS_IAM: 'the `credentials` provider (or the default credential chain, or the region lookup)',
};

/**
 * Asks `auth` for the auth object of `request`. An error that is not the library's own (from a
 * custom auth) becomes a `TransportAuthError` naming only its class: it may quote a secret. A
 * call that does not settle within `call.timeoutMs` is a `TransportTimeoutError` (phase `auth`).
 */
export async function headersFrom(auth: AppSyncAuthentication, request: AuthRequest, call?: AuthCall): Promise<Record<string, string>> {
  try {
    const work = Promise.resolve().then(() => auth.getHeaders(request)).then((headers) => checkHeaders(auth, headers));
    if (call === undefined) return await work;
    const ms = call.timeoutMs;
    return await withDeadline(work, {
      ms,
      signals: call.signals,
      timeout: () =>
        new TransportTimeoutError(
          `Expected the auth (mode ${auth.mode}) to give the headers for ${call.purpose} within ${ms} ms (authTimeoutMs), but it did not answer: its getHeaders() never settled (with the built-in auth classes, ${PROVIDER[auth.mode] ?? 'a provider it calls'}). Make it resolve or reject, or raise authTimeoutMs.`,
          { phase: 'auth', timeoutMs: ms as number },
        ),
    });
  } catch (cause) {
    if (cause instanceof TransportError) throw cause;
    if (call?.signals?.some((signal) => signal?.aborted)) throw cause;
    throw new TransportAuthError(
      `The auth (mode ${auth.mode}) could not make its headers: getHeaders() threw ${errorName(cause)}. The original error is in \`cause\`.`,
      { cause },
    );
  }
}

/**
 * A copy of what `getHeaders` gave, checked to be an object of strings (what is sent and
 * signed). Names keys only, never values; a getter that throws is named by its class only.
 */
function checkHeaders(auth: AppSyncAuthentication, headers: unknown): Record<string, string> {
  const refuse = (got: string): never => {
    throw new TransportAuthError(`Expected the auth (mode ${auth.mode}) to give its headers as an object of strings, but getHeaders() gave ${got}.`);
  };
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return refuse(headers === null ? 'null' : Array.isArray(headers) ? 'an array' : `a ${typeof headers}`);
  const copy: Record<string, string> = {};
  let entries: [string, unknown][];
  try {
    entries = Object.entries(headers);
  } catch (cause) {
    throw new TransportAuthError(`The auth (mode ${auth.mode}) gave headers that cannot be read: reading them threw ${errorName(cause)}.`, { cause });
  }
  for (const [name, value] of entries) {
    if (typeof value !== 'string') return refuse(`a ${value === null ? 'null' : typeof value} for header "${name.slice(0, 60)}"`);
    copy[name] = value;
  }
  return copy;
}

/** Resolves a {@link ValueOrProvider}. */
export async function resolveValue<T>(value: ValueOrProvider<T>): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : value;
}
