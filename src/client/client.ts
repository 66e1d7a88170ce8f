/**
 * Client: one object for a whole AppSync API. Queries and mutations go over HTTP;
 * subscriptions over WebSockets that are opened lazily, sharded above AppSync's per-connection
 * quota, and closed after a short debounce once empty.
 */
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { checkAuth } from '../auth/types.js';
import { TransportClosed, TransportConfigurationError, TransportQueryError, type TransportError } from '../errors.js';
import { AppSyncHttpTransport, type ExecuteOptions, type FetchLike } from '../http/http-transport.js';
import { AppSyncWebsocketsTransport, type SubscribeOptions } from '../transport/transport.js';
import type { Observer, RealtimeClientOptions, TransportEvents } from '../transport/realtime-client.js';
import { toRequest } from '../transport/document.js';
import { DocumentValidator } from './validate.js';
import { Readiness } from '../transport/readiness.js';
import type { SubscriptionIterator } from '../transport/result-stream.js';
import { checkFunction, checkMs } from '../options.js';
import { Emitter, reportLater } from '../transport/emitter.js';

export interface ClientOptions extends RealtimeClientOptions {
  /**
   * SDL (AppSync scalars and directives accepted) or a GraphQLSchema: documents are validated
   * locally before sending. `execute()` rejects and a subscription's first `next()` rejects with
   * `TransportDocumentError`; an invalid SDL rejects them with `TransportConfigurationError`.
   */
  schema?: string | GraphQLSchema | undefined;
  /** Subscriptions per WebSocket before another one is opened. @default 100 (AppSync's quota) */
  maxSubscriptionsPerConnection?: number;
  /**
   * How long an empty socket stays open for a subscription that may follow, in ms. AWS asks
   * clients not to close at once after the last stop: apps often resubscribe. @default 1000
   */
  lazyCloseDelayMs?: number;
  /** HTTP request timeout, in ms; null waits forever. @default 30000 */
  timeoutMs?: number | null;
  /** The fetch for HTTP. @default globalThis.fetch */
  fetch?: FetchLike | undefined;
}

/**
 * A DocumentNode that carries its result and variables types, structurally the same as
 * `@graphql-typed-document-node/core`'s (what GraphQL Code Generator emits), without the dependency.
 */
export interface TypedDocumentNode<TResult = Record<string, unknown>, TVariables = Record<string, unknown>> extends DocumentNode {
  __apiType?: (variables: TVariables) => TResult;
}

/** An operation: its text, a parsed `DocumentNode`, or a `TypedDocumentNode`. @inline */
type Doc<TData, TVars> = string | DocumentNode | TypedDocumentNode<TData, TVars>;

interface Shard {
  transport: AppSyncWebsocketsTransport;
  /** Subscriptions placed on it (counted when placed, so concurrent subscribes spread at once). */
  count: number;
  /** The server said MaxSubscriptionsReached: take nothing more. */
  full: boolean;
  connecting: Promise<void> | undefined;
  closeTimer: ReturnType<typeof setTimeout> | undefined;
}

const RELAYED_EVENTS: ReadonlyArray<keyof TransportEvents> = [
  'connecting', 'connected', 'disconnected', 'reconnecting', 'closed', 'error', 'unknown', 'offline', 'online', 'liveness',
];

function isMaxSubscriptions(error: unknown): boolean {
  return error instanceof TransportQueryError && error.errors.some((e) => e.errorType === 'MaxSubscriptionsReachedError');
}

export class Client {
  readonly http: AppSyncHttpTransport;
  readonly #options: ClientOptions;
  readonly #validator: DocumentValidator | undefined;
  readonly #max: number;
  readonly #lazyCloseDelayMs: number;
  readonly #shards = new Set<Shard>();
  readonly #events = new Emitter<TransportEvents>();
  #closed = false;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.http = new AppSyncHttpTransport({
      url: options.url,
      auth: options.auth,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      fetch: options.fetch,
    });
    this.#validator = options.schema !== undefined ? new DocumentValidator(options.schema) : undefined;
    this.#max = options.maxSubscriptionsPerConnection ?? 100;
    if (!Number.isInteger(this.#max) || this.#max < 1) {
      throw new TransportConfigurationError(`Expected maxSubscriptionsPerConnection to be an integer >= 1, but got ${String(this.#max)}.`);
    }
    this.#lazyCloseDelayMs = options.lazyCloseDelayMs ?? 1000;
    checkMs('lazyCloseDelayMs', this.#lazyCloseDelayMs);
  }

  /**
   * Listens to the state events of every socket of this Client (see `AppSyncWebsocketsTransport.on`),
   * those opened later included; returns the function that stops listening.
   */
  on<K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void): () => void {
    return this.#events.on(event, checkFunction('listener', listener) as typeof listener);
  }

  /** The open WebSockets (for monitoring and tests). */
  get sockets(): ReadonlyArray<{ transport: AppSyncWebsocketsTransport; subscriptions: number }> {
    return [...this.#shards].map((s) => ({ transport: s.transport, subscriptions: s.count }));
  }

  /**
   * Runs a query or mutation over HTTP. A subscription is refused (it is a stream, not one
   * result): use `subscribe()`.
   */
  async execute<TData = Record<string, unknown>, TVars = Record<string, unknown>>(
    document: Doc<TData, TVars>,
    options: ExecuteOptions & { variableValues?: TVars } = {},
  ): Promise<ExecutionResult<TData>> {
    options ??= {};
    await this.#validator?.check(document);
    return this.http.execute<TData>(document, options as ExecuteOptions);
  }

  /**
   * Subscribes over a WebSocket (opened on first use). A query or mutation is refused: use
   * `execute()`. Leaving the loop stops the subscription; the socket closes after
   * `lazyCloseDelayMs` once it carries none.
   */
  subscribe<TData = Record<string, unknown>, TVars = Record<string, unknown>>(
    document: Doc<TData, TVars>,
    options: SubscribeOptions & { variableValues?: TVars } = {},
  ): SubscriptionIterator<ExecutionResult<TData>> {
    options ??= {};
    if (this.#closed) throw new TransportConfigurationError('This Client was closed; create a new one.');
    // Refused now rather than at the first next(), as the transport does.
    toRequest(document, options as SubscribeOptions, ['subscription'], 'Send queries and mutations with execute().');
    checkAuth(options.auth);
    return this.#run<TData>(document, options as SubscribeOptions);
  }

  /**
   * Like `subscribe`, with callbacks instead of an iterator (no promise per result: the fastest
   * way to consume, as `AppSyncWebsocketsTransport.observe`). Returns the function that stops it.
   * A failure before the subscription is placed (validation, connect) goes to `observer.error`.
   */
  observe<TData = Record<string, unknown>, TVars = Record<string, unknown>>(
    document: Doc<TData, TVars>,
    observer: Observer<ExecutionResult<TData>>,
    options: SubscribeOptions & { variableValues?: TVars } = {},
  ): () => void {
    options ??= {};
    if (this.#closed) throw new TransportConfigurationError('This Client was closed; create a new one.');
    if (typeof observer !== 'object' || observer === null || typeof observer.next !== 'function' || typeof observer.error !== 'function') {
      throw new TransportConfigurationError('Expected an observer with next(result) and error(error) functions (complete() and started() optional).');
    }
    toRequest(document, options as SubscribeOptions, ['subscription'], 'Send queries and mutations with execute().');
    checkAuth(options.auth);
    const observation = new ShardedObservation<ExecutionResult<TData>>(this.#ops(document, options as SubscribeOptions), observer);
    return () => observation.stop();
  }

  /**
   * Drops every socket now and connects each again, resubscribing with fresh ids and auth (see
   * `AppSyncWebsocketsTransport.reconnect()`). Resolves once all are connected again.
   */
  async reconnect(): Promise<void> {
    if (this.#closed) throw new TransportClosed('reconnect() was called on a closed Client; create a new one.');
    // Sockets in their lazy-close delay carry nothing: they are about to close, not to come back.
    const live = [...this.#shards].filter((shard) => shard.count > 0 && ['connected', 'offline', 'reconnecting'].includes(shard.transport.state));
    await Promise.all(live.map((shard) => shard.transport.reconnect()));
  }

  /** Closes every socket now. */
  async close(): Promise<void> {
    this.#closed = true;
    const shards = [...this.#shards];
    this.#shards.clear();
    await Promise.all(
      shards.map((shard) => {
        if (shard.closeTimer !== undefined) clearTimeout(shard.closeTimer);
        return shard.transport.close();
      }),
    );
  }

  #run<TData>(document: string | DocumentNode, options: SubscribeOptions): SubscriptionIterator<ExecutionResult<TData>> {
    return new ShardedSubscription<ExecutionResult<TData>>(this.#ops<TData>(document, options));
  }

  #ops<TData>(document: string | DocumentNode, options: SubscribeOptions): ShardOps<ExecutionResult<TData>> {
    return {
      place: () => this.#place(),
      closed: () => this.#closed,
      connected: (shard) => this.#connected(shard),
      release: (shard) => this.#release(shard),
      subscribe: (shard) => shard.transport.subscribe<TData>(document, options),
      observe: (shard, observer) => shard.transport.observe<TData>(document, observer, options),
      // Schema validation loads graphql's validator lazily: its errors arrive at the first next().
      validate: () => this.#validator?.check(document) ?? Promise.resolve(),
    };
  }

  /** Picks the first socket with room, or opens another. Counted now, so concurrent calls spread. */
  #place(): Shard | undefined {
    if (this.#closed) return undefined;
    let shard = [...this.#shards].find((s) => !s.full && s.count < this.#max && s.transport.state !== 'closed' && s.transport.state !== 'closing');
    if (shard === undefined) {
      const transport = new AppSyncWebsocketsTransport(this.#options);
      for (const event of RELAYED_EVENTS) transport.on(event, (payload) => this.#events.emit(event, payload as never));
      shard = {
        transport,
        count: 0,
        full: false,
        connecting: undefined,
        closeTimer: undefined,
      };
      this.#shards.add(shard);
    }
    shard.count++;
    if (shard.closeTimer !== undefined) {
      // A subscription arrived during the debounce: keep the socket.
      clearTimeout(shard.closeTimer);
      shard.closeTimer = undefined;
    }
    return shard;
  }

  async #connected(shard: Shard): Promise<void> {
    if (shard.transport.state === 'idle') {
      shard.connecting ??= shard.transport.connect().finally(() => {
        shard.connecting = undefined;
      });
    }
    if (shard.connecting) {
      try {
        await shard.connecting;
      } catch (error) {
        this.#shards.delete(shard);
        throw error as TransportError;
      }
    }
  }

  #release(shard: Shard): void {
    shard.count--;
    if (shard.count > 0 || !this.#shards.has(shard)) return;
    shard.closeTimer = setTimeout(() => {
      shard.closeTimer = undefined;
      if (shard.count > 0) return;
      this.#shards.delete(shard);
      void shard.transport.close();
    }, this.#lazyCloseDelayMs);
  }
}

interface ShardOps<T> {
  /** undefined once the Client is closed. */
  place(): Shard | undefined;
  /** close() was called: what it interrupts ends normally. */
  closed(): boolean;
  connected(shard: Shard): Promise<void>;
  release(shard: Shard): void;
  subscribe(shard: Shard): SubscriptionIterator<T>;
  observe(shard: Shard, observer: Observer<T>): () => void;
  validate(): Promise<void>;
}

/**
 * Validates, places on a socket and waits for it: the shard, or undefined when `isDone()` became
 * true meanwhile (the place is then given back) or the Client was closed. Each await is a point
 * where the consumer may have left.
 */
async function placeOn<T>(ops: ShardOps<T>, isDone: () => boolean, setShard: (shard: Shard | undefined) => void): Promise<Shard | undefined> {
  await ops.validate();
  if (isDone()) return undefined;
  const shard = ops.place();
  // The Client was closed meanwhile: ended, as by close() itself.
  if (shard === undefined) return undefined;
  setShard(shard);
  try {
    await ops.connected(shard);
  } catch (error) {
    if (ops.closed()) return undefined;
    throw error;
  }
  // close() may have come while the socket connected: then it is closing, and this ends too.
  return ops.closed() ? undefined : shard;
}

/**
 * Moves after MaxSubscriptionsReachedError, per subscription: a server that refuses every start
 * must end in that error, not in sockets opened without end.
 */
const MAX_MOVES = 3;

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });

/**
 * A subscription placed on one of the Client's sockets, moved to another when the server says
 * that socket is full. Placed at once (validated, then started on a socket), as the transport
 * starts its subscriptions; what fails meanwhile is thrown by the first `next()`. Written as a
 * class rather than an async generator: a generator cannot run `return()` while a `next()` is
 * pending, and leaving must stop the subscription at once.
 */
class ShardedSubscription<T> implements SubscriptionIterator<T> {
  readonly #ops: ShardOps<T>;
  readonly #readiness = new Readiness();
  #shard: Shard | undefined;
  #inner: SubscriptionIterator<T> | undefined;
  /** The placing under way or done: the inner iterator, or undefined when left meanwhile. */
  #placed!: Promise<SubscriptionIterator<T> | undefined>;
  #done = false;
  #reading = false;
  #moves = 0;

  constructor(ops: ShardOps<T>) {
    this.#ops = ops;
    this.#startPlacing();
  }

  get started(): Promise<void> {
    return this.#readiness.promise;
  }

  async next(): Promise<IteratorResult<T>> {
    // The iterator protocol's own misuse: refused, and the subscription goes on.
    if (this.#reading) throw new TypeError('next() called again before the previous call settled');
    this.#reading = true;
    try {
      return await this.#next();
    } finally {
      this.#reading = false;
    }
  }

  async #next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#done) return DONE;
      let inner: SubscriptionIterator<T> | undefined;
      try {
        inner = await this.#placed;
        if (inner === undefined) {
          this.#finish();
          return DONE;
        }
        const result = await inner.next();
        if (result.done) this.#finish();
        return result;
      } catch (error) {
        if (isMaxSubscriptions(error) && !this.#done && this.#moves < MAX_MOVES) {
          if (inner !== undefined) this.#move(inner);
          continue;
        }
        this.#readiness.failed(error);
        this.#finish();
        throw error;
      }
    }
  }

  async return(): Promise<IteratorResult<T>> {
    const inner = this.#inner;
    this.#finish();
    await inner?.return?.();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #startPlacing(): void {
    this.#placed = this.#place();
    // A failure waits for next(); `started` hears of it at once.
    this.#placed.catch((error: unknown) => this.#readiness.failed(error));
  }

  async #place(): Promise<SubscriptionIterator<T> | undefined> {
    const shard = await placeOn(this.#ops, () => this.#done, (placed) => (this.#shard = placed));
    // close() may also have come in the turn since placeOn returned.
    if (shard === undefined || this.#done || this.#ops.closed()) {
      if (shard !== undefined && this.#shard === shard) this.#releaseShard();
      // Left, or the Client closed: ended before it was live.
      this.#readiness.ended();
      return undefined;
    }
    const inner = this.#ops.subscribe(shard);
    this.#inner = inner;
    inner.started.then(
      () => this.#readiness.started(),
      (error: unknown) => {
        if (isMaxSubscriptions(error) && this.#moves < MAX_MOVES) this.#move(inner);
        else this.#readiness.failed(error);
      },
    );
    return inner;
  }

  /** AppSync's quota may be lower than ours, or shared: to another socket, once per refusal. */
  #move(from: SubscriptionIterator<T>): void {
    if (this.#inner !== from || this.#done) return;
    this.#moves++;
    if (this.#shard) this.#shard.full = true;
    this.#releaseShard();
    this.#startPlacing();
  }

  #releaseShard(): void {
    const shard = this.#shard;
    this.#shard = undefined;
    this.#inner = undefined;
    if (shard) this.#ops.release(shard);
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#readiness.ended();
    void this.#inner?.return?.();
    this.#releaseShard();
  }
}

/** `Client.observe`: a subscription placed like {@link ShardedSubscription}, read through callbacks. */
class ShardedObservation<T> {
  readonly #ops: ShardOps<T>;
  readonly #observer: Observer<T>;
  #shard: Shard | undefined;
  #stopInner: (() => void) | undefined;
  #done = false;
  #started = false;
  #moves = 0;

  constructor(ops: ShardOps<T>, observer: Observer<T>) {
    this.#ops = ops;
    this.#observer = observer;
    void this.#start();
  }

  stop(): void {
    if (this.#done) return;
    this.#done = true;
    this.#release();
  }

  async #start(): Promise<void> {
    let shard: Shard | undefined;
    try {
      shard = await placeOn(this.#ops, () => this.#done, (placed) => (this.#shard = placed));
    } catch (error) {
      this.#end((observer) => observer.error(error as TransportError));
      return;
    }
    if (shard === undefined || this.#ops.closed()) {
      this.#end((observer) => observer.complete?.());
      return;
    }
    if (this.#done) {
      if (this.#shard === shard) this.#release();
      return;
    }
    const observer = this.#observer;
    let stop: (() => void) | undefined;
    let inner: () => void;
    try {
      inner = this.#ops.observe(shard, {
        next: (value) => {
          if (!this.#done) observer.next(value);
        },
        started: () => {
          if (this.#started || this.#done) return;
          this.#started = true;
          observer.started?.();
        },
        error: (error) => {
          // AppSync's quota may be lower than ours, or shared: to another socket (a few times).
          if (isMaxSubscriptions(error) && !this.#done && this.#stopInner === stop && this.#moves < MAX_MOVES) {
            this.#moves++;
            if (this.#shard) this.#shard.full = true;
            this.#release();
            void this.#start();
            return;
          }
          this.#end((o) => o.error(error));
        },
        complete: () => this.#end((o) => o.complete?.()),
      });
    } catch (error) {
      this.#end((o) => o.error(error as TransportError));
      return;
    }
    stop = inner;
    this.#stopInner = inner;
  }

  /** The end: told once, then nothing more. */
  #end(tell: (observer: Observer<T>) => void): void {
    if (this.#done) return;
    this.#done = true;
    this.#release();
    try {
      tell(this.#observer);
    } catch (error) {
      reportLater(error);
    }
  }

  #release(): void {
    const stop = this.#stopInner;
    this.#stopInner = undefined;
    stop?.();
    const shard = this.#shard;
    this.#shard = undefined;
    if (shard) this.#ops.release(shard);
  }
}
