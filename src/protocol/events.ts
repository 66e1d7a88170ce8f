/**
 * The AppSync Events real-time protocol as pure functions (docs/PROTOCOL.md §5): channel
 * rules, the exact bodies IAM signs, client frames, and parsing server frames into a typed
 * union. No sockets, no timers.
 */
import {
  TransportConfigurationError,
  TransportProtocolError,
  describeValue,
  normalizeErrors,
  truncate,
  type GraphQLErrorLike,
} from '../errors.js';
import { parseFrame } from './messages.js';
import type { AuthObject } from './messages.js';

export const EVENTS_SUBPROTOCOL = 'aws-appsync-event-ws';

/** The path IAM signs for everything on an Events API: connect, subscribe and publish. */
export const EVENTS_PATH = '/event';

/** AppSync takes at most this many events in one `publish` (WebSocket or HTTP). */
export const MAX_EVENTS_PER_PUBLISH = 5;

/** AppSync's rule for subscription and publish ids; `crypto.randomUUID()` fits. */
export const EVENTS_ID_PATTERN = /^[a-zA-Z0-9-_+]{1,128}$/;

export const MAX_CHANNEL_SEGMENTS = 5;
export const MAX_SEGMENT_LENGTH = 50;
const SEGMENT_CHARS = /^[A-Za-z0-9-]+$/;

/** Which operation a channel is for: only `subscribe` may end in the wildcard `/*`. */
export type ChannelUse = 'subscribe' | 'publish';

/**
 * Checks a channel against AppSync's rules and returns it with its leading `/` (added when
 * missing, as Amplify does). 1–5 segments, the first being the namespace; each of 1–50
 * characters of `[A-Za-z0-9-]`, not starting or ending with `-`; a subscription may end in `/*`.
 * @throws TransportConfigurationError naming the bad segment and the rule it breaks
 */
export function validateChannel(channel: unknown, use: ChannelUse): string {
  if (typeof channel !== 'string') {
    throw new TransportConfigurationError(
      `Expected the channel to be a string like "/default/chat", but got ${describeValue(channel)}.`,
    );
  }
  if (channel === '' || channel === '/') {
    throw new TransportConfigurationError(
      `Expected the channel to be a path like "/default/chat" (namespace first), but got ${channel === '' ? 'an empty string' : '"/"'}.`,
    );
  }
  const path = channel.startsWith('/') ? channel : `/${channel}`;
  const shown = JSON.stringify(truncate(path, 120));
  const segments = path.slice(1).split('/');
  if (segments.length > MAX_CHANNEL_SEGMENTS) {
    throw new TransportConfigurationError(
      `Channel ${shown} has ${segments.length} segments, but AppSync allows 1 to ${MAX_CHANNEL_SEGMENTS} (the namespace included${use === 'subscribe' ? ', and a trailing * counts as one' : ''}).`,
    );
  }
  segments.forEach((segment, index) => {
    const which = `Segment ${index + 1}${segment === '' ? '' : ` (${JSON.stringify(truncate(segment, 60))})`} of channel ${shown}`;
    if (segment === '*') {
      if (use === 'publish') {
        throw new TransportConfigurationError(
          `${which} is the wildcard *, but events are published to one concrete channel; only subscribe() accepts a trailing /*.`,
        );
      }
      if (index === 0) {
        throw new TransportConfigurationError(`${which} is the namespace, which cannot be a wildcard; subscribe to "/<namespace>/*" instead.`);
      }
      if (index !== segments.length - 1) {
        throw new TransportConfigurationError(`${which} is the wildcard *, which may only be the last segment, as in "/default/chat/*".`);
      }
      return;
    }
    if (segment === '') {
      throw new TransportConfigurationError(
        `${which} is empty: segments are separated by single slashes, and a channel does not end with "/".`,
      );
    }
    if (segment.length > MAX_SEGMENT_LENGTH) {
      throw new TransportConfigurationError(
        `${which} is ${segment.length} characters long, but AppSync allows at most ${MAX_SEGMENT_LENGTH} per segment.`,
      );
    }
    if (!SEGMENT_CHARS.test(segment)) {
      const bad = [...segment].find((c) => !/[A-Za-z0-9-]/.test(c)) ?? '';
      throw new TransportConfigurationError(
        `${which} contains ${JSON.stringify(bad)}, but segments may only contain letters, digits and hyphens ([A-Za-z0-9-])${bad === '*' ? '; a wildcard is a whole last segment, as in "/default/*"' : ''}.`,
      );
    }
    if (segment.startsWith('-') || segment.endsWith('-')) {
      throw new TransportConfigurationError(`${which} ${segment.startsWith('-') ? 'starts' : 'ends'} with "-", but segments may not start or end with a hyphen.`);
    }
  });
  return path;
}

/** True when `channel` (concrete) is delivered to a subscription on `pattern`: equal, or under a trailing `/*` (one or more further segments). */
export function channelMatches(pattern: string, channel: string): boolean {
  if (!pattern.endsWith('/*')) return pattern === channel;
  const prefix = pattern.slice(0, -1); // keeps the slash: "/ns/a/"
  return channel.startsWith(prefix) && channel.length > prefix.length;
}

/**
 * Events as AppSync carries them: each one a JSON string.
 * @throws TransportConfigurationError for values JSON cannot carry (undefined, functions, symbols, BigInt, cycles)
 */
export function serializeEvents(events: unknown): string[] {
  if (!Array.isArray(events)) {
    throw new TransportConfigurationError(
      `Expected events to be an array of JSON values (one element per event), but got ${describeValue(events)}. Wrap a single event: [event].`,
    );
  }
  if (events.length === 0) {
    throw new TransportConfigurationError('Expected at least one event to publish, but got an empty array.');
  }
  return events.map((event: unknown, index) => {
    let text: string | undefined;
    try {
      text = JSON.stringify(event);
    } catch (cause) {
      throw new TransportConfigurationError(
        `Event ${index} cannot be sent as JSON: ${cause instanceof Error ? cause.message : String(cause)}.`,
        { cause },
      );
    }
    if (text === undefined) {
      throw new TransportConfigurationError(`Event ${index} is ${typeof event}, which JSON cannot carry; send null or a JSON value instead.`);
    }
    return text;
  });
}

/** The exact body IAM signs for a subscribe. */
export function subscribeBody(channel: string): string {
  return JSON.stringify({ channel });
}

/** The exact body IAM signs for a publish, over WebSocket and HTTP alike (also the HTTP body). */
export function publishBody(channel: string, events: readonly string[]): string {
  return JSON.stringify({ channel, events });
}

export const EVENTS_CONNECTION_INIT = '{"type":"connection_init"}';

export function subscribeMessage(id: string, channel: string, authorization: AuthObject): string {
  return JSON.stringify({ type: 'subscribe', id, channel, authorization });
}

export function unsubscribeMessage(id: string): string {
  return JSON.stringify({ type: 'unsubscribe', id });
}

export function publishMessage(id: string, channel: string, events: readonly string[], authorization: AuthObject): string {
  return JSON.stringify({ type: 'publish', id, channel, events, authorization });
}

/** An event AppSync accepted: its `index` in the events sent, and the identifier AppSync gave it. */
export interface PublishedEvent {
  identifier: string;
  index: number;
  [key: string]: unknown;
}

/** An event AppSync refused (e.g. too large); `code`/`message` as AppSync sent them. */
export interface FailedEvent {
  identifier?: string;
  index: number;
  code?: unknown;
  message?: string;
  [key: string]: unknown;
}

export interface PublishResult {
  successful: PublishedEvent[];
  failed: FailedEvent[];
}

/** A validated Events server frame. */
export type EventsServerMessage =
  | { type: 'connection_ack'; connectionTimeoutMs: number | undefined }
  | { type: 'ka' }
  | { type: 'connection_error'; errors: GraphQLErrorLike[] }
  /** `id` undefined: about the whole connection. */
  | { type: 'error'; id: string | undefined; errors: GraphQLErrorLike[] }
  | { type: 'subscribe_success'; id: string }
  | { type: 'subscribe_error'; id: string | undefined; errors: GraphQLErrorLike[] }
  /** `event` is checked to be a JSON string by the client, per subscription, not here. */
  | { type: 'data'; id: string; event: unknown }
  | { type: 'broadcast_error'; id: string | undefined; errors: GraphQLErrorLike[] }
  | { type: 'unsubscribe_success'; id: string }
  | { type: 'unsubscribe_error'; id: string | undefined; errors: GraphQLErrorLike[] }
  | { type: 'publish_success'; id: string; successful: PublishedEvent[]; failed: FailedEvent[] }
  | { type: 'publish_error'; id: string | undefined; errors: GraphQLErrorLike[] }
  /** A type this version does not know: ignored, so a new AppSync message never breaks a connection. */
  | { type: 'unknown'; original: string };

function requireId(message: Record<string, unknown> & { type: string }): string {
  if (typeof message.id !== 'string' || message.id === '') {
    throw new TransportProtocolError(
      `Expected "${message.type}" message to have a string "id", but got ${message.id === undefined ? 'none' : describeValue(message.id)}.`,
    );
  }
  return message.id;
}

function optionalId(message: Record<string, unknown>): string | undefined {
  return typeof message.id === 'string' && message.id !== '' ? message.id : undefined;
}

/** Top-level `errors` (Events), else `payload.errors` (as GraphQL sends them); an object or an array. */
function errorsOf(message: Record<string, unknown>): GraphQLErrorLike[] {
  if ('errors' in message) return normalizeErrors(message.errors);
  const payload = message.payload;
  if (typeof payload === 'object' && payload !== null && 'errors' in payload) return normalizeErrors((payload as { errors: unknown }).errors);
  return [];
}

function entries<T>(message: Record<string, unknown>, key: 'successful' | 'failed', id: string): T[] {
  const value = message[key];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new TransportProtocolError(`Expected "publish_success" for publish ${id} to carry an array "${key}", but got ${describeValue(value)}.`);
  }
  return value as T[];
}

/** The keep-alive timeout of an Events ack: top level (AppSync), or under `payload` (defensive). */
function ackTimeout(message: Record<string, unknown>): number | undefined {
  const payload = message.payload;
  const value =
    message.connectionTimeoutMs ??
    (typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>).connectionTimeoutMs : undefined);
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Parses and validates a server frame. A frame that is not a JSON object with a string `type`,
 * or a known message without the fields it needs, is a `TransportProtocolError`; an unknown
 * `type` is returned as `unknown`.
 */
export function parseEventsMessage(frame: unknown): EventsServerMessage {
  const message = parseFrame(frame);
  switch (message.type) {
    case 'ka':
      return { type: 'ka' };
    case 'connection_ack':
      return { type: 'connection_ack', connectionTimeoutMs: ackTimeout(message) };
    case 'connection_error':
      return { type: 'connection_error', errors: errorsOf(message) };
    case 'error':
    case 'subscribe_error':
    case 'broadcast_error':
    case 'unsubscribe_error':
    case 'publish_error':
      return { type: message.type, id: optionalId(message), errors: errorsOf(message) };
    case 'subscribe_success':
    case 'unsubscribe_success':
      return { type: message.type, id: requireId(message) };
    case 'data':
      return { type: 'data', id: requireId(message), event: message.event };
    case 'publish_success': {
      const id = requireId(message);
      return {
        type: 'publish_success',
        id,
        successful: entries<PublishedEvent>(message, 'successful', id),
        failed: entries<FailedEvent>(message, 'failed', id),
      };
    }
    default:
      return { type: 'unknown', original: truncate(message.type, 60) };
  }
}
