/**
 * What every AppSync real-time client shares, whatever its protocol (GraphQL or Events): the
 * options, the connection state and its events, reconnection with resubscription, and the
 * registry of subscriptions the user still wants with their ids on the current socket.
 *
 * A protocol subclass supplies three things: the frame that starts a subscription, the frame
 * that stops one, and the dispatch of server frames to {@link RealtimeClient.deliver} and friends.
 */
import { createDefaultAuth, defaultWakeUps } from '#platform';
import { checkAuth, headersFrom, type AppSyncAuthentication, type AuthRequest } from '../auth/types.js';
import {
  TransportAlreadyConnected,
  TransportClosed,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportTimeoutError,
  describeValue,
  type GraphQLErrorLike,
  type TransportError,
} from '../errors.js';
import { armed, checkFunction, checkSignal, checkTimeout } from '../options.js';
import { buildHandshake, checkHandshakeAuth, type HandshakeAuth } from '../protocol/handshake.js';
import { resolveEndpoints, type ApiKind, type Endpoints } from '../protocol/url.js';
import type { TlsOptions, WebSocketConstructor } from '../socket/websocket.js';
import { asTransportError, CLOSE_KEEP_ALIVE, Connection, type RealtimeProtocol } from './connection.js';
import type { WakeUp, WakeUpSource } from './wake-ups.js';
import { serverError } from './graphql-protocol.js';
import { Emitter, reportLater } from './emitter.js';
import { ExpiringKeys } from './expiring-keys.js';
import { Session } from './session.js';
import { ResultStream } from './result-stream.js';
import { backoffDelay, classifyFailure, retryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';

/** Options shared by the GraphQL transport and the Events client. */
export interface RealtimeClientOptions {
  /**
   * The AppSync URL: `https://<id>.appsync-api.<region>.amazonaws.com/graphql` (or `/event`), a
   * custom domain (`https://api.example.com/graphql`), or a `wss://`/`ws://` real-time URL used as
   * given. `http://` means a plain `ws://` socket (local servers).
   */
  url: string;
  /** How to authenticate. @default IAM with the AWS SDK's default credential chain */
  auth?: AppSyncAuthentication | undefined;
  /** Time to open the WebSocket, in ms; null (or 0) waits forever. @default 10000 */
  connectTimeoutMs?: number | null;
  /** Time to wait for `connection_ack`, and for each subscription's acknowledgement, in ms; null (or 0) waits forever. @default 10000 */
  ackTimeoutMs?: number | null;
  /**
   * Time `close()` waits for stopped subscriptions to be confirmed and for the close frame, in
   * ms; null (or 0) waits forever. Also how long the id of a stopped subscription is remembered
   * while its confirmation is awaited (10000 when null). @default 10000
   */
  closeTimeoutMs?: number | null;
  /**
   * Time the auth may take to give its headers (a token function, a credentials provider) for a
   * connect, a subscription's start or a publish, in ms; then that fails with
   * `TransportTimeoutError` (phase `auth`) naming the provider. null (or 0) waits forever. @default 10000
   */
  authTimeoutMs?: number | null;
  /**
   * Longest silence from the server before the connection counts as dead, in ms. Any frame
   * counts as life. @default the server's `connectionTimeoutMs` from `connection_ack` (AppSync: 300000); null (or 0) disables
   */
  keepAliveTimeoutMs?: number | null | undefined;
  /** How the handshake carries auth (see {@link HandshakeAuth}). @default 'subprotocol' */
  handshakeAuth?: HandshakeAuth;
  /** Real-time URL to connect to instead of the derived one (proxies, unusual custom domains). */
  realtimeUrl?: string | undefined;
  /** Node TLS options (`ca`, `cert`, `key`, `rejectUnauthorized`…), forwarded to `ws`. */
  tls?: TlsOptions | undefined;
  /** Extra options for the WebSocket constructor (`ws` options in Node). @default {} */
  webSocketOptions?: Record<string, unknown> | undefined;
  /** WebSocket constructor to use. @default the global WebSocket, else the `ws` package */
  webSocketImpl?: WebSocketConstructor | undefined;
  /**
   * Reconnect after an unexpected close, a keep-alive timeout or a failed handshake, and start
   * every wanted subscription again. `false`: subscriptions fail with the error instead.
   * @default true: unlimited attempts, 1 s doubling to 30 s, equal jitter (see {@link RetryOptions})
   */
  retry?: boolean | RetryOptions;
  /** Source of subscription ids. @default crypto.randomUUID */
  generateId?: () => string;
  /** Random source for backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * After a wake-up, how long to wait for a sign of life before the connection counts as dead
   * and is replaced, in ms: a pong to a WebSocket ping in Node; in browsers, which cannot ping,
   * any frame within the interval at which `ka` frames have been arriving plus this. @default 5000
   */
  livenessTimeoutMs?: number;
  /**
   * Where wake-ups come from: moments after which the socket may be dead without a word, so it
   * is checked at once rather than after the keep-alive timeout. `false`: none.
   * @default in browsers `online`, `offline`, `visibilitychange` to visible, `pageshow` from the
   * back-forward cache and `resume`; in Node a timer that fires far later than set (the process
   * was suspended: SIGSTOP, a laptop lid)
   */
  wakeUps?: WakeUpSource | false;
}

/** `offline`: connected, but the platform says the network is gone (nothing is torn down). */
export type TransportState = 'idle' | 'connecting' | 'connected' | 'offline' | 'reconnecting' | 'closing' | 'closed';

export interface TransportEvents {
  connecting: { attempt: number; reconnect: boolean };
  connected: { attempt: number; reconnect: boolean; ack: unknown };
  disconnected: { error: TransportError; code: number | undefined };
  reconnecting: { attempt: number; delayMs: number; error: TransportError };
  closed: { error: TransportError | undefined };
  /**
   * The server sent an `error` without a subscription id (`LimitExceededError`…). The connection
   * stays up; subscriptions still waiting for their acknowledgement fail with this error.
   */
  error: { error: TransportError };
  /** The server sent a message type this version does not know; it was ignored. */
  unknown: { type: string };
  /** The platform says the network is gone; the state is `offline` until it comes back. */
  offline: Record<string, never>;
  /** The network is back; a liveness check follows. */
  online: Record<string, never>;
  /** A wake-up check of the socket ended: alive, or dead (and replaced). */
  liveness: { reason: string; alive: boolean };
}

/** Where a subscription's results go: a {@link ResultStream} (async iterator) or an observer. */
export interface Sink<T> {
  push(value: T): void;
  fail(error: unknown): void;
  end(): void;
  /** The server acknowledged the subscription for the first time. */
  acknowledged(): void;
}

/** Callbacks for `observe()`: each result, the error that ends it, or its normal end. */
export interface Observer<T> {
  next(result: T): void;
  error(error: TransportError): void;
  complete?(): void;
  /** The server acknowledged the subscription (`start_ack`, `subscribe_success`), once. */
  started?(): void;
}

/** Calls an app's callback; one that throws is the app's bug, reported like an uncaught error. */
function callApp(callback: (() => void) | undefined): void {
  try {
    callback?.();
  } catch (error) {
    reportLater(error);
  }
}

/** Hands results to an observer; an observer that throws is the app's bug, reported, not fatal. */
class ObserverSink<T> implements Sink<T> {
  #observer: Observer<T> | undefined;
  constructor(observer: Observer<T>) {
    this.#observer = observer;
  }
  push(value: T): void {
    const observer = this.#observer;
    if (observer === undefined) return;
    try {
      observer.next(value);
    } catch (error) {
      reportLater(error);
    }
  }
  fail(error: unknown): void {
    const observer = this.close();
    try {
      observer?.error(error as TransportError);
    } catch (thrown) {
      reportLater(thrown);
    }
  }
  end(): void {
    const observer = this.close();
    try {
      observer?.complete?.();
    } catch (thrown) {
      reportLater(thrown);
    }
  }
  acknowledged(): void {
    const observer = this.#observer;
    callApp(observer?.started?.bind(observer));
  }
  /** Nothing more reaches the observer; returns it if it was still open. */
  close(): Observer<T> | undefined {
    const observer = this.#observer;
    this.#observer = undefined;
    return observer;
  }
}

/** What reconnect() and a failed liveness check get when `retry` is false: one attempt, at once. */
const ONE_ATTEMPT: RetryPolicy = Object.freeze({ attempts: 1, baseDelayMs: 0, maxDelayMs: 0, shouldRetry: () => false });

/** How long a stopped id is remembered when closeTimeoutMs is null (wait forever). */
const DEFAULT_FORGET_MS = 10_000;

/** Placeholder until a subscription's sink is set. */
const NO_SINK: Sink<never> = { push() {}, fail() {}, end() {}, acknowledged() {} };

/** One subscription the user holds, across sockets. `P` is what the protocol needs to start it. */
export interface Subscription<T, P> {
  readonly params: P;
  /** Set once, right after the record is made. */
  sink: Sink<T>;
  readonly sendStop: boolean;
  readonly onStarted: (() => void) | undefined;
  readonly onResubscribed: (() => void) | undefined;
  /** Its id on the current socket; a new one on every socket. */
  id: string | undefined;
  /** The start frame for `id` has been sent. */
  started: boolean;
  /** The server acknowledged `id` (a repeated acknowledgement changes nothing). */
  acked: boolean;
  /** Ids acknowledged so far, one per socket: from the second on, it was resubscribed. */
  acks: number;
  startAckTimer: ReturnType<typeof setTimeout> | undefined;
  /** False once it ended, failed or the user left: never started again. */
  wanted: boolean;
  detachSignal: (() => void) | undefined;
}

export interface SubscriptionOptions {
  /** Send the stop frame when the consumer leaves early. @default true */
  sendStop?: boolean;
  /** Ends the subscription (sending the stop frame) when aborted; the iterator then ends without error. */
  signal?: AbortSignal;
  /**
   * Called once, when the server first acknowledges the subscription (`start_ack`; Events:
   * `subscribe_success`): from then on it is live. Acknowledgements after a reconnect call
   * `onResubscribed` instead. The iterator's `started` promise resolves at the same moment.
   */
  onStarted?: () => void;
  /**
   * Called after the subscription was started again on a new socket (after its acknowledgement).
   * AppSync replays nothing: re-query here what may have been missed.
   */
  onResubscribed?: () => void;
  /**
   * Results kept for a consumer that reads slower than they arrive. Each waiting result costs
   * its parsed payload's memory. When one more arrives, the subscription is stopped on the
   * server at once, and the consumer reads the results kept, then `TransportBufferOverflowError`.
   * @default Infinity (nothing is dropped)
   */
  maxBufferedResults?: number;
}

/** The protocol specifics a subclass hands to the base. */
export interface ProtocolBinding<M extends { type: string }> {
  protocol: RealtimeProtocol<M>;
  subprotocol: string;
  /** Path IAM signs for the connect (`/graphql/connect`, `/event`). */
  connectPath: string;
  /** What to call the thing in messages: `transport`, `events client`. */
  noun: string;
  /** The acknowledgement a subscription waits for, for messages: `start_ack`, `subscribe_success`. */
  ackName: string;
  /** Which API the URL belongs to (the real-time path differs on AppSync hosts). @default 'graphql' */
  api?: ApiKind;
}

export abstract class RealtimeClient<M extends { type: string }, T, P> {
  /** Payloads received from the server, by message type (`connection_ack`). */
  readonly payloads: { connection_ack?: unknown } = {};
  protected readonly endpoints: Endpoints;
  readonly #options: RealtimeClientOptions;
  readonly #binding: ProtocolBinding<M>;
  readonly #connectTimeoutMs: number | null;
  protected readonly ackTimeoutMs: number | null;
  readonly #closeTimeoutMs: number | null;
  readonly #authTimeoutMs: number | null;
  readonly #keepAliveTimeoutMs: number | null | undefined;
  readonly #handshakeAuth: HandshakeAuth;
  readonly #retry: RetryPolicy | undefined;
  readonly #generateId: () => string;
  readonly #random: () => number;
  readonly #events = new Emitter<TransportEvents>();
  readonly #livenessTimeoutMs: number;
  readonly #wakeUps: WakeUpSource | undefined;
  #stopWakeUps: (() => void) | undefined;
  #offline = false;
  /** The next connection end was asked for (reconnect(), a failed liveness check): reconnect at once. */
  #reconnectAsked = false;
  #auth: AppSyncAuthentication | undefined;
  #state: TransportState = 'idle';
  #connection: Connection<M> | undefined;
  /** The subscriptions still wanted, in subscription order. */
  readonly #subscriptions = new Set<Subscription<T, P>>();
  /** Ids on the current socket, including stopped ones awaiting confirmation. */
  readonly #byId = new Map<string, Subscription<T, P>>();
  /**
   * Stopped ids awaiting confirmation, forgotten after closeTimeoutMs: a server that never
   * confirms must not make them pile up.
   */
  readonly #stopping: ExpiringKeys<string>;
  /**
   * Aborted by close() and by a final failure, with that error: whatever waits on the network or
   * on an auth provider for this session (a handshake, a start's or a publish's auth) stops.
   */
  #session: Session | undefined;
  /** Bumped by connect() and close(): async work of an older generation drops its result. */
  #generation = 0;
  #wake: (() => void) | undefined;
  #closedPromise: Promise<void> = Promise.resolve();
  #resolveClosed: () => void = () => {};
  #completesAwaited: Set<string> | undefined;
  #onAllCompleted: (() => void) | undefined;

  protected constructor(options: RealtimeClientOptions, binding: ProtocolBinding<M>) {
    if (typeof options !== 'object' || options === null) {
      throw new TransportConfigurationError(`Expected an options object like { url, auth }, but got ${options === null ? 'null' : typeof options}.`);
    }
    this.#options = options;
    this.#binding = binding;
    this.endpoints = resolveEndpoints(options.url, options.realtimeUrl, binding.api);
    this.#connectTimeoutMs = checkTimeout('connectTimeoutMs', options.connectTimeoutMs, 10_000);
    this.ackTimeoutMs = checkTimeout('ackTimeoutMs', options.ackTimeoutMs, 10_000);
    this.#closeTimeoutMs = checkTimeout('closeTimeoutMs', options.closeTimeoutMs, 10_000);
    this.#authTimeoutMs = checkTimeout('authTimeoutMs', options.authTimeoutMs, 10_000);
    this.#stopping = new ExpiringKeys(armed(this.#closeTimeoutMs) ? this.#closeTimeoutMs : DEFAULT_FORGET_MS, (id) => {
      if (this.#byId.get(id)?.wanted === false) this.#forget(id);
    });
    this.#keepAliveTimeoutMs =
      options.keepAliveTimeoutMs === undefined ? undefined : checkTimeout('keepAliveTimeoutMs', options.keepAliveTimeoutMs, null);
    this.#handshakeAuth = checkHandshakeAuth(options.handshakeAuth ?? 'subprotocol');
    checkFunction('webSocketImpl', options.webSocketImpl);
    this.#retry = retryPolicy(options.retry);
    this.#generateId = checkFunction('generateId', options.generateId) ?? (() => crypto.randomUUID());
    this.#random = checkFunction('random', options.random) ?? Math.random;
    const liveness = checkTimeout('livenessTimeoutMs', options.livenessTimeoutMs, 5000);
    if (!armed(liveness)) throw new TransportConfigurationError(`Expected livenessTimeoutMs to be a number of milliseconds > 0, but got ${String(liveness)}.`);
    this.#livenessTimeoutMs = liveness;
    this.#wakeUps = options.wakeUps === false ? undefined : (checkFunction('wakeUps', options.wakeUps) ?? defaultWakeUps());
    this.#auth = checkAuth(options.auth);
  }

  // ---- what a protocol subclass provides ----------------------------------------------------

  /** The frame that starts `subscription` under `id` (auth included). */
  protected abstract startFrame(subscription: Subscription<T, P>, id: string): Promise<string>;
  /** The frame that stops `id`. */
  protected abstract stopFrame(id: string): string;
  /** Routes a server frame (other than ack, ka and connection errors). */
  protected abstract dispatch(message: M): void;

  // ---- public surface -----------------------------------------------------------------------

  /** The auth in use; IAM with the default chain when none was given (loaded on first use). */
  get auth(): AppSyncAuthentication | undefined {
    return this.#auth;
  }

  get state(): TransportState {
    return this.#state === 'connected' && this.#offline ? 'offline' : this.#state;
  }

  /** The real-time URL the socket connects to (without auth). */
  get realtimeUrl(): string {
    return this.endpoints.realtimeUrl;
  }

  /** Listens to a state event; returns the function that stops listening. */
  on<K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void): () => void {
    return this.#events.on(event, checkFunction('listener', listener) as typeof listener);
  }

  /**
   * Opens the socket and completes the handshake. Rejects on the first failure (no retry: a wrong
   * URL or key should be seen at once); retries apply to connections lost afterwards.
   */
  async connect(): Promise<void> {
    if (this.#state === 'closing') await this.#closedPromise;
    if (this.#state !== 'idle' && this.#state !== 'closed') {
      throw new TransportAlreadyConnected(
        `connect() was called while the ${this.#binding.noun} is ${this.#state}. Call close() first to reconnect, or reuse the open connection.`,
      );
    }
    const generation = ++this.#generation;
    this.#closedPromise = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#state = 'connecting';
    this.#session = new Session();
    this.#stopWakeUps ??= this.#listenToWakeUps();
    this.#events.emit('connecting', { attempt: 1, reconnect: false });
    try {
      await this.#establish(generation);
    } catch (error) {
      const failure = asTransportError(error);
      if (generation === this.#generation) this.#shutdown(failure);
      throw failure;
    }
    this.#state = 'connected';
    this.#events.emit('connected', { attempt: 1, reconnect: false, ack: this.payloads.connection_ack });
  }

  /**
   * Stops every subscription, waits up to `closeTimeoutMs` for the server to confirm, and closes
   * the socket with code 1000. A connect under way is aborted (it rejects with
   * `TransportClosed`). Subscriptions end normally, as after a `break`: open iterators finish
   * (pending `next()` calls resolve `{ done: true }`), observers get `complete()`.
   */
  async close(): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'closed') return;
    if (this.#state === 'closing') return this.#closedPromise;
    const generation = ++this.#generation;
    this.#state = 'closing';
    this.#wake?.();
    this.#endWakeUps();
    const error = new TransportClosed(`The ${this.#binding.noun} was closed by close(); call connect() to use it again.`);
    this.#endSession(error);
    const open = [...this.#subscriptions];
    for (const subscription of open) this.#release(subscription);
    this.beforeClose(error);
    const connection = this.#connection;
    if (connection?.isOpen) {
      // One budget of closeTimeoutMs for the confirmations and the close frame together.
      const deadline = armed(this.#closeTimeoutMs) ? performance.now() + this.#closeTimeoutMs : undefined;
      await this.#stopAll(open, connection);
      this.#connection = undefined;
      await connection.close(1000, 'client closed', error, deadline === undefined ? null : Math.max(deadline - performance.now(), 1));
    }
    this.#connection = undefined;
    this.#forgetIds();
    if (generation !== this.#generation) return;
    // The final state first: what the subscriptions' callbacks read must be true already. A
    // listener may connect() again: this session's waitClosed() is resolved, not the new one's.
    const resolveClosed = this.#resolveClosed;
    this.#state = 'closed';
    this.#events.emit('closed', { error: undefined });
    for (const subscription of open) subscription.sink.end();
    resolveClosed();
  }

  /**
   * Drops the current socket now and connects again, starting every subscription on the new one
   * with fresh ids and fresh auth, as after a drop (`onResubscribed` fires). Resolves once
   * connected; rejects with the typed error if that fails after the retries `retry` allows (with
   * `retry: false`, one attempt), or with `TransportClosed` if close() comes first. While
   * reconnecting already, it skips the rest of the backoff wait.
   */
  async reconnect(): Promise<void> {
    this.assertOpen(`reconnect() was called while the ${this.#binding.noun} is ${this.#state}: call connect() first.`);
    const outcome = new Promise<void>((resolve, reject) => {
      const offConnected = this.#events.on('connected', () => {
        offClosed();
        offConnected();
        resolve();
      });
      const offClosed = this.#events.on('closed', ({ error }) => {
        offClosed();
        offConnected();
        reject(error ?? new TransportClosed(`The ${this.#binding.noun} was closed by close() before it reconnected.`));
      });
    });
    const connection = this.#connection;
    if (this.#state === 'connected' && connection !== undefined) {
      this.#reconnectAsked = true;
      connection.fail(new TransportConnectionFailed(`The connection was dropped by reconnect().`, { code: 1000 }), 1000);
    } else {
      this.#wake?.();
    }
    return outcome;
  }

  /** Resolves once closed (at once when not connected). */
  waitClosed(): Promise<void> {
    return this.#closedPromise;
  }

  // ---- for subclasses -----------------------------------------------------------------------

  /** Hook: the client is closing or giving up (subclasses fail their own pending work). */
  protected beforeClose(_error: TransportError): void {}

  /**
   * Resolves the auth (IAM by default, loaded lazily) and asks it for the auth object of a
   * request, within `authTimeoutMs`, and rejects at once with its reason when close() (or a
   * final failure) ends the session or `signal` aborts. `purpose` names the request in messages
   * (`the connect`); `headers`: for a real HTTP request, its own headers that IAM must sign.
   */
  protected async authHeaders(
    path: string,
    body: string,
    purpose: string,
    headers?: Record<string, string>,
    signal?: AbortSignal,
    auth?: AppSyncAuthentication,
  ): Promise<Record<string, string>> {
    if (auth === undefined && this.#auth === undefined) {
      // IAM is the default (as in gql); loaded only when needed so API-key users never pay for it
      // (`#platform`: in browsers, where no default credential chain exists, an auth that says so).
      const auth = await createDefaultAuth();
      this.#auth ??= auth;
    }
    const request: AuthRequest = {
      host: this.endpoints.host,
      path,
      body,
      scheme: this.endpoints.httpUrl.startsWith('http:') ? 'http' : 'https',
      headers,
    };
    return headersFrom(auth ?? (this.#auth as AppSyncAuthentication), request, { timeoutMs: this.#authTimeoutMs, purpose, signals: [this.#session, signal] });
  }

  /** The live connection, if any. */
  protected get connection(): Connection<M> | undefined {
    return this.#connection;
  }

  /**
   * Registers a subscription read through an async iterator; starts it now (connected) or after
   * the (re)connect. Callers check {@link assertOpen} first, before their own argument checks.
   */
  protected addSubscription(params: P, options: SubscriptionOptions): ResultStream<T> {
    const max = options.maxBufferedResults ?? Infinity;
    if (typeof max !== 'number' || Number.isNaN(max) || max < 1) {
      throw new TransportConfigurationError(`Expected maxBufferedResults to be a number >= 1, but got ${String(max)}.`);
    }
    const subscription = this.#newSubscription(params, options);
    // One closure per subscription: memory per idle subscription is a measured goal.
    const stream = new ResultStream<T>(() => this.#leave(subscription), max);
    subscription.sink = stream;
    this.#activate(subscription, options.signal, () => void stream.return());
    return stream;
  }

  /**
   * Registers a subscription whose results go straight to `observer` (no promise per result:
   * the fastest way to consume). Returns the function that stops it. Callers check
   * {@link assertOpen} first.
   */
  protected addObserver(params: P, observer: Observer<T>, options: SubscriptionOptions): () => void {
    if (typeof observer !== 'object' || observer === null || typeof observer.next !== 'function' || typeof observer.error !== 'function') {
      throw new TransportConfigurationError('Expected an observer with next(result) and error(error) functions (complete() optional).');
    }
    const subscription = this.#newSubscription(params, options);
    const sink = new ObserverSink(observer);
    subscription.sink = sink;
    const stop = (): void => {
      sink.close();
      this.#leave(subscription);
    };
    // An aborted signal ends it as an iterator's `break` does: stopped, and complete() told.
    this.#activate(subscription, options.signal, () => {
      this.#leave(subscription);
      sink.end();
    });
    return stop;
  }

  #newSubscription(params: P, options: SubscriptionOptions): Subscription<T, P> {
    checkSignal(options.signal);
    checkFunction('onResubscribed', options.onResubscribed);
    checkFunction('onStarted', options.onStarted);
    return {
      params,
      sink: NO_SINK,
      sendStop: options.sendStop ?? true,
      onStarted: options.onStarted,
      onResubscribed: options.onResubscribed,
      id: undefined,
      started: false,
      acked: false,
      acks: 0,
      startAckTimer: undefined,
      wanted: true,
      detachSignal: undefined,
    };
  }

  /** Adds the subscription to the wanted set and starts it now (connected) or after the (re)connect. */
  #activate(subscription: Subscription<T, P>, signal: AbortSignal | undefined, onAbort: () => void): void {
    if (signal?.aborted) {
      subscription.wanted = false;
      subscription.sink.end();
      return;
    }
    if (signal) {
      signal.addEventListener('abort', onAbort, { once: true });
      subscription.detachSignal = () => signal.removeEventListener('abort', onAbort);
    }
    this.#subscriptions.add(subscription);
    // Started now if there is an acknowledged socket (even while connect() is still finishing:
    // its start loop may have run already); otherwise when the (re)connect has one.
    const connection = this.#connection;
    if (connection !== undefined) this.#start(subscription, connection);
  }

  /** Throws `TransportClosed(message)` unless connected, connecting or reconnecting. */
  protected assertOpen(message: string): void {
    if (this.#state === 'idle' || this.#state === 'closed' || this.#state === 'closing') {
      throw new TransportClosed(message);
    }
  }

  /** Hot path: a result for `id`. Results for stopped subscriptions are dropped quietly. */
  protected deliver(id: string, value: T): void {
    const subscription = this.#byId.get(id);
    if (subscription?.wanted) subscription.sink.push(value);
  }

  /** The server acknowledged the start of `id`. */
  protected acknowledged(id: string): void {
    const subscription = this.#byId.get(id);
    // A repeated acknowledgement of the same id is no resubscription.
    if (subscription === undefined || subscription.id !== id || subscription.acked) return;
    subscription.acked = true;
    this.#clearStartAck(subscription);
    subscription.acks++;
    if (!subscription.wanted) return;
    if (subscription.acks === 1) {
      subscription.sink.acknowledged();
      callApp(subscription.onStarted);
    } else {
      callApp(subscription.onResubscribed);
    }
  }

  /** The server ended `id` (`complete`, unsubscribe confirmed, invalidation): its iterator finishes normally. */
  protected completed(id: string): void {
    const subscription = this.#byId.get(id);
    this.#forget(id);
    if (subscription?.wanted) this.#end(subscription);
  }

  /** The server failed `id`: only its iterator throws `error`; it is not restarted. */
  protected failed(id: string, error: TransportError): void {
    const subscription = this.#byId.get(id);
    this.#forget(id);
    if (subscription?.wanted) this.#finish(subscription, error);
  }

  /**
   * `id` cannot go on (a result it cannot deliver): stops it on the server, so that it does not
   * keep sending to a dead id, and fails only its consumer with `error`.
   */
  protected failAndStop(id: string, error: TransportError): void {
    const subscription = this.#byId.get(id);
    if (subscription === undefined || !subscription.wanted || subscription.id !== id) return;
    const connection = this.#connection;
    if (connection !== undefined) this.#stopOnServer(subscription, connection);
    this.#finish(subscription, error);
  }

  /**
   * An `error` frame without an id (`LimitExceededError`…): reported as an `error` event; it
   * fails only the subscriptions still waiting for their acknowledgement (its likely cause).
   * Established subscriptions and the connection go on.
   */
  protected connectionLevelError(errors: GraphQLErrorLike[]): void {
    const error = serverError('reported an error without a subscription id', errors);
    this.#events.emit('error', { error });
    const connection = this.#connection;
    for (const subscription of [...this.#subscriptions]) {
      if (!subscription.started || subscription.acked) continue;
      if (connection !== undefined) this.#stopOnServer(subscription, connection);
      this.#finish(subscription, error);
    }
  }

  /** A message type this version does not know: reported as an `unknown` event, otherwise ignored. */
  protected ignored(type: string): void {
    this.#events.emit('unknown', { type });
  }

  /** What the subscription that holds `id` on the current socket was started with, while it is still wanted. */
  protected subscriptionParams(id: string): P | undefined {
    const subscription = this.#byId.get(id);
    return subscription?.wanted && subscription.id === id ? subscription.params : undefined;
  }

  protected newId(): string {
    return this.#generateId();
  }

  // ---- connection lifecycle -----------------------------------------------------------------

  /** Opens a socket with fresh auth and starts every wanted subscription on it. */
  /** close() or a final failure: a socket still opening, and auth calls under way, are abandoned. */
  #endSession(reason: TransportError): void {
    const session = this.#session;
    this.#session = undefined;
    session?.end(reason);
  }

  async #establish(generation: number): Promise<void> {
    const signal = this.#session;
    const headers = await this.authHeaders(this.#binding.connectPath, '{}', 'the connect');
    this.#assertCurrent(generation);
    const handshake = buildHandshake(this.#handshakeAuth, this.endpoints.realtimeUrl, headers, this.#binding.subprotocol);
    const { tls, webSocketOptions, webSocketImpl } = this.#options;
    const connection = await Connection.open(
      {
        ...handshake,
        tls,
        webSocketOptions,
        webSocketImpl,
        timeoutMs: this.#connectTimeoutMs,
        ackTimeoutMs: this.ackTimeoutMs,
        keepAliveTimeoutMs: this.#keepAliveTimeoutMs,
        signal,
      },
      this.#binding.protocol,
    );
    if (generation !== this.#generation) {
      // close() was called while we were connecting: this socket is not wanted.
      void connection.close(1000, 'client closed', new TransportClosed('closed while connecting'), this.#closeTimeoutMs);
      this.#assertCurrent(generation);
    }
    // Throws when the socket already closed after its ack: a failed attempt like any other.
    connection.attach(
      (message) => this.dispatch(message),
      (error) => this.#onConnectionEnd(connection, error),
    );
    this.#connection = connection;
    this.payloads.connection_ack = connection.ackPayload;
    for (const subscription of this.#subscriptions) this.#start(subscription, connection);
  }

  #assertCurrent(generation: number): void {
    if (generation !== this.#generation) {
      throw new TransportClosed(`The ${this.#binding.noun} was closed while connecting; call connect() to use it again.`);
    }
  }

  #onConnectionEnd(connection: Connection<M>, error: TransportError): void {
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    this.#forgetIds();
    for (const subscription of this.#subscriptions) {
      this.#clearStartAck(subscription);
      subscription.id = undefined;
      subscription.started = false;
      subscription.acked = false;
    }
    this.onDisconnected(error);
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const generation = this.#generation;
    const asked = this.#reconnectAsked;
    this.#reconnectAsked = false;
    this.#events.emit('disconnected', { error, code: (error as { closeCode?: number }).closeCode });
    // A listener may have called close() (or connect() after it): that decides, not this drop.
    if (generation !== this.#generation) return;
    // The user's shouldRetry, random and invalidate run in there: whatever they throw ends the
    // client like a final failure, never as an unhandled rejection.
    this.#reconnect(generation, error, asked).catch((failure: unknown) => {
      if (generation === this.#generation) this.#shutdown(asTransportError(failure));
    });
  }

  /** Hook: the socket is gone (subclasses fail work that cannot survive a socket, like a pending publish). */
  protected onDisconnected(_error: TransportError): void {}

  /** Applies the built-in rules, then the user's `shouldRetry`. */
  #retryable(error: TransportError, authRetried: boolean): boolean {
    const kind = classifyFailure(error);
    if (kind === 'final' || (kind === 'auth' && authRetried)) return false;
    return this.#retry?.shouldRetry(error) ?? false;
  }

  /** `asked`: by reconnect() or a failed liveness check: the first attempt at once, and at least one. */
  async #reconnect(generation: number, lastError: TransportError, asked = false): Promise<void> {
    const policy = this.#retry ?? (asked ? ONE_ATTEMPT : undefined);
    if (policy === undefined || (!asked && !this.#retryable(lastError, false))) return this.#shutdown(lastError);
    this.#state = 'reconnecting';
    let authRetried = false;
    let error = lastError;
    for (let attempt = 1; attempt <= Math.max(policy.attempts, asked ? 1 : 0); attempt++) {
      const delayMs = asked && attempt === 1 ? 0 : backoffDelay(policy, attempt, this.#random);
      this.#events.emit('reconnecting', { attempt, delayMs, error });
      // A listener may have called close(): then no timer may be left behind.
      if (generation !== this.#generation) return;
      await this.#sleep(delayMs);
      if (generation !== this.#generation) return;
      this.#events.emit('connecting', { attempt, reconnect: true });
      try {
        await this.#establish(generation);
        this.#state = 'connected';
        this.#events.emit('connected', { attempt, reconnect: true, ack: this.payloads.connection_ack });
        return;
      } catch (caught) {
        if (generation !== this.#generation) return;
        error = asTransportError(caught);
        if (classifyFailure(error) === 'auth' && !authRetried) {
          // Expired tokens are the common cause: read fresh credentials and try once more.
          authRetried = true;
          this.#auth?.invalidate?.();
          if (this.#retry?.shouldRetry(error) === false) break;
          continue;
        }
        if (!this.#retryable(error, authRetried)) break;
      }
    }
    if (generation === this.#generation) this.#shutdown(error);
  }

  /** Waits `ms`, or less if close(), reconnect() or a wake-up (the network is back) comes first. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  // ---- wake-ups -------------------------------------------------------------------------------

  /** A wake-up source is the app's code: one that throws, or gives no stop function, is reported, never fatal. */
  #listenToWakeUps(): (() => void) | undefined {
    if (this.#wakeUps === undefined) return undefined;
    try {
      const stop: unknown = this.#wakeUps((wakeUp) => this.#onWakeUp(wakeUp));
      if (typeof stop === 'function') return stop as () => void;
      reportLater(new TransportConfigurationError(`Expected the wakeUps source to return the function that stops it, but it returned ${describeValue(stop)}.`));
    } catch (error) {
      reportLater(error);
    }
    return undefined;
  }

  #endWakeUps(): void {
    const stop = this.#stopWakeUps;
    this.#stopWakeUps = undefined;
    this.#offline = false;
    callApp(stop);
  }

  #onWakeUp(wakeUp: WakeUp): void {
    if (wakeUp.type === 'offline') {
      if (this.#offline) return;
      this.#offline = true;
      this.#events.emit('offline', {});
      return;
    }
    if (wakeUp.type === 'online') {
      const wasOffline = this.#offline;
      this.#offline = false;
      if (wasOffline) this.#events.emit('online', {});
    }
    const reason = wakeUp.type === 'online' ? 'the network came back' : wakeUp.reason;
    // Waiting to reconnect: the wait is pointless now.
    if (this.#state === 'reconnecting') this.#wake?.();
    else if (this.#state === 'connected') void this.#checkLiveness(reason);
  }

  /** A wake-up check: is anyone still at the other end of the socket? If not, reconnect at once. */
  async #checkLiveness(reason: string): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined) return;
    const ms = this.#livenessTimeoutMs;
    const alive = await connection.probe(ms);
    // A check that lost its socket meanwhile (closed, dropped, replaced) has nothing to say.
    if (this.#connection !== connection || this.#state !== 'connected') return;
    this.#events.emit('liveness', { reason, alive });
    if (alive) return;
    this.#reconnectAsked = true;
    connection.fail(
      new TransportTimeoutError(
        `After a wake-up (${reason}), expected a sign of life from the server within ${ms} ms (livenessTimeoutMs), but none came: the connection was dead, so it was replaced.`,
        { phase: 'liveness', timeoutMs: ms },
      ),
      CLOSE_KEEP_ALIVE,
    );
  }

  /** Final failure: every subscription throws `error`, the client is closed. */
  #shutdown(error: TransportError): void {
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    this.#endWakeUps();
    this.#endSession(error);
    this.#forgetIds();
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection?.isOpen) void connection.close(1000, 'client gave up', error, this.#closeTimeoutMs);
    this.beforeClose(error);
    // The final state first: what the subscriptions' callbacks read must be true already.
    const resolveClosed = this.#resolveClosed;
    this.#state = 'closed';
    this.#events.emit('closed', { error });
    for (const subscription of subscriptions) this.#finish(subscription, error);
    resolveClosed();
  }

  // ---- subscriptions ------------------------------------------------------------------------

  /** Starts `subscription` on `connection`; never rejects: whatever fails, fails this subscription only. */
  #start(subscription: Subscription<T, P>, connection: Connection<M>): void {
    // One the consumer (or close()) left meanwhile has nothing to be told.
    this.#send(subscription, connection).catch((error: unknown) => subscription.wanted && this.#finish(subscription, asTransportError(error)));
  }

  async #send(subscription: Subscription<T, P>, connection: Connection<M>): Promise<void> {
    if (subscription.id !== undefined) return;
    const id: unknown = this.#generateId();
    if (typeof id !== 'string' || id === '') {
      throw new TransportConfigurationError(`Expected generateId() to return a non-empty string, but it returned ${describeValue(id)}.`);
    }
    subscription.id = id;
    subscription.started = false;
    subscription.acked = false;
    this.#byId.set(id, subscription);
    let frame: string;
    try {
      frame = await this.startFrame(subscription, id);
    } catch (error) {
      if (subscription.id === id && subscription.wanted) this.#finish(subscription, asTransportError(error));
      return;
    }
    // The user may have left, or the socket may have gone, while auth was being computed.
    if (!subscription.wanted || subscription.id !== id || this.#connection !== connection) {
      if (this.#byId.get(id) === subscription && !subscription.wanted) this.#byId.delete(id);
      return;
    }
    if (!connection.send(frame)) return;
    subscription.started = true;
    const ms = this.ackTimeoutMs;
    if (armed(ms)) {
      subscription.startAckTimer = setTimeout(() => {
        subscription.startAckTimer = undefined;
        if (subscription.id !== id) return;
        this.#stopOnServer(subscription, connection);
        this.#finish(
          subscription,
          new TransportTimeoutError(
            `Expected ${this.#binding.ackName} for subscription ${id} within ${ms} ms (ackTimeoutMs), but none arrived; the subscription was stopped. Raise ackTimeoutMs if the server is slow.`,
            { phase: 'start-ack', timeoutMs: ms },
          ),
        );
      }, ms);
    }
  }

  /** The consumer left (`break`, `return()`, abort). */
  #leave(subscription: Subscription<T, P>): void {
    if (!subscription.wanted) return;
    this.#release(subscription);
    const connection = this.#connection;
    if (connection !== undefined) this.#stopOnServer(subscription, connection);
    else if (subscription.id !== undefined) this.#byId.delete(subscription.id);
    // While disconnected there is nothing to stop: the old socket's subscriptions died with it,
    // and this one will not be started on the next.
  }

  /**
   * Sends the stop frame for a started subscription; its id stays mapped until the server
   * confirms it (close() waits for that), or for closeTimeoutMs.
   */
  #stopOnServer(subscription: Subscription<T, P>, connection: Connection<M>): void {
    const id = subscription.id;
    if (id === undefined) return;
    if (subscription.started && subscription.sendStop && connection.send(this.stopFrame(id))) {
      this.#stopping.add(id);
      return;
    }
    // Not started yet: #start sees `wanted === false` and sends nothing.
    if (subscription.started || !subscription.wanted) this.#byId.delete(id);
  }

  async #stopAll(subscriptions: Subscription<T, P>[], connection: Connection<M>): Promise<void> {
    const awaited = new Set<string>();
    for (const subscription of subscriptions) {
      if (subscription.id !== undefined && subscription.started && subscription.sendStop && connection.send(this.stopFrame(subscription.id))) {
        awaited.add(subscription.id);
      }
    }
    // Stops sent earlier whose confirmation has not arrived yet are awaited too.
    const closing = new Set(subscriptions.map((subscription) => subscription.id));
    for (const [id] of this.#byId) if (!closing.has(id)) awaited.add(id);
    if (awaited.size === 0) return;
    const ms = this.#closeTimeoutMs;
    await new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.#completesAwaited = undefined;
        this.#onAllCompleted = undefined;
        resolve();
      };
      this.#completesAwaited = awaited;
      this.#onAllCompleted = done;
      if (armed(ms)) timer = setTimeout(done, ms);
      void connection.closed.then(done);
    });
  }

  /** `id` is over on this socket (confirmed, refused or forgotten). */
  #forget(id: string): void {
    this.#byId.delete(id);
    this.#stopping.delete(id);
    this.#confirmStop(id);
  }

  /** Every id of the socket is over (it is gone, or the client is closing). */
  #forgetIds(): void {
    this.#byId.clear();
    this.#stopping.clear();
  }

  #confirmStop(id: string): void {
    const awaited = this.#completesAwaited;
    if (awaited === undefined) return;
    awaited.delete(id);
    if (awaited.size === 0) this.#onAllCompleted?.();
  }

  /** No longer wanted: out of the registry, its abort listener and start-ack timer gone. */
  #release(subscription: Subscription<T, P>): void {
    subscription.wanted = false;
    this.#subscriptions.delete(subscription);
    subscription.detachSignal?.();
    this.#clearStartAck(subscription);
  }

  #end(subscription: Subscription<T, P>): void {
    this.#release(subscription);
    subscription.sink.end();
  }

  #finish(subscription: Subscription<T, P>, error: TransportError): void {
    this.#release(subscription);
    if (subscription.id !== undefined && this.#byId.get(subscription.id) === subscription) this.#byId.delete(subscription.id);
    subscription.sink.fail(error);
  }

  #clearStartAck(subscription: Subscription<T, P>): void {
    if (subscription.startAckTimer !== undefined) {
      clearTimeout(subscription.startAckTimer);
      subscription.startAckTimer = undefined;
    }
  }
}
