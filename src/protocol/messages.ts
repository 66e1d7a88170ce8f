/**
 * AppSync's GraphQL real-time protocol as pure functions: building client messages, and
 * parsing and validating server frames. No sockets, no timers (docs/PROTOCOL.md §4.1).
 */
import {
  TransportDocumentError,
  TransportProtocolError,
  errorName,
  describeValue,
  normalizeErrors,
  truncate,
  type GraphQLErrorLike,
} from '../errors.js';

export const GRAPHQL_SUBPROTOCOL = 'graphql-ws';

/** Paths signed by IAM: the connect request is never sent, only signed. */
export const GRAPHQL_CONNECT_PATH = '/graphql/connect';

export type AuthObject = Record<string, string>;

/** What AppSync parses out of `payload.data`. Key order matches gql and the AWS docs. */
export interface GraphQLRequest {
  query: string;
  operationName?: string | undefined;
  variables?: Record<string, unknown> | undefined;
}

export interface ExecutionPayload {
  data?: Record<string, unknown> | null;
  errors?: GraphQLErrorLike[];
  extensions?: Record<string, unknown>;
}

/** A validated server frame. A frame that is not a JSON object with a string `type` is a protocol error. */
export type ServerMessage =
  | { type: 'connection_ack'; payload: unknown }
  | { type: 'ka' }
  | { type: 'start_ack'; id: string }
  | { type: 'data'; id: string; payload: ExecutionPayload }
  | { type: 'error'; id: string | undefined; errors: GraphQLErrorLike[] }
  | { type: 'connection_error'; errors: GraphQLErrorLike[] }
  | { type: 'complete'; id: string }
  /** A frame for one subscription that lacks what it needs (`data` without an object payload): fails that subscription only. */
  | { type: 'malformed'; id: string; error: TransportProtocolError }
  /** A type this version does not know: ignored, so a new AppSync message never breaks a connection. */
  | { type: 'unknown'; original: string };

export const CONNECTION_INIT = '{"type":"connection_init"}';

/** The exact string sent as `payload.data` (and signed by IAM). */
export function serializeRequest(request: GraphQLRequest): string {
  try {
    // JSON.stringify leaves out the keys whose value is undefined.
    return JSON.stringify({ query: request.query, operationName: request.operationName, variables: request.variables });
  } catch (cause) {
    throw new TransportDocumentError(
      `Expected variableValues that JSON can carry, but serialising them threw ${errorName(cause)} (a cycle, a BigInt, a throwing toJSON?). Pass plain JSON values.`,
      { cause },
    );
  }
}

export function startMessage(id: string, data: string, authorization: AuthObject): string {
  return JSON.stringify({ id, type: 'start', payload: { data, extensions: { authorization } } });
}

export function stopMessage(id: string): string {
  return `{"type":"stop","id":${JSON.stringify(id)}}`;
}

/**
 * Parses a text frame into an object with a string `type`. Shared by both real-time
 * protocols; anything that is not such an object is a protocol error.
 */
export function parseFrame(frame: unknown): Record<string, unknown> & { type: string } {
  if (typeof frame !== 'string') {
    throw new TransportProtocolError(
      `Expected a text frame holding a JSON object, but got a binary frame. AppSync only sends text frames; check that the URL points to an AppSync real-time endpoint.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    throw new TransportProtocolError(
      `Expected a JSON object from the server, but got text that is not JSON: ${JSON.stringify(truncate(frame, 120))}. Check that the URL points to an AppSync real-time endpoint.`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TransportProtocolError(`Expected a JSON object from the server, but got ${describeValue(value)}.`);
  }
  const message = value as Record<string, unknown>;
  if (typeof message.type !== 'string') {
    throw new TransportProtocolError(
      `Expected the server message to have a string "type", but got ${message.type === undefined ? 'no type' : describeValue(message.type)} in ${describeValue(message)}.`,
    );
  }
  return message as Record<string, unknown> & { type: string };
}

function requireId(message: Record<string, unknown> & { type: string }): string {
  if (typeof message.id !== 'string' || message.id === '') {
    throw new TransportProtocolError(
      `Expected "${message.type}" message to have a string "id", but got ${message.id === undefined ? 'none' : describeValue(message.id)}.`,
    );
  }
  return message.id;
}

/** Validates a parsed frame against the GraphQL real-time protocol. */
export function parseServerMessage(frame: unknown): ServerMessage {
  const message = parseFrame(frame);
  // Frames already in the right shape are returned as they are (no copy per frame).
  switch (message.type) {
    case 'ka':
    case 'connection_ack':
      return message as ServerMessage;
    case 'start_ack':
    case 'complete':
      requireId(message);
      return message as unknown as ServerMessage;
    case 'data': {
      const id = requireId(message);
      const payload = message.payload;
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        return {
          type: 'malformed',
          id,
          error: new TransportProtocolError(
            `Expected "data" message for subscription ${id} to carry an object "payload" with "data", but got ${payload === undefined ? 'no payload' : describeValue(payload)}; the subscription was stopped.`,
          ),
        };
      }
      return message as unknown as ServerMessage;
    }
    case 'error': {
      const id = typeof message.id === 'string' && message.id !== '' ? message.id : undefined;
      return { type: 'error', id, errors: errorsOf(message) };
    }
    case 'connection_error':
      return { type: 'connection_error', errors: errorsOf(message) };
    default:
      return { type: 'unknown', original: truncate(message.type, 60) };
  }
}

/** `payload.errors` (array or single object), else top-level `errors`, else the payload itself. */
function errorsOf(message: Record<string, unknown>): GraphQLErrorLike[] {
  const payload = message.payload;
  if (typeof payload === 'object' && payload !== null && 'errors' in payload) {
    return normalizeErrors((payload as { errors: unknown }).errors);
  }
  if ('errors' in message) return normalizeErrors(message.errors);
  // `{"message":"Subscription complete."}` style payloads: keep what was sent.
  return payload === undefined ? [] : normalizeErrors(payload);
}

/**
 * The ack's keep-alive timeout. `payload` may be an object or a JSON string (some servers send
 * that); `connectionTimeoutMs` is AppSync's name, `connectionTimeout` the Amplify simulator's.
 */
export function normalizeAckPayload(payload: unknown): unknown {
  if (typeof payload === 'string') {
    try {
      return JSON.parse(payload);
    } catch {
      return payload;
    }
  }
  return payload;
}

export function keepAliveFromAck(payload: unknown): number | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const ms = p.connectionTimeoutMs ?? p.connectionTimeout;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
