/**
 * The local AppSync's Events API engine, independent of any socket library (as `RealtimeEngine`
 * is for GraphQL): upgrades, the Events WebSocket protocol (docs/PROTOCOL.md §5), channel
 * namespaces with their auth rules, wildcard fan-out, `POST /event`. What it shares with the
 * GraphQL engine (connections, ordered frames, the record, admission, keep-alive, faults) is
 * `EngineCore`; `node-server.ts` binds it to `http` + `ws` on the same port as the GraphQL endpoints.
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLErrorLike } from '../errors.js';
import {
  EVENTS_ID_PATTERN,
  EVENTS_PATH,
  EVENTS_SUBPROTOCOL,
  MAX_EVENTS_PER_PUBLISH,
  channelMatches,
  publishBody,
  subscribeBody,
  validateChannel,
  type ChannelUse,
  type FailedEvent,
  type PublishedEvent,
} from '../protocol/events.js';
import { checkAuth, type AuthCheck, type LocalCaller } from './auth-check.js';
import { describeValue, truncate } from '../errors.js';
import { EngineCore, authObject, idOf, unsupported, type EngineConnection, type EngineError, type EngineOptions } from './engine-core.js';
import { eventsFaults, type EventsFaults } from './faults.js';
import { settlePublish, type AcceptedEvent, type EventsHandlerVerdict, type EventsHandlers } from './events-handlers.js';
import type { LocalHttpRequest, LocalHttpResponse } from './graphql/http-endpoint.js';

export type { EventsFaults } from './faults.js';
export type { EventsHandlers, EventsHandlerCall, EventsHandlerVerdict, IncomingEvent } from './events-handlers.js';

/** An auth mode as the local server names what authorized a request. */
export type LocalAuthMode = 'API_KEY' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_LAMBDA' | 'AWS_IAM' | 'NONE';

/** A channel namespace: the first segment of its channels, and who may use them. */
export interface LocalEventsNamespace {
  name: string;
  /** Auth modes allowed to subscribe; others get `subscribe_error`. @default every mode the API accepts */
  subscribeAuthModes?: LocalAuthMode[];
  /** Auth modes allowed to publish; others get `publish_error` (HTTP 401). @default every mode the API accepts */
  publishAuthModes?: LocalAuthMode[];
}

export interface EventsEngineOptions extends EngineOptions {
  /** The namespaces; channels in any other get AppSync's errors. @default ['default'] */
  namespaces?: Array<string | LocalEventsNamespace>;
  /** Events larger than this (UTF-8 bytes of their JSON) are listed in `failed`. @default 245760 (240 KB) */
  maxEventBytes?: number;
  /**
   * Auth modes a connection may be made with (`EventConfig.ConnectionAuthModes`); a handshake
   * authorized by another gets `connection_error`. @default every mode the API accepts
   */
  connectionAuthModes?: LocalAuthMode[] | undefined;
  /**
   * The namespaces' `onPublish`/`onSubscribe` handlers (a template's code): run after auth, on
   * WebSocket and HTTP publishes and on subscribes, never on `publish()` from the test. @default none
   */
  handlers?: EventsHandlers | undefined;
}

export interface LocalEventsSubscription {
  connectionId: number;
  id: string;
  channel: string;
  /** What authorized it (`API_KEY`, `AWS_IAM`…). */
  authMode: string;
}

/** A publish the server accepted, over either transport. */
export interface LocalEventsPublish {
  via: 'websocket' | 'http' | 'server';
  /** The WebSocket connection, for `websocket`. */
  connectionId: number | undefined;
  /** The publish id, for `websocket`. */
  id: string | undefined;
  channel: string;
  /** As sent: JSON strings. */
  events: string[];
}

type Connection = EngineConnection<LocalEventsSubscription>;

/** What authorized a request: its mode, and who the caller is (claims, signer, authorizer context). */
type Authorized = { mode: string; caller: LocalCaller | undefined };

type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; errors: GraphQLErrorLike[] };

const UNAUTHORIZED = (message: string): Outcome<never> => ({ ok: false, status: 401, errors: [{ errorType: 'UnauthorizedException', message }] });
const BAD_REQUEST = (message: string): Outcome<never> => ({ ok: false, status: 400, errors: [{ errorType: 'BadRequestException', message }] });

export class EventsEngine extends EngineCore<LocalEventsSubscription, EventsFaults> {
  readonly faults: EventsFaults = eventsFaults();
  /** Every publish accepted, in order. */
  readonly publishes: LocalEventsPublish[] = [];
  readonly #options: EventsEngineOptions;
  #namespaces: Map<string, LocalEventsNamespace>;

  constructor(options: EventsEngineOptions = {}) {
    super(EVENTS_SUBPROTOCOL, EVENTS_PATH, options);
    this.#options = options;
    this.#namespaces = namespaceMap(options.namespaces ?? ['default']);
  }

  /** The namespaces served, by name. */
  get namespaceNames(): string[] {
    return [...this.#namespaces.keys()];
  }

  /**
   * Serves these namespaces from now on (a template reloaded); live subscriptions stay.
   * @throws TransportConfigurationError for a name that is no channel segment
   */
  replaceNamespaces(namespaces: Array<string | LocalEventsNamespace>): void {
    this.#namespaces = namespaceMap(namespaces);
  }

  /** Errors at the top level, unlike GraphQL's `payload.errors`. */
  protected errorFrame(type: string, errors: unknown, id?: string): Record<string, unknown> {
    return { type, ...(id === undefined ? {} : { id }), errors };
  }

  /** Top level, unlike GraphQL's `payload.connectionTimeoutMs`. */
  protected ackFrame(): unknown {
    return { type: 'connection_ack', connectionTimeoutMs: this.#options.connectionTimeoutMs ?? 300_000 };
  }

  protected async handle(connection: Connection, message: Record<string, unknown>): Promise<void> {
    // connection_init is optional on Events: whatever comes first meets the connection's auth.
    if (!(await this.admit(connection))) return;
    switch (message.type) {
      case 'connection_init':
        return this.acknowledge(connection);
      case 'subscribe':
        return this.#subscribe(connection, message);
      case 'unsubscribe':
        return this.#unsubscribe(connection, message);
      case 'publish':
        return this.#publishFrame(connection, message);
      default:
        this.send(connection, this.errorFrame('error', [{ errorType: 'UnsupportedOperation', message: unsupported(message.type) }], idOf(message)));
    }
  }

  async #subscribe(connection: Connection, message: Record<string, unknown>): Promise<void> {
    const id = message.id;
    const fail = (errors: GraphQLErrorLike[]): void => this.send(connection, this.errorFrame('subscribe_error', errors, idOf(message)));
    if (typeof id !== 'string' || !EVENTS_ID_PATTERN.test(id)) {
      return fail([{ errorType: 'BadRequestException', message: `Invalid subscription id: must match ${String(EVENTS_ID_PATTERN)}.` }]);
    }
    if (connection.subscriptions.has(id)) return fail([{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]);
    const channel = message.channel;
    const outcome = await this.#authorize('websocket', 'subscribe', channel, message.authorization, () => subscribeBody(channel as string));
    if (connection.closed) return;
    if (!outcome.ok) return fail(outcome.errors);
    const refusal = await this.#runSubscribeHandler(channel as string, outcome.value, stringHeaders(message.authorization));
    if (connection.closed) return;
    if (refusal !== undefined) return fail(refusal);
    const subscription: LocalEventsSubscription = { connectionId: connection.id, id, channel: channel as string, authMode: outcome.value.mode };
    connection.subscriptions.set(id, subscription);
    this.notify();
    this.confirm(connection, id, subscription, { type: 'subscribe_success', id });
  }

  #unsubscribe(connection: Connection, message: Record<string, unknown>): void {
    const id = message.id;
    const known = typeof id === 'string' && connection.subscriptions.delete(id);
    if (known) this.notify();
    if (known && !this.faults.failUnsubscribe) {
      this.send(connection, { type: 'unsubscribe_success', id });
      return;
    }
    const error = known
      ? { errorType: 'InternalFailure', message: 'Injected unsubscribe failure' }
      : { errorType: 'UnknownOperationError', message: `Unknown operation id ${typeof id === 'string' ? truncate(id, 128) : describeValue(id)}` };
    this.send(connection, this.errorFrame('unsubscribe_error', [error], idOf(message)));
  }

  async #publishFrame(connection: Connection, message: Record<string, unknown>): Promise<void> {
    const id = message.id;
    if (typeof id !== 'string' || !EVENTS_ID_PATTERN.test(id)) {
      const errors = [{ errorType: 'BadRequestException', message: `Invalid publish id: must match ${String(EVENTS_ID_PATTERN)}.` }];
      this.send(connection, this.errorFrame('publish_error', errors, idOf(message)));
      return;
    }
    const { channel, events } = message;
    // IAM signed `{"channel","events"}` built from the same values; JSON strings round-trip exactly.
    const outcome = await this.#publishChecked('websocket', channel, events, message.authorization, () => publishBody(channel as string, events as string[]));
    if (!outcome.ok) {
      this.send(connection, this.errorFrame('publish_error', outcome.errors, id));
      return;
    }
    // Broadcast already, even if the sender closed meanwhile: it is a publish the server accepted.
    this.publishes.push({ via: 'websocket', connectionId: connection.id, id, channel: channel as string, events: events as string[] });
    this.notify();
    if (!this.faults.skipPublishAnswer) this.send(connection, { type: 'publish_success', id, ...outcome.value });
  }

  // ---- rules shared by WebSocket and HTTP ---------------------------------------------------

  /**
   * Channel, namespace, auth and the namespace's auth modes; resolves with the auth mode. Auth
   * objects sent over a socket must name the public host; HTTP's `host` is the transport's own.
   */
  async #authorize(via: Via, use: ChannelUse, channel: unknown, auth: unknown, body: () => string): Promise<Outcome<Authorized>> {
    if (typeof channel !== 'string' || !channel.startsWith('/')) return BAD_REQUEST('The channel must be a string starting with "/".');
    try {
      validateChannel(channel, use);
    } catch (error) {
      return BAD_REQUEST(error instanceof Error ? error.message : String(error));
    }
    const name = channel.split('/')[1] as string;
    const namespace = this.#namespaces.get(name);
    if (namespace === undefined) return BAD_REQUEST(`Namespace '${name}' does not exist.`);
    const verdict: AuthCheck =
      via === 'websocket' ? await this.authorize(auth, EVENTS_PATH, body()) : await checkAuth(this.#options.auth, { headers: authObject(auth), path: EVENTS_PATH, body: body() });
    if (!verdict.ok) return UNAUTHORIZED(verdict.message);
    const allowed = use === 'subscribe' ? namespace.subscribeAuthModes : namespace.publishAuthModes;
    if (allowed !== undefined && !modeAllowed(allowed, verdict.mode, verdict.caller)) {
      return UNAUTHORIZED(`You are not authorized to ${use} to namespace '${name}' with ${verdict.mode}.`);
    }
    return { ok: true, value: { mode: verdict.mode, caller: verdict.caller } };
  }

  /** A publish from a client: shape, auth, then fan-out; resolves with AppSync's answer. */
  async #publishChecked(
    via: Via,
    channel: unknown,
    events: unknown,
    auth: unknown,
    signedBody: () => string,
  ): Promise<Outcome<{ successful: PublishedEvent[]; failed: FailedEvent[] }>> {
    if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_PUBLISH) {
      return BAD_REQUEST(`A publish carries 1 to ${MAX_EVENTS_PER_PUBLISH} events, as an array of JSON strings.`);
    }
    for (const [index, event] of events.entries()) {
      if (typeof event !== 'string' || !isJson(event)) return BAD_REQUEST(`Event ${index} is not a string holding valid JSON.`);
    }
    const outcome = await this.#authorize(via, 'publish', channel, auth, signedBody);
    if (!outcome.ok) return outcome;
    return this.#fanOut(channel as string, events as string[], outcome.value, stringHeaders(auth));
  }

  /** Size checks, then the namespace's `onPublish` (if any) decides what is broadcast. */
  async #fanOut(channel: string, events: string[], { mode: authMode, caller }: Authorized, headers: Record<string, string>): Promise<Outcome<{ successful: PublishedEvent[]; failed: FailedEvent[] }>> {
    const max = this.#options.maxEventBytes ?? 240 * 1024;
    const accepted: AcceptedEvent[] = [];
    const failed: FailedEvent[] = [];
    events.forEach((text, index) => {
      const identifier = randomUUID();
      if (Buffer.byteLength(text, 'utf8') > max) failed.push({ identifier, index, code: 400, message: `Event exceeds the maximum size of ${max} bytes.` });
      else accepted.push({ identifier, index, text });
    });
    const namespace = channel.split('/')[1] as string;
    const handlers = this.#options.handlers;
    if (handlers === undefined || !handlers.has(namespace, 'PUBLISH') || accepted.length === 0) {
      for (const event of accepted) this.#broadcast(channel, event.text);
      return { ok: true, value: { successful: accepted.map(({ identifier, index }) => ({ identifier, index })), failed } };
    }
    const verdict = await handlers.run({ operation: 'PUBLISH', channel, namespace, authMode, caller, headers, events: accepted.map((e) => ({ id: e.identifier, payload: JSON.parse(e.text) as unknown })) });
    if (!verdict.ok) return publishRefusal(verdict);
    const settled = settlePublish(accepted, verdict.value, max);
    if (!settled.ok) return { ok: false, status: HANDLER_FAILED_STATUS, errors: [{ errorType: 'Code', message: settled.message }] };
    for (const text of settled.broadcast) this.#broadcast(channel, text);
    return { ok: true, value: { successful: settled.successful, failed: [...failed, ...settled.failed].sort((a, b) => a.index - b.index) } };
  }

  /** The namespace's `onSubscribe`, if any: undefined lets the subscription through, else its errors. */
  async #runSubscribeHandler(channel: string, { mode: authMode, caller }: Authorized, headers: Record<string, string>): Promise<GraphQLErrorLike[] | undefined> {
    const namespace = channel.split('/')[1] as string;
    const handlers = this.#options.handlers;
    if (handlers === undefined || !handlers.has(namespace, 'SUBSCRIBE')) return undefined;
    const verdict = await handlers.run({ operation: 'SUBSCRIBE', channel, namespace, authMode, caller, headers, events: [] });
    if (verdict.ok) return undefined;
    return [{ errorType: verdict.errorType ?? 'Unauthorized', message: verdict.message }];
  }

  /** `connectionAuthModes`: the handshake's auth passed, in one of the modes this API connects with? */
  protected override refusesConnection(verdict: Extract<AuthCheck, { ok: true }>): EngineError | undefined {
    const allowed = this.#options.connectionAuthModes;
    if (allowed === undefined || modeAllowed(allowed, verdict.mode, verdict.caller)) return undefined;
    return { errorType: 'UnauthorizedException', message: `You are not authorized to connect with ${verdict.mode}: this API's connection auth modes are ${allowed.join(', ')}.`, errorCode: 401 };
  }

  #broadcast(channel: string, event: string): number {
    let count = 0;
    for (const connection of this.open()) {
      for (const subscription of connection.subscriptions.values()) {
        if (!channelMatches(subscription.channel, channel)) continue;
        this.send(connection, { type: 'data', id: subscription.id, event });
        count++;
      }
    }
    return count;
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  /** Answers `POST /event` (and its CORS preflight); never throws. */
  async handleHttp(request: LocalHttpRequest): Promise<LocalHttpResponse> {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': String(request.headers['access-control-request-headers'] ?? 'accept, authorization, content-encoding, content-type, x-amz-date, x-amz-security-token, x-api-key'),
    };
    const json = (status: number, body: unknown): LocalHttpResponse => ({
      status,
      headers: { 'content-type': 'application/json; charset=UTF-8', ...cors },
      body: JSON.stringify(body),
    });
    if (request.method === 'OPTIONS') return { status: 204, headers: cors, body: '' };
    if (request.method !== 'POST') return json(405, { errors: [{ errorType: 'BadRequestException', message: `${request.method} is not supported on ${EVENTS_PATH}; use POST.` }] });
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.body);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return json(400, { errors: [{ errorType: 'BadRequestException', message: 'The body must be a JSON object {"channel", "events"}.' }] });
    }
    const { channel, events } = parsed as Record<string, unknown>;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    // IAM signed the body as sent, so it is checked as received (not re-serialized).
    const checked = await this.#publishChecked('http', channel, events, headers, () => request.body);
    if (!checked.ok) return json(checked.status, { errors: checked.errors });
    this.publishes.push({ via: 'http', connectionId: undefined, id: undefined, channel: channel as string, events: events as string[] });
    this.notify();
    return json(200, checked.value);
  }

  // ---- what tests drive ---------------------------------------------------------------------

  /**
   * Publishes `events` (any JSON values) to `channel` as if a client had, without auth and
   * without the namespace's `onPublish` handler (AppSync has no server-side publish to mirror; a
   * test that wants the handler publishes through a client): every subscription whose channel
   * matches receives them in order. Returns how many `data` frames were sent.
   * @throws TransportConfigurationError for an invalid channel
   */
  publish(channel: string, events: readonly unknown[]): number {
    const path = validateChannel(channel, 'publish');
    const texts = events.map((event) => JSON.stringify(event) ?? 'null');
    this.publishes.push({ via: 'server', connectionId: undefined, id: undefined, channel: path, events: texts });
    let count = 0;
    for (const event of texts) count += this.#broadcast(path, event);
    return count;
  }

  /** Sends `broadcast_error` for one subscription id (it stays subscribed, as on AppSync). */
  sendBroadcastError(id: string, errors: unknown = [{ errorType: 'MessageProcessingError', message: 'There was an error processing the message' }]): void {
    for (const connection of this.open()) {
      if (connection.subscriptions.has(id)) this.send(connection, this.errorFrame('broadcast_error', errors, id));
    }
  }
}

type Via = 'websocket' | 'http';

/** HTTP status of a publish whose handler failed (threw, ran too long, returned a bad shape); AWS documents none. */
const HANDLER_FAILED_STATUS = 500;
/** `util.error` in onPublish: AWS documents HTTP 403 (and `publish_error` over WebSocket). */
const HANDLER_ERROR_STATUS = 403;

/** What a refusing onPublish answers: util.unauthorized → 401 UnauthorizedException, util.error → 403, a failure → 500. */
function publishRefusal(verdict: Extract<EventsHandlerVerdict, { ok: false }>): Outcome<never> {
  if (verdict.deliberate && verdict.errorType === 'Unauthorized') return UNAUTHORIZED(verdict.message);
  const status = verdict.deliberate ? HANDLER_ERROR_STATUS : HANDLER_FAILED_STATUS;
  return { ok: false, status, errors: [{ ...(verdict.errorType === null ? {} : { errorType: verdict.errorType }), message: verdict.message }] };
}

/**
 * A JWT accepted by the `jwt` option has no known provider and passes as AMAZON_COGNITO_USER_POOLS,
 * so a list naming OPENID_CONNECT accepts it too; one a configured user pool issued
 * (`isDefaultProvider` set) is the pool's, and does not.
 */
function modeAllowed(allowed: readonly LocalAuthMode[], mode: string, caller: LocalCaller | undefined): boolean {
  return allowed.includes(mode as LocalAuthMode) || (mode === 'AMAZON_COGNITO_USER_POOLS' && caller?.isDefaultProvider === undefined && allowed.includes('OPENID_CONNECT'));
}

/** A handler's `ctx.request.headers`: the auth object's string entries (a client may send any JSON). */
function stringHeaders(auth: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(authObject(auth)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function namespaceMap(entries: Array<string | LocalEventsNamespace>): Map<string, LocalEventsNamespace> {
  const namespaces = new Map<string, LocalEventsNamespace>();
  for (const entry of entries) {
    const namespace = typeof entry === 'string' ? { name: entry } : entry;
    validateChannel(`/${namespace.name}`, 'publish');
    namespaces.set(namespace.name, namespace);
  }
  return namespaces;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
