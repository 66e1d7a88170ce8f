/**
 * What the Events engine asks of a namespace's handlers (a template's `onPublish`/`onSubscribe`),
 * and how it reads what `onPublish` returned. Pure: no sockets, no sandboxes. AWS's rules
 * ("Process real-time events with AWS AppSync event handlers", Important rules for onPublish):
 * return an array of events or null; `null` entries are ignored; an event with an `error` is not
 * broadcast; each returned id must be one of the incoming events', at most once.
 */
import type { FailedEvent, PublishedEvent } from '../protocol/events.js';
import type { LocalCaller } from './auth-check.js';

/** An event as `ctx.events` holds it: the publish's identifier and the parsed JSON. */
export interface IncomingEvent {
  id: string;
  payload: unknown;
}

/** One call of a handler, as the engine describes it. */
export interface EventsHandlerCall {
  operation: 'PUBLISH' | 'SUBSCRIBE';
  /** `/namespace/a/b` (a subscribe's may end in `/*`). */
  channel: string;
  namespace: string;
  /** The auth mode that authorized the request (`API_KEY`, `AWS_IAM`…). */
  authMode: string;
  /** Who the auth check found: JWT claims, the IAM signer, a Lambda authorizer's context. */
  caller?: LocalCaller | undefined;
  /** The request's auth object or HTTP headers: `ctx.request.headers`, and what `ctx.identity` is read from. */
  headers: Record<string, string>;
  /** PUBLISH only. */
  events: IncomingEvent[];
}

/** What a handler decided. */
export type EventsHandlerVerdict =
  | { ok: true; value: unknown }
  | {
      ok: false;
      /** `Unauthorized` (util.unauthorized), util.error's type, `Code` when the code failed. */
      errorType: string | null;
      message: string;
      /** The code chose to refuse (util.error, util.unauthorized) rather than failed. */
      deliberate: boolean;
    };

/** The namespaces' handlers; looked up on every call, so a reload can replace them. */
export interface EventsHandlers {
  has(namespace: string, operation: 'PUBLISH' | 'SUBSCRIBE'): boolean;
  run(call: EventsHandlerCall): Promise<EventsHandlerVerdict>;
}

/** An event accepted for the handler: its place in the publish, its identifier, its JSON text. */
export interface AcceptedEvent {
  index: number;
  identifier: string;
  text: string;
}

export type SettledPublish =
  | { ok: true; successful: PublishedEvent[]; failed: FailedEvent[]; broadcast: string[] }
  | { ok: false; message: string };

/** The code AppSync's `failed` entries carry for an event refused on its own. */
const EVENT_REFUSED_CODE = 400;

/**
 * Reads what `onPublish` returned for `accepted`. Events it returns are broadcast (their payload
 * as JSON), in its order; incoming events it leaves out (or returns as null) are dropped, which
 * the publisher sees as successful; events it returns with an `error` are listed in `failed` with
 * that message. A shape AppSync would reject fails the whole publish with a message saying why.
 */
export function settlePublish(accepted: readonly AcceptedEvent[], returned: unknown, maxEventBytes: number): SettledPublish {
  const byId = new Map(accepted.map((event) => [event.identifier, event]));
  if (returned === null || returned === undefined) return { ok: true, successful: accepted.map(published), failed: [], broadcast: [] };
  if (!Array.isArray(returned)) return { ok: false, message: `onPublish must return an array of events ({ id, payload }) or null, but it returned ${kind(returned)}.` };
  const seen = new Set<string>();
  const failed: FailedEvent[] = [];
  const broadcast: string[] = [];
  for (const [position, entry] of returned.entries()) {
    if (entry === null || entry === undefined) continue;
    if (typeof entry !== 'object' || Array.isArray(entry)) return { ok: false, message: `onPublish returned ${kind(entry)} at index ${position}; each event is an object { id, payload }.` };
    const { id, payload, error } = entry as { id?: unknown; payload?: unknown; error?: unknown };
    const source = typeof id === 'string' ? byId.get(id) : undefined;
    if (source === undefined) return { ok: false, message: `onPublish returned an event (index ${position}) whose id ${describeId(id)} is none of the incoming events' ids; return events from ctx.events.` };
    if (seen.has(source.identifier)) return { ok: false, message: `onPublish returned the event ${source.identifier} twice; each incoming event may be returned once.` };
    seen.add(source.identifier);
    if (error !== undefined && error !== null) {
      failed.push({ identifier: source.identifier, index: source.index, code: EVENT_REFUSED_CODE, message: typeof error === 'string' ? error : JSON.stringify(error) ?? String(error) });
      continue;
    }
    const text = JSON.stringify(payload ?? null);
    if (Buffer.byteLength(text, 'utf8') > maxEventBytes) {
      failed.push({ identifier: source.identifier, index: source.index, code: EVENT_REFUSED_CODE, message: `The event onPublish returned exceeds the maximum size of ${maxEventBytes} bytes.` });
      continue;
    }
    broadcast.push(text);
  }
  const refused = new Set(failed.map((f) => f.identifier));
  return { ok: true, successful: accepted.filter((e) => !refused.has(e.identifier)).map(published), failed, broadcast };
}

function published(event: AcceptedEvent): PublishedEvent {
  return { identifier: event.identifier, index: event.index };
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeId(id: unknown): string {
  return typeof id === 'string' ? JSON.stringify(id.slice(0, 80)) : kind(id);
}
