/**
 * AppSyncEventsClient: channels of an AppSync Events API over its real-time endpoint (and HTTP
 * for `publishHttp`). The socket's life, keep-alive, reconnection with resubscription, state
 * events and errors are `RealtimeClient`'s; this file is the Events part: channels, `subscribe`/
 * `unsubscribe`, `publish` with its batching, rate limit and acknowledgements, and routing the
 * Events frames (docs/PROTOCOL.md §5).
 */
import {
  TransportClosed,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportProtocolError,
  TransportQueryError,
  TransportTimeoutError,
  describeValue,
  summarizeErrors,
  type GraphQLErrorLike,
  type TransportError,
} from '../errors.js';
import {
  EVENTS_ID_PATTERN,
  EVENTS_PATH,
  EVENTS_SUBPROTOCOL,
  MAX_EVENTS_PER_PUBLISH,
  publishBody,
  publishMessage,
  serializeEvents,
  subscribeBody,
  subscribeMessage,
  unsubscribeMessage,
  validateChannel,
  type EventsServerMessage,
  type PublishResult,
} from '../protocol/events.js';
import type { Connection } from '../transport/connection.js';
import {
  RealtimeClient,
  type RealtimeClientOptions,
  type Subscription,
  type SubscriptionOptions,
} from '../transport/realtime-client.js';
import { reportLater } from '../transport/emitter.js';
import type { SubscriptionIterator } from '../transport/result-stream.js';
import { armed, checkFunction, checkMs, checkTimeout } from '../options.js';
import { eventsProtocol } from './events-protocol.js';
import { postEvents, type FetchLike } from './http-publish.js';
import { SlidingWindowLimiter, systemClock, type EventsClock } from './rate-limit.js';

export interface PublishRateLimit {
  /** Publishes allowed within `perMs`. @default 25 (AppSync's quota per connection) */
  publishes?: number;
  /** The window, in ms. @default 1000 */
  perMs?: number;
}

export interface AppSyncEventsClientOptions extends RealtimeClientOptions {
  /**
   * The most WebSocket publishes sent on the connection within any window of `perMs`; more wait
   * in a queue, in call order (nothing is refused). `false` sends at once (the server then
   * delays or drops what exceeds its quota). @default { publishes: 25, perMs: 1000 }
   */
  publishRateLimit?: PublishRateLimit | false;
  /** The clock the publish rate limit reads and sets its timers with (tests inject one). @default Date.now and setTimeout */
  clock?: EventsClock;
  /** The fetch `publishHttp` uses. @default globalThis.fetch */
  fetch?: FetchLike | undefined;
  /** Time for each HTTP request of `publishHttp`, in ms; null waits forever. @default 30000 */
  httpTimeoutMs?: number | null;
}

export interface EventsSubscribeOptions extends SubscriptionOptions {
  /**
   * An event could not be delivered to this subscription: AppSync's `broadcast_error`
   * (`TransportQueryError`) or an event that is not a JSON string (`TransportProtocolError`).
   * Given: called, and the subscription goes on. Not given: the subscription ends with that
   * error (and is unsubscribed), so an event is never lost without the consumer knowing.
   */
  onEventError?: (error: TransportError) => void;
}

export interface PublishOptions {
  /**
   * Stops waiting: the promise rejects with the signal's reason. A publish already sent cannot
   * be taken back; later batches of the call are not sent.
   */
  signal?: AbortSignal;
}

export type { PublishResult, PublishedEvent, FailedEvent } from '../protocol/events.js';

/** What a subscription needs to start: its channel and the exact body IAM signs. */
interface EventsParams {
  channel: string;
  body: string;
  onEventError: ((error: TransportError) => void) | undefined;
}

interface InflightPublish {
  resolve(result: PublishResult): void;
  reject(error: unknown): void;
  /** For messages: `publish 2/3 (events 5–9 of 12) to /default/chat`. */
  label: string;
  count: number;
}

const NOT_CONNECTED =
  'The events client is not connected: call `await events.connect()` before `subscribe()` or `publish()` (and again after `close()`). `publishHttp()` needs no connection.';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export class AppSyncEventsClient extends RealtimeClient<EventsServerMessage, unknown, EventsParams> {
  readonly #limiter: SlidingWindowLimiter | undefined;
  /** How long a publish waits for a (re)connection: connectTimeoutMs + ackTimeoutMs; null: forever. */
  readonly #connectionWaitMs: number | null;
  readonly #httpTimeoutMs: number | null;
  readonly #fetch: FetchLike | undefined;
  /** Publishes sent and not yet answered, by id. */
  readonly #inflight = new Map<string, InflightPublish>();
  /** Rejecters of publishes waiting for a connection. */
  readonly #waiting = new Set<(error: unknown) => void>();

  constructor(options: AppSyncEventsClientOptions) {
    super(options, {
      protocol: eventsProtocol,
      subprotocol: EVENTS_SUBPROTOCOL,
      connectPath: EVENTS_PATH,
      noun: 'events client',
      ackName: 'subscribe_success',
      api: 'event',
    });
    const connectMs = checkTimeout('connectTimeoutMs', options.connectTimeoutMs, 10_000);
    this.#connectionWaitMs = connectMs === null || this.ackTimeoutMs === null ? null : connectMs + this.ackTimeoutMs;
    this.#httpTimeoutMs = checkTimeout('httpTimeoutMs', options.httpTimeoutMs, 30_000);
    this.#fetch = checkFunction('fetch', options.fetch);
    const limit = options.publishRateLimit ?? {};
    if (limit !== false) {
      if (typeof limit !== 'object' || limit === null) {
        throw new TransportConfigurationError(`Expected publishRateLimit to be { publishes, perMs } or false, but got ${describeValue(limit)}.`);
      }
      const publishes = limit.publishes ?? 25;
      const perMs = limit.perMs ?? 1000;
      if (!Number.isInteger(publishes) || publishes < 1) {
        throw new TransportConfigurationError(`Expected publishRateLimit.publishes to be an integer >= 1, but got ${String(publishes)}.`);
      }
      checkMs('publishRateLimit.perMs', perMs);
      this.#limiter = new SlidingWindowLimiter(publishes, perMs, options.clock ?? systemClock);
    }
  }

  /** The HTTP Events URL (`https://<host>/event`), where `publishHttp` posts. */
  get url(): string {
    return this.endpoints.httpUrl;
  }

  /**
   * Subscribes to a channel (`/namespace/a/b`, or `/namespace/a/*` for it and everything below);
   * each event arrives through the returned async iterator as its parsed JSON value, in order.
   * Leaving the loop (`break`, `return()`, the `signal`) sends `unsubscribe` at once. A refused
   * subscription (`subscribe_error`) throws `TransportQueryError` from this iterator only.
   * @throws TransportConfigurationError for a channel AppSync would refuse, before anything is sent
   */
  subscribe<T = unknown>(channel: string, options: EventsSubscribeOptions = {}): SubscriptionIterator<T> {
    this.assertOpen(NOT_CONNECTED);
    const path = validateChannel(channel, 'subscribe');
    const onEventError = options.onEventError;
    if (onEventError !== undefined && typeof onEventError !== 'function') {
      throw new TransportConfigurationError(`Expected onEventError to be a function, but got ${describeValue(onEventError)}.`);
    }
    const params: EventsParams = { channel: path, body: subscribeBody(path), onEventError };
    return this.addSubscription(params, options) as SubscriptionIterator<T>;
  }

  /**
   * Publishes events (any JSON values) to one channel over the WebSocket and resolves with
   * AppSync's answer, indexes referring to `events`. More than 5 events are sent as several
   * publishes of up to 5, one after another, each after the previous one's answer; if one fails,
   * the call rejects and the later ones are not sent (the earlier ones were published).
   *
   * - Rate: at most `publishRateLimit` publishes leave per window; more wait, in call order.
   * - While connecting or reconnecting it waits up to connectTimeoutMs + ackTimeoutMs for the
   *   connection, then rejects with `TransportTimeoutError` (phase `publish`); when idle, closing or
   *   closed it rejects at once with `TransportClosed`.
   * - Each publish waits up to ackTimeoutMs for `publish_success`/`publish_error`.
   * - `publish_error` rejects with `TransportQueryError`. If the connection is lost before the
   *   answer, it rejects with `TransportConnectionFailed`: the server may or may not have
   *   published those events, so it is never sent again by itself.
   */
  async publish(channel: string, events: readonly unknown[], options: PublishOptions = {}): Promise<PublishResult> {
    this.assertOpen(NOT_CONNECTED);
    const path = validateChannel(channel, 'publish');
    const serialized = serializeEvents(events);
    const signal = options.signal;
    signal?.throwIfAborted();
    return this.#inBatches(path, serialized, (label, batch, prior) => this.#publishBatch(path, batch, label, prior, signal));
  }

  /**
   * Publishes over HTTP (`POST /event`) instead: no connection needed, same auth (IAM signs the
   * real request), same batching by 5 and index mapping; no rate limit (AppSync's HTTP quotas
   * are per API). A refusal rejects with `TransportServerError` (`statusCode`, `errors`).
   */
  async publishHttp(channel: string, events: readonly unknown[], options: PublishOptions = {}): Promise<PublishResult> {
    const path = validateChannel(channel, 'publish');
    const serialized = serializeEvents(events);
    const signal = options.signal;
    signal?.throwIfAborted();
    const url = this.endpoints.httpUrl;
    const signedPath = new URL(url).pathname;
    return this.#inBatches(path, serialized, async (label, batch) => {
      const body = publishBody(path, batch);
      // IAM signs the real request with the content type it carries (as gql and botocore do).
      const auth = await this.authHeaders(signedPath, body, `the HTTP ${label}`, { 'content-type': 'application/json' }, signal);
      signal?.throwIfAborted();
      const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
      for (const [name, value] of Object.entries(auth)) {
        // fetch sets Host from the URL itself (the value IAM signed); it may not be set by hand.
        if (name.toLowerCase() !== 'host') headers[name] = value;
      }
      return postEvents({ url, body, headers, fetch: this.#fetch, timeoutMs: this.#httpTimeoutMs, signal, label });
    });
  }

  /** Splits into batches of 5, runs them in order, and maps each answer's indexes back to the caller's array. */
  async #inBatches(
    channel: string,
    events: string[],
    send: (label: string, batch: string[], prior: string) => Promise<PublishResult>,
  ): Promise<PublishResult> {
    const result: PublishResult = { successful: [], failed: [] };
    const batches = Math.ceil(events.length / MAX_EVENTS_PER_PUBLISH);
    for (let offset = 0, n = 1; offset < events.length; offset += MAX_EVENTS_PER_PUBLISH, n++) {
      const batch = events.slice(offset, offset + MAX_EVENTS_PER_PUBLISH);
      const label =
        batches === 1
          ? `publish of ${plural(batch.length, 'event')} to ${channel}`
          : `publish ${n}/${batches} (events ${offset}–${offset + batch.length - 1} of ${events.length}) to ${channel}`;
      const prior = offset === 0 ? '' : ` Events 0–${offset - 1} were published by the earlier publishes; the later ones were not sent.`;
      const answer = await send(label, batch, prior);
      for (const entry of answer.successful) result.successful.push(shift(entry, offset));
      for (const entry of answer.failed) result.failed.push(shift(entry, offset));
    }
    return result;
  }

  /** One `publish` frame: wait for a usable connection and a rate slot, sign, send, await the answer. */
  async #publishBatch(channel: string, events: string[], label: string, prior: string, signal: AbortSignal | undefined): Promise<PublishResult> {
    const body = publishBody(channel, events);
    const deadline = this.#connectionWaitMs === null ? undefined : Date.now() + this.#connectionWaitMs;
    for (;;) {
      await this.#whenConnected(deadline, label, prior, signal);
      await this.#limiter?.acquire(signal);
      if (this.#usable() === undefined) continue; // lost while queued: wait for the next connection
      const authorization = await this.authHeaders(EVENTS_PATH, body, `the ${label}`, undefined, signal);
      signal?.throwIfAborted();
      const connection = this.#usable();
      if (connection === undefined) continue;
      const id = this.newId();
      if (!EVENTS_ID_PATTERN.test(id)) throw invalidId(id);
      const answer = this.#awaitAnswer(id, label, prior, events.length, signal);
      connection.send(publishMessage(id, channel, events, authorization));
      return answer;
    }
  }

  /** The connection, when a frame may be sent on it now. */
  #usable(): Connection<EventsServerMessage> | undefined {
    const connection = this.connection;
    return this.state === 'connected' && connection?.isOpen ? connection : undefined;
  }

  #whenConnected(deadline: number | undefined, label: string, prior: string, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#usable() !== undefined) return Promise.resolve();
    // Throws TransportClosed when idle, closing or closed: nothing will connect by itself.
    this.assertOpen(`The ${label} was not sent: the events client is ${this.state}.${prior} Call connect() before publish().`);
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        offConnected();
        signal?.removeEventListener('abort', onAbort);
        this.#waiting.delete(fail);
      };
      const fail = (error: unknown): void => {
        cleanup();
        reject(error);
      };
      const onAbort = (): void => fail(signal?.reason);
      const offConnected = this.on('connected', () => {
        cleanup();
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.add(fail);
      if (deadline !== undefined) {
        const ms = this.#connectionWaitMs as number;
        timer = setTimeout(
          () =>
            fail(
              new TransportTimeoutError(
                `The ${label} waited ${ms} ms (connectTimeoutMs + ackTimeoutMs) for the connection, which is ${this.state}, and was not sent.${prior} Raise the timeouts, or check the network.`,
                { phase: 'publish', timeoutMs: ms },
              ),
            ),
          Math.max(deadline - Date.now(), 0),
        );
      }
    });
  }

  /** Registers the publish before its frame leaves, so no answer can arrive unseen. */
  #awaitAnswer(id: string, label: string, prior: string, count: number, signal: AbortSignal | undefined): Promise<PublishResult> {
    return new Promise<PublishResult>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#inflight.delete(id);
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason);
      };
      this.#inflight.set(id, {
        label,
        count,
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      const ms = this.ackTimeoutMs;
      if (armed(ms)) {
        timer = setTimeout(() => {
          done();
          reject(
            new TransportTimeoutError(
              `Expected publish_success or publish_error for the ${label} (id ${id}) within ${ms} ms (ackTimeoutMs), but none arrived: the server may or may not have published the ${plural(count, 'event')}.${prior} Raise ackTimeoutMs if the server is slow.`,
              { phase: 'publish', timeoutMs: ms },
            ),
          );
        }, ms);
      }
    });
  }

  // ---- the protocol part --------------------------------------------------------------------

  protected override async startFrame(subscription: Subscription<unknown, EventsParams>, id: string): Promise<string> {
    if (!EVENTS_ID_PATTERN.test(id)) throw invalidId(id);
    const { channel, body } = subscription.params;
    const authorization = await this.authHeaders(EVENTS_PATH, body, `the subscription ${id} to ${channel}`);
    return subscribeMessage(id, channel, authorization);
  }

  protected override stopFrame(id: string): string {
    return unsubscribeMessage(id);
  }

  protected override dispatch(message: EventsServerMessage): void {
    switch (message.type) {
      case 'data':
        this.#data(message.id, message.event);
        return;
      case 'subscribe_success':
        this.acknowledged(message.id);
        return;
      case 'unsubscribe_success':
        this.completed(message.id);
        return;
      case 'publish_success': {
        const publish = this.#inflight.get(message.id);
        if (publish === undefined) return;
        // Each entry must name an event of this publish: the caller's indexes are built from them.
        const bad = [...message.successful, ...message.failed].find(
          (entry: unknown) => typeof (entry as { index?: unknown } | null)?.index !== 'number' || !Number.isInteger((entry as { index: number }).index) || (entry as { index: number }).index < 0 || (entry as { index: number }).index >= publish.count,
        );
        if (bad !== undefined) {
          publish.reject(
            new TransportProtocolError(
              `Expected publish_success for the ${publish.label} (id ${message.id}) to list entries with an index from 0 to ${publish.count - 1}, but got ${describeValue(bad)}: whether the events were published is unknown.`,
            ),
          );
          return;
        }
        publish.resolve({ successful: message.successful, failed: message.failed });
        return;
      }
      case 'subscribe_error':
      case 'unsubscribe_error':
      case 'broadcast_error':
      case 'publish_error':
      case 'error':
        // Without an id it is about the connection: reported, and subscriptions still waiting
        // for subscribe_success fail; a pending publish runs into its own timeout.
        if (message.id !== undefined) this.#error(message.type, message.id, message.errors);
        else this.connectionLevelError(message.errors);
        return;
      case 'unknown':
        // Ignored on purpose, so that a message AppSync adds one day cannot break every deployed client.
        this.ignored(message.original);
        return;
      default:
        // A repeated connection_ack carries nothing new.
        return;
    }
  }

  #data(id: string, event: unknown): void {
    const params = this.subscriptionParams(id);
    if (params === undefined) return; // left, or ended: dropped quietly
    if (typeof event === 'string') {
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(event);
      } catch {
        parsed = false;
      }
      if (parsed) {
        this.deliver(id, value);
        return;
      }
    }
    this.#eventError(
      id,
      params,
      new TransportProtocolError(
        `Expected the "event" of a data message for subscription ${id} (${params.channel}) to be a JSON string, but got ${describeValue(event)}.`,
      ),
    );
  }

  #error(type: string, id: string, errors: GraphQLErrorLike[]): void {
    const publish = this.#inflight.get(id);
    if (publish !== undefined) {
      publish.reject(
        new TransportQueryError(`The server refused the ${publish.label} (id ${id}): ${summarizeErrors(errors)}.`, { errors, queryId: id }),
      );
      return;
    }
    const params = this.subscriptionParams(id);
    const channel = params === undefined ? '' : ` (${params.channel})`;
    if (type === 'broadcast_error') {
      if (params === undefined) return;
      this.#eventError(
        id,
        params,
        new TransportQueryError(`The server could not deliver an event to subscription ${id}${channel}: ${summarizeErrors(errors)}.`, {
          errors,
          queryId: id,
        }),
      );
      return;
    }
    // subscribe_error, or an `error` naming it: that subscription only fails; the socket and
    // every other subscription go on (Amplify's client tore the socket down: amplify-js#14947).
    // unsubscribe_error reaches a subscription its consumer already left: it just confirms the stop.
    const what = type === 'unsubscribe_error' ? 'unsubscribe' : 'subscription';
    this.failed(
      id,
      new TransportQueryError(`The server refused the ${what} ${id}${channel}: ${summarizeErrors(errors)}.`, { errors, queryId: id }),
    );
  }

  /** An event that could not be delivered: the subscription's `onEventError`, else it ends with `error`. */
  #eventError(id: string, params: EventsParams, error: TransportError): void {
    if (params.onEventError !== undefined) {
      try {
        params.onEventError(error);
      } catch (thrown) {
        // The app's bug: report it like an uncaught error, keep the subscription.
        reportLater(thrown);
      }
      return;
    }
    this.failAndStop(id, error);
  }

  protected override onDisconnected(error: TransportError): void {
    const lost = [...this.#inflight.entries()];
    for (const [id, publish] of lost) {
      publish.reject(
        new TransportConnectionFailed(
          `The connection was lost before the ${publish.label} (id ${id}) was answered: the server may or may not have published the ${plural(publish.count, 'event')}, so it is not sent again. Cause: ${error.message}`,
          { cause: error, ...(error instanceof TransportConnectionFailed && error.closeCode !== undefined ? { code: error.closeCode } : {}) },
        ),
      );
    }
  }

  protected override beforeClose(error: TransportError): void {
    for (const [id, publish] of [...this.#inflight.entries()]) {
      publish.reject(
        error instanceof TransportClosed
          ? new TransportClosed(
              `The events client was closed before the ${publish.label} (id ${id}) was answered: the server may or may not have published the ${plural(publish.count, 'event')}. Await publish() before close().`,
              { cause: error },
            )
          : error,
      );
    }
    for (const fail of [...this.#waiting]) fail(error);
    this.#limiter?.rejectAll(error);
  }

  override toString(): string {
    return `AppSyncEventsClient { url: ${JSON.stringify(this.endpoints.httpUrl)}, state: ${this.state} }`;
  }
}

function shift<E extends { index: number }>(entry: E, offset: number): E {
  return typeof entry.index === 'number' && offset !== 0 ? { ...entry, index: entry.index + offset } : entry;
}

function invalidId(id: string): TransportConfigurationError {
  return new TransportConfigurationError(
    `Expected generateId() to return an id matching ${String(EVENTS_ID_PATTERN)} (AppSync Events' rule; UUIDs fit), but got ${describeValue(id)}.`,
  );
}
