/**
 * The error hierarchy. Every error the library throws extends `TransportError`, has a literal
 * `name`, a stable machine-readable `code`, and a message that says what was expected, what
 * arrived and how to fix it. No message ever contains a credential: callers build messages from
 * {@link describeValue} and redacted URLs only.
 */

/** GraphQL error objects as AppSync sends them (`errorType`/`errorCode` are AppSync extras). */
export interface GraphQLErrorLike {
  message?: string;
  errorType?: string;
  errorCode?: number;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: Record<string, unknown>;
  [key: string]: unknown;
}

export type TimeoutPhase = 'connect' | 'auth' | 'ack' | 'keep-alive' | 'liveness' | 'start-ack' | 'close' | 'request' | 'publish';

/** Every error's stable machine-readable `code`: `switch (error.code)` is checked by the compiler. */
export type TransportErrorCode =
  | 'TRANSPORT_ERROR'
  | 'PROTOCOL_ERROR'
  | 'SERVER_ERROR'
  | 'QUERY_ERROR'
  | 'CLOSED'
  | 'CONNECTION_FAILED'
  | 'ALREADY_CONNECTED'
  | 'TIMEOUT'
  | 'CONFIGURATION_ERROR'
  | 'AUTH_ERROR'
  | 'BUFFER_OVERFLOW'
  | 'INVALID_DOCUMENT'
  | 'UNSUPPORTED_OPERATION';

const BRAND = Symbol.for('appsync-websockets.TransportError');

/** Base class of every error this library raises. */
export class TransportError extends Error {
  override name: string = 'TransportError';
  readonly code: TransportErrorCode = 'TRANSPORT_ERROR';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** The server sent something the protocol does not allow (bad JSON, unknown type, binary frame). */
export class TransportProtocolError extends TransportError {
  override name = 'TransportProtocolError' as const;
  override readonly code = 'PROTOCOL_ERROR' as const;
}

/** The server reported a connection-level error (`connection_error`, an id-less `error`, HTTP 4xx/5xx). */
export class TransportServerError extends TransportError {
  override name = 'TransportServerError' as const;
  override readonly code = 'SERVER_ERROR' as const;
  /** The GraphQL errors the server sent, when it sent any. */
  readonly errors: GraphQLErrorLike[];
  /** HTTP status for errors over HTTP or a refused handshake; AppSync's `errorCode` otherwise. */
  readonly statusCode: number | undefined;
  constructor(message: string, options: { errors?: GraphQLErrorLike[]; statusCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.errors = options.errors ?? [];
    this.statusCode = options.statusCode;
  }
}

/** The server answered one operation with GraphQL errors; other subscriptions are unaffected. */
export class TransportQueryError extends TransportError {
  override name = 'TransportQueryError' as const;
  override readonly code = 'QUERY_ERROR' as const;
  /** Always an array, even when AppSync sent a single error object. */
  readonly errors: GraphQLErrorLike[];
  readonly queryId: string | undefined;
  readonly data: unknown;
  readonly extensions: Record<string, unknown> | undefined;
  constructor(
    message: string,
    options: { errors: GraphQLErrorLike[]; queryId?: string; data?: unknown; extensions?: Record<string, unknown>; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.errors = options.errors;
    this.queryId = options.queryId;
    this.data = options.data;
    this.extensions = options.extensions;
  }
}

/** The transport was closed by its user, or is not connected. */
export class TransportClosed extends TransportError {
  override name = 'TransportClosed' as const;
  override readonly code = 'CLOSED' as const;
}

/** The WebSocket could not be opened, or was closed by the server or the network. */
export class TransportConnectionFailed extends TransportError {
  override name = 'TransportConnectionFailed' as const;
  override readonly code = 'CONNECTION_FAILED' as const;
  /** WebSocket close code, when the socket was closed (1006: closed without a close frame). */
  readonly closeCode: number | undefined;
  readonly reason: string | undefined;
  /** HTTP status when the server refused the WebSocket handshake. */
  readonly statusCode: number | undefined;
  constructor(message: string, options: { code?: number; reason?: string; statusCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.closeCode = options.code;
    this.reason = options.reason;
    this.statusCode = options.statusCode;
  }
}

/** `connect()` was called on a transport that is already connected or connecting. */
export class TransportAlreadyConnected extends TransportError {
  override name = 'TransportAlreadyConnected' as const;
  override readonly code = 'ALREADY_CONNECTED' as const;
}

/** A timer of the protocol ran out; `phase` says which. */
export class TransportTimeoutError extends TransportError {
  override name = 'TransportTimeoutError' as const;
  override readonly code = 'TIMEOUT' as const;
  readonly phase: TimeoutPhase;
  readonly timeoutMs: number;
  constructor(message: string, options: { phase: TimeoutPhase; timeoutMs: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.phase = options.phase;
    this.timeoutMs = options.timeoutMs;
  }
}

/** Bad options or arguments given by the caller (URL, document, channel, auth settings). */
export class TransportConfigurationError extends TransportError {
  override name = 'TransportConfigurationError' as const;
  override readonly code = 'CONFIGURATION_ERROR' as const;
}

/** Authentication could not produce its headers (no credentials, no region, a provider threw). */
export class TransportAuthError extends TransportError {
  override name = 'TransportAuthError' as const;
  override readonly code = 'AUTH_ERROR' as const;
}

/** A bounded subscription buffer overflowed because its consumer did not keep up. */
export class TransportBufferOverflowError extends TransportError {
  override name = 'TransportBufferOverflowError' as const;
  override readonly code = 'BUFFER_OVERFLOW' as const;
}

/** Realm-safe check (works across copies of the library and across iframes). */
export function isTransportError(value: unknown): value is TransportError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * A short, secret-free description of a received value for error messages: its type and, for
 * objects and strings, a preview of at most 200 characters. Auth material never arrives from
 * the server; the bound keeps a huge or deeply nested frame from flooding logs (or costing a
 * full serialisation just to be cut).
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${preview(value)})`;
  if (typeof value === 'object') return `an object (${preview(value)})`;
  if (typeof value === 'string') return `a string (${preview(value)})`;
  // number, boolean and bigint with their value; undefined, function and symbol by type only.
  return /^[nb]/.test(typeof value) ? `${typeof value} ${String(value)}` : typeof value;
}

/** Nesting shown by {@link preview}; deeper objects print as `{…}`. */
const PREVIEW_DEPTH = 4;

/**
 * JSON-like text of `value`, cut at `max` characters (marked `…`), nesting cut at
 * {@link PREVIEW_DEPTH}. Stops as soon as the budget is spent, and never throws (cycles,
 * throwing getters and bigints included), so it is safe on anything a server or caller sends.
 */
export function preview(value: unknown, max = 200): string {
  let out = '';
  const seen = new Set<object>();
  const write = (v: unknown, depth: number): void => {
    if (typeof v === 'string') out += JSON.stringify(v.length > max ? v.slice(0, max) : v);
    else if (typeof v === 'number' || typeof v === 'boolean') out += String(v);
    else if (typeof v === 'bigint') out += `${v}n`;
    else if (v === null) out += 'null';
    else if (typeof v !== 'object') out += typeof v;
    else if (seen.has(v)) out += '[circular]';
    else if (depth >= PREVIEW_DEPTH) out += Array.isArray(v) ? '[…]' : '{…}';
    else {
      seen.add(v);
      const array = Array.isArray(v);
      out += array ? '[' : '{';
      let first = true;
      for (const key of array ? v.keys() : Object.keys(v)) {
        if (out.length > max) break;
        if (!first) out += ',';
        first = false;
        if (!array) out += `${JSON.stringify(key)}:`;
        let item: unknown;
        try {
          item = (v as Record<string | number, unknown>)[key];
        } catch {
          item = '[unreadable]';
        }
        write(item, depth + 1);
      }
      out += array ? ']' : '}';
      seen.delete(v);
    }
  };
  try {
    write(value, 0);
  } catch {
    out += '[unreadable]';
  }
  return out.length > max ? `${out.slice(0, max)}…` : out;
}

/** An error's class name only, for messages: what a provider or signer threw may quote a secret. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

export function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Errors quoted by {@link summarizeErrors}; the rest are counted. */
const SUMMARIZED_ERRORS = 3;

/**
 * Summarise AppSync's GraphQL errors as `errorType: message` pairs for a message: the first
 * {@link SUMMARIZED_ERRORS}, each cut at 200 characters, and how many were left out (all of them
 * stay in the error's `errors`). A frame with 20 000 errors still makes a short message.
 */
export function summarizeErrors(errors: readonly GraphQLErrorLike[]): string {
  if (errors.length === 0) return 'no error details';
  const shown = errors.slice(0, SUMMARIZED_ERRORS).map((e) => {
    const type = typeof e.errorType === 'string' ? `${truncate(e.errorType, 80)}: ` : '';
    // Without its final period: callers end their own sentence.
    const msg = typeof e.message === 'string' ? truncate(e.message).replace(/\.$/, '') : preview(e, 120);
    return `${type}${msg}`;
  });
  const left = errors.length - shown.length;
  return left > 0 ? `${shown.join('; ')} (and ${left} more error${left === 1 ? '' : 's'}, in \`errors\`)` : shown.join('; ');
}

/**
 * AppSync sometimes sends `errors` as a single object (MaxSubscriptionsReachedError) and
 * sometimes as an array; this always returns an array of objects.
 */
export function normalizeErrors(errors: unknown): GraphQLErrorLike[] {
  if (errors === undefined || errors === null) return [];
  const list = Array.isArray(errors) ? errors : [errors];
  return list.map((e) =>
    typeof e === 'object' && e !== null ? (e as GraphQLErrorLike) : { message: typeof e === 'string' ? e : preview(e) },
  );
}

/** A GraphQL document that cannot be sent: it does not parse, or has the wrong operation type. */
export class TransportDocumentError extends TransportError {
  override name = 'TransportDocumentError' as const;
  override readonly code = 'INVALID_DOCUMENT' as const;
}

/** The operation is not available on this transport (e.g. `execute` on the real-time endpoint). */
export class TransportUnsupportedOperation extends TransportError {
  override name = 'TransportUnsupportedOperation' as const;
  override readonly code = 'UNSUPPORTED_OPERATION' as const;
}
