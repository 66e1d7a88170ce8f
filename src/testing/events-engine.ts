/**
 * The local AppSync's Events API engine, independent of any socket library (as `RealtimeEngine`
 * is for GraphQL): upgrades, the Events WebSocket protocol (protocol reference §2), channel
 * namespaces with their auth rules, wildcard fan-out, `POST /event`, recorded frames and faults.
 * `node-server.ts` binds it to `http` + `ws` on the same port as the GraphQL endpoints.
 */
import { ConnectionTable } from './connection-table.js';
import { Waiters } from './waiters.js';
import { decideUpgrade, type Refusal } from './upgrade.js';
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
import { checkAuth, type LocalAuthOptions } from './auth-check.js';
import type { LocalHttpRequest, LocalHttpResponse } from './graphql/http-endpoint.js';
import type { Peer, ReceivedFrame, UpgradeDecision, UpgradeRequest } from './realtime-core.js';

/** An auth mode as the local server names what authorized a request. */
export type LocalAuthMode = 'API_KEY' | 'AMAZON_COGNITO_USER_POOLS' | 'AWS_LAMBDA' | 'AWS_IAM' | 'NONE';

/** A channel namespace: the first segment of its channels, and who may use them. */
export interface LocalEventsNamespace {
  name: string;
  /** Auth modes allowed to subscribe; others get `subscribe_error`. @default every mode the API accepts */
  subscribeAuthModes?: LocalAuthMode[];
  /** Auth modes allowed to publish; others get `publish_error` (HTTP 401). @default every mode the API accepts */
  publishAuthModes?: LocalAuthMode[];
}

export interface EventsEngineOptions {
  /** Auth modes accepted; undefined accepts everything. */
  auth?: LocalAuthOptions | undefined;
  /** The namespaces; channels in any other get AppSync's errors. @default ['default'] */
  namespaces?: Array<string | LocalEventsNamespace>;
  /** Sent at the top level of `connection_ack`, in ms. @default 300000 */
  connectionTimeoutMs?: number;
  /** Interval between `ka` frames, in ms; 0 sends none. @default 60000 */
  keepAliveIntervalMs?: number;
  /** Events larger than this (UTF-8 bytes of their JSON) are listed in `failed`. @default 245760 (240 KB) */
  maxEventBytes?: number;
}

export interface EventsFaults {
  /** Never send `connection_ack`. */
  skipAck: boolean;
  /** Stop sending `ka`. */
  keepAliveStopped: boolean;
  /** Never answer `subscribe` with `subscribe_success` (the subscription is still made). */
  skipSubscribeSuccess: boolean;
  /** Never answer `publish` (the events are still broadcast). */
  skipPublishAnswer: boolean;
  /** Answer `unsubscribe` with `unsubscribe_error` (the subscription is still removed). */
  failUnsubscribe: boolean;
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

interface ConnectionState {
  id: number;
  peer: Peer;
  protocolOk: boolean;
  /** The connection auth's verdict, computed once when the socket is accepted. */
  verdict: ReturnType<typeof checkAuth>;
  acked: boolean;
  subscriptions: Map<string, LocalEventsSubscription>;
  kaTimer: ReturnType<typeof setInterval> | undefined;
  closed: boolean;
  /** Frames are handled one after another, in arrival order, even when auth checks take time. */
  queue: Promise<void>;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; errors: GraphQLErrorLike[] };

const UNAUTHORIZED = (message: string): Outcome<never> => ({ ok: false, status: 401, errors: [{ errorType: 'UnauthorizedException', message }] });
const BAD_REQUEST = (message: string): Outcome<never> => ({ ok: false, status: 400, errors: [{ errorType: 'BadRequestException', message }] });

export class EventsEngine {
  readonly faults: EventsFaults = {
    skipAck: false,
    keepAliveStopped: false,
    skipSubscribeSuccess: false,
    skipPublishAnswer: false,
    failUnsubscribe: false,
  };
  /** Every frame received on Events sockets, in order. */
  readonly received: ReceivedFrame[] = [];
  /** Every publish accepted, in order. */
  readonly publishes: LocalEventsPublish[] = [];
  readonly #options: EventsEngineOptions;
  readonly #namespaces: Map<string, LocalEventsNamespace>;
  readonly #table = new ConnectionTable<LocalEventsSubscription, ConnectionState>(() => this.#notify());
  #refusals: Refusal | undefined;
  readonly #waiters = new Waiters();

  constructor(options: EventsEngineOptions = {}) {
    this.#options = options;
    this.#namespaces = new Map();
    for (const entry of options.namespaces ?? ['default']) {
      const namespace = typeof entry === 'string' ? { name: entry } : entry;
      validateChannel(`/${namespace.name}`, 'publish');
      this.#namespaces.set(namespace.name, namespace);
    }
  }

  // ---- upgrade and connections --------------------------------------------------------------

  /** Decides on an upgrade: injected refusals, then the auth object (subprotocol, query or headers). */
  upgrade(request: UpgradeRequest): UpgradeDecision {
    return decideUpgrade(request, this.#refusals, EVENTS_SUBPROTOCOL);
  }

  /** Refuse the next `times` Events upgrades with HTTP `status`. */
  refuseHandshakes(status: number, times = Infinity): void {
    this.#refusals = { status, remaining: times };
  }

  /** A socket was accepted; returns the functions the adapter calls on its events. */
  accept(peer: Peer, decision: Extract<UpgradeDecision, { accept: true }>): { receive(data: string | null): void; closed(): void } {
    const state: ConnectionState = {
      id: this.#table.nextId(),
      peer,
      protocolOk: decision.protocol === EVENTS_SUBPROTOCOL,
      verdict: checkAuth(this.#options.auth, { headers: decision.auth ?? {}, path: EVENTS_PATH, body: '{}' }),
      acked: false,
      subscriptions: new Map(),
      kaTimer: undefined,
      closed: false,
      queue: Promise.resolve(),
    };
    this.#table.add(state);
    return {
      receive: (data) => {
        const message = this.#record(state, data);
        state.queue = state.queue
          .then(() => this.#handle(state, message))
          .catch((error: unknown) => {
            // A bug in the engine: surface it like an uncaught error, keep the connection's queue going.
            queueMicrotask(() => {
              throw error;
            });
          });
      },
      closed: () => this.#table.close(state),
    };
  }

  #send(state: ConnectionState, message: unknown): void {
    if (!state.closed) state.peer.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Parses and records a frame at once, so tests can wait for it. */
  #record(state: ConnectionState, data: string | null): Record<string, unknown> | undefined {
    let message: Record<string, unknown> | undefined;
    if (data !== null) {
      try {
        const value = JSON.parse(data) as unknown;
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) message = value as Record<string, unknown>;
      } catch {
        message = undefined;
      }
    }
    if (!state.closed) {
      this.received.push({ connectionId: state.id, message, raw: data ?? '<binary>' });
      this.#notify();
    }
    return message;
  }

  async #handle(state: ConnectionState, message: Record<string, unknown> | undefined): Promise<void> {
    if (state.closed) return;
    if (message === undefined) {
      this.#send(state, { type: 'error', errors: [{ errorType: 'BadRequestException', message: 'Message is not a JSON object.' }] });
      return;
    }
    // connection_init is optional on Events: whatever comes first meets the connection's auth.
    if (!(await this.#admitted(state))) return;
    switch (message.type) {
      case 'connection_init':
        return this.#ack(state);
      case 'subscribe':
        return this.#subscribe(state, message);
      case 'unsubscribe':
        return this.#unsubscribe(state, message);
      case 'publish':
        return this.#publishFrame(state, message);
      default:
        this.#send(state, {
          type: 'error',
          ...(typeof message.id === 'string' ? { id: message.id } : {}),
          errors: [{ errorType: 'UnsupportedOperation', message: `Unsupported message type: ${String(message.type)}` }],
        });
    }
  }

  /** The subprotocol and the connection's auth; on failure, `connection_error` and close. */
  async #admitted(state: ConnectionState): Promise<boolean> {
    if (!state.protocolOk) {
      this.#send(state, {
        type: 'connection_error',
        errors: [{ errorType: 'SubProtocolNotSupportedError', message: `${EVENTS_SUBPROTOCOL} subprotocol is required.`, errorCode: 400 }],
      });
      state.peer.close(1000, 'unsupported subprotocol');
      this.#table.close(state);
      return false;
    }
    const verdict = await state.verdict;
    if (state.closed) return false;
    if (!verdict.ok) {
      this.#send(state, { type: 'connection_error', errors: [{ errorType: 'UnauthorizedException', message: verdict.message, errorCode: 401 }] });
      state.peer.close(1000, 'unauthorized');
      this.#table.close(state);
      return false;
    }
    return true;
  }

  #ack(state: ConnectionState): void {
    if (state.acked || this.faults.skipAck) return;
    state.acked = true;
    // Top level, unlike GraphQL's `payload.connectionTimeoutMs`.
    this.#send(state, { type: 'connection_ack', connectionTimeoutMs: this.#options.connectionTimeoutMs ?? 300_000 });
    const interval = this.#options.keepAliveIntervalMs ?? 60_000;
    if (interval > 0) {
      state.kaTimer = setInterval(() => {
        if (!this.faults.keepAliveStopped) this.#send(state, '{"type":"ka"}');
      }, interval);
    }
  }

  async #subscribe(state: ConnectionState, message: Record<string, unknown>): Promise<void> {
    const id = message.id;
    const fail = (errors: GraphQLErrorLike[]): void => this.#send(state, { type: 'subscribe_error', ...(typeof id === 'string' ? { id } : {}), errors });
    if (typeof id !== 'string' || !EVENTS_ID_PATTERN.test(id)) {
      return fail([{ errorType: 'BadRequestException', message: `Invalid subscription id: must match ${String(EVENTS_ID_PATTERN)}.` }]);
    }
    if (state.subscriptions.has(id)) return fail([{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]);
    const channel = message.channel;
    const outcome = await this.#authorize('subscribe', channel, authObject(message.authorization), () => subscribeBody(channel as string));
    if (state.closed) return;
    if (!outcome.ok) return fail(outcome.errors);
    const subscription: LocalEventsSubscription = { connectionId: state.id, id, channel: channel as string, authMode: outcome.value };
    state.subscriptions.set(id, subscription);
    this.#notify();
    if (!this.faults.skipSubscribeSuccess) this.#send(state, { type: 'subscribe_success', id });
  }

  #unsubscribe(state: ConnectionState, message: Record<string, unknown>): void {
    const id = message.id;
    const known = typeof id === 'string' && state.subscriptions.delete(id);
    if (known) this.#notify();
    if (known && !this.faults.failUnsubscribe) {
      this.#send(state, { type: 'unsubscribe_success', id });
      return;
    }
    this.#send(state, {
      type: 'unsubscribe_error',
      ...(typeof id === 'string' ? { id } : {}),
      errors: [
        known
          ? { errorType: 'InternalFailure', message: 'Injected unsubscribe failure' }
          : { errorType: 'UnknownOperationError', message: `Unknown operation id ${String(id)}` },
      ],
    });
  }

  async #publishFrame(state: ConnectionState, message: Record<string, unknown>): Promise<void> {
    const id = message.id;
    if (typeof id !== 'string' || !EVENTS_ID_PATTERN.test(id)) {
      this.#send(state, {
        type: 'publish_error',
        ...(typeof id === 'string' ? { id } : {}),
        errors: [{ errorType: 'BadRequestException', message: `Invalid publish id: must match ${String(EVENTS_ID_PATTERN)}.` }],
      });
      return;
    }
    const { channel, events } = message;
    // IAM signed `{"channel","events"}` built from the same values; JSON strings round-trip exactly.
    const outcome = await this.#publishChecked(channel, events, authObject(message.authorization), () => publishBody(channel as string, events as string[]));
    if (state.closed) return;
    if (!outcome.ok) {
      this.#send(state, { type: 'publish_error', id, errors: outcome.errors });
      return;
    }
    this.publishes.push({ via: 'websocket', connectionId: state.id, id, channel: channel as string, events: events as string[] });
    this.#notify();
    if (!this.faults.skipPublishAnswer) this.#send(state, { type: 'publish_success', id, ...outcome.value });
  }

  // ---- rules shared by WebSocket and HTTP ---------------------------------------------------

  /** Channel, namespace, auth and the namespace's auth modes; resolves with the auth mode. */
  async #authorize(use: ChannelUse, channel: unknown, auth: Record<string, string>, body: () => string): Promise<Outcome<string>> {
    if (typeof channel !== 'string' || !channel.startsWith('/')) return BAD_REQUEST('The channel must be a string starting with "/".');
    try {
      validateChannel(channel, use);
    } catch (error) {
      return BAD_REQUEST(error instanceof Error ? error.message : String(error));
    }
    const name = channel.split('/')[1] as string;
    const namespace = this.#namespaces.get(name);
    if (namespace === undefined) return BAD_REQUEST(`Namespace '${name}' does not exist.`);
    const verdict = await checkAuth(this.#options.auth, { headers: auth, path: EVENTS_PATH, body: body() });
    if (!verdict.ok) return UNAUTHORIZED(verdict.message);
    const allowed = use === 'subscribe' ? namespace.subscribeAuthModes : namespace.publishAuthModes;
    if (allowed !== undefined && !allowed.includes(verdict.mode as LocalAuthMode)) {
      return UNAUTHORIZED(`You are not authorized to ${use} to namespace '${name}' with ${verdict.mode}.`);
    }
    return { ok: true, value: verdict.mode };
  }

  /** A publish from a client: shape, auth, then fan-out; resolves with AppSync's answer. */
  async #publishChecked(
    channel: unknown,
    events: unknown,
    auth: Record<string, string>,
    signedBody: () => string,
  ): Promise<Outcome<{ successful: PublishedEvent[]; failed: FailedEvent[] }>> {
    if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_PUBLISH) {
      return BAD_REQUEST(`A publish carries 1 to ${MAX_EVENTS_PER_PUBLISH} events, as an array of JSON strings.`);
    }
    for (const [index, event] of events.entries()) {
      if (typeof event !== 'string' || !isJson(event)) return BAD_REQUEST(`Event ${index} is not a string holding valid JSON.`);
    }
    const outcome = await this.#authorize('publish', channel, auth, signedBody);
    if (!outcome.ok) return outcome;
    return { ok: true, value: this.#fanOut(channel as string, events as string[]) };
  }

  #fanOut(channel: string, events: string[]): { successful: PublishedEvent[]; failed: FailedEvent[] } {
    const max = this.#options.maxEventBytes ?? 240 * 1024;
    const successful: PublishedEvent[] = [];
    const failed: FailedEvent[] = [];
    events.forEach((event, index) => {
      const identifier = randomUUID();
      if (Buffer.byteLength(event, 'utf8') > max) {
        failed.push({ identifier, index, code: 400, message: `Event exceeds the maximum size of ${max} bytes.` });
        return;
      }
      successful.push({ identifier, index });
      this.#broadcast(channel, event);
    });
    return { successful, failed };
  }

  #broadcast(channel: string, event: string): number {
    let count = 0;
    for (const state of this.#table.values()) {
      for (const subscription of state.subscriptions.values()) {
        if (!channelMatches(subscription.channel, channel)) continue;
        this.#send(state, { type: 'data', id: subscription.id, event });
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
    const checked = await this.#publishChecked(channel, events, headers, () => request.body);
    if (!checked.ok) return json(checked.status, { errors: checked.errors });
    this.publishes.push({ via: 'http', connectionId: undefined, id: undefined, channel: channel as string, events: events as string[] });
    this.#notify();
    return json(200, checked.value);
  }

  // ---- what tests drive ---------------------------------------------------------------------

  /**
   * Publishes `events` (any JSON values) to `channel` as if a client had, without auth: every
   * subscription whose channel matches receives them in order. Returns how many `data` frames
   * were sent.
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
    for (const state of this.#table.values()) {
      if (state.subscriptions.has(id)) this.#send(state, { type: 'broadcast_error', id, errors });
    }
  }

  /** Sends a raw text frame on every Events connection (or one). */
  sendRaw(frame: string, connectionId?: number): void {
    for (const state of this.#table.values()) {
      if (connectionId === undefined || state.id === connectionId) this.#send(state, frame);
    }
  }

  /** Closes every connection with a close frame (`code`), or drops it without one. */
  dropConnections(options: { code?: number; reason?: string; terminate?: boolean } = {}): void {
    this.#table.drop(options);
  }

  /** Active subscriptions on every connection. */
  get subscriptions(): LocalEventsSubscription[] {
    return this.#table.subscriptions();
  }

  /** Ids of the open connections. */
  get connections(): number[] {
    return this.#table.ids();
  }

  /** Number of connections ever accepted. */
  get connectionCount(): number {
    return this.#table.accepted;
  }

  /** Resolves once `check()` is true, re-checked after every event of the engine. */
  waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
    return this.#waiters.waitFor(check, timeoutMs);
  }

  #notify(): void {
    this.#waiters.notify();
  }

  /** Closes every connection and clears every timer. */
  shutdown(): void {
    this.#table.shutdown();
  }

}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function authObject(value: unknown): Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
}
