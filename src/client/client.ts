/**
 * Client: one object for a whole AppSync API. Queries and mutations go over HTTP;
 * subscriptions over WebSockets that are opened lazily, sharded above AppSync's per-connection
 * quota, and closed after a short debounce once empty.
 */
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { TransportConfigurationError, TransportQueryError, type TransportError } from '../errors.js';
import { AppSyncHttpTransport, type ExecuteOptions, type FetchLike } from '../http/http-transport.js';
import { AppSyncWebsocketsTransport, type SubscribeOptions } from '../transport/transport.js';
import type { RealtimeClientOptions } from '../transport/realtime-client.js';
import { toRequest } from '../transport/document.js';
import { DocumentValidator } from './validate.js';
import { Readiness } from '../transport/readiness.js';
import type { SubscriptionIterator } from '../transport/result-stream.js';
import { checkMs } from '../options.js';

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
    return this.#run<TData>(document, options as SubscribeOptions);
  }

  /**
   * Drops every socket now and connects each again, resubscribing with fresh ids and auth (see
   * `AppSyncWebsocketsTransport.reconnect()`). Resolves once all are connected again.
   */
  async reconnect(): Promise<void> {
    const live = [...this.#shards].filter((shard) => ['connected', 'offline', 'reconnecting'].includes(shard.transport.state));
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
    return new ShardedSubscription<ExecutionResult<TData>>({
      place: () => this.#place(),
      closed: () => this.#closed,
      connected: (shard) => this.#connected(shard),
      release: (shard) => this.#release(shard),
      subscribe: (shard) => shard.transport.subscribe<TData>(document, options),
      // Schema validation loads graphql's validator lazily: its errors arrive at the first next().
      validate: () => this.#validator?.check(document) ?? Promise.resolve(),
    });
  }

  /** Picks the first socket with room, or opens another. Counted now, so concurrent calls spread. */
  #place(): Shard | undefined {
    if (this.#closed) return undefined;
    let shard = [...this.#shards].find((s) => !s.full && s.count < this.#max && s.transport.state !== 'closed' && s.transport.state !== 'closing');
    if (shard === undefined) {
      shard = {
        transport: new AppSyncWebsocketsTransport(this.#options),
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
  validate(): Promise<void>;
}

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

  constructor(ops: ShardOps<T>) {
    this.#ops = ops;
    this.#startPlacing();
  }

  get started(): Promise<void> {
    return this.#readiness.promise;
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#done) return DONE;
      let inner: SubscriptionIterator<T> | undefined;
      try {
        inner = await this.#placed;
        if (inner === undefined) return DONE;
        const result = await inner.next();
        if (result.done) this.#finish();
        return result;
      } catch (error) {
        if (isMaxSubscriptions(error) && !this.#done) {
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
    await this.#ops.validate();
    // Each await is a point where return() may have run: place and subscribe only while wanted,
    // and give the place back if it was left while its socket connected.
    if (this.#done) return undefined;
    const shard = this.#ops.place();
    // The Client was closed meanwhile: ended, as by close() itself.
    if (shard === undefined) return undefined;
    this.#shard = shard;
    try {
      await this.#ops.connected(shard);
    } catch (error) {
      if (this.#ops.closed()) return undefined;
      throw error;
    }
    if (this.#done) {
      if (this.#shard === shard) this.#releaseShard();
      return undefined;
    }
    const inner = this.#ops.subscribe(shard);
    this.#inner = inner;
    inner.started.then(
      () => this.#readiness.started(),
      (error: unknown) => {
        if (isMaxSubscriptions(error)) this.#move(inner);
        else this.#readiness.failed(error);
      },
    );
    return inner;
  }

  /** AppSync's quota may be lower than ours, or shared: to another socket, once per refusal. */
  #move(from: SubscriptionIterator<T>): void {
    if (this.#inner !== from || this.#done) return;
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
