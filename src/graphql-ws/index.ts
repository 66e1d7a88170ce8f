/**
 * `appsync-websockets/graphql-ws`: a client with the shape of graphql-ws's `createClient()`
 * that speaks AppSync, so that every recipe written for graphql-ws works unchanged: Apollo's
 * `GraphQLWsLink`, urql's `subscriptionExchange`, Relay's `Network.create`, GraphiQL's
 * `createGraphiQLFetcher({ wsClient })`. Subscriptions go over AppSync's real-time WebSocket,
 * queries and mutations over HTTP, through a {@link Client} (every auth mode, reconnection and
 * resubscription, readiness, typed errors).
 */
import type { ExecutionResult } from 'graphql';
import { Client, type ClientOptions } from '../client/client.js';
import { runOperation } from '../client/run-operation.js';
import { TransportConfigurationError } from '../errors.js';
import { checkFunction } from '../options.js';
import type { TransportEvents } from '../transport/realtime-client.js';
import { ResultStream } from '../transport/result-stream.js';

/** What graphql-ws's `subscribe` and `iterate` take. */
export interface SubscribePayload {
  readonly operationName?: string | null | undefined;
  readonly query: string;
  readonly variables?: Record<string, unknown> | null | undefined;
  readonly extensions?: Record<string, unknown> | null | undefined;
}

/** graphql-ws's sink. `error` receives this library's typed errors (`TransportError`). */
export interface Sink<T = unknown> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

/** graphql-ws's event names; `ping`, `pong` and `message` have no AppSync counterpart and never fire. */
export type GraphQLWsEvent = 'connecting' | 'opened' | 'connected' | 'ping' | 'pong' | 'message' | 'closed' | 'error';

export type GraphQLWsListener<E extends GraphQLWsEvent> = E extends 'connecting'
  ? (isRetry: boolean) => void
  : E extends 'opened'
    ? (socket: unknown) => void
    : E extends 'connected'
      ? (socket: unknown, payload: unknown, wasRetry: boolean) => void
      : E extends 'closed'
        ? (event: { code: number | undefined; reason: string }) => void
        : E extends 'error'
          ? (error: unknown) => void
          : (...args: unknown[]) => void;

/** The shape of graphql-ws's `Client`. */
export interface GraphQLWsClient {
  subscribe<Data = Record<string, unknown>>(payload: SubscribePayload, sink: Sink<ExecutionResult<Data>>): () => void;
  iterate<Data = Record<string, unknown>>(payload: SubscribePayload): AsyncIterableIterator<ExecutionResult<Data>>;
  on<E extends GraphQLWsEvent>(event: E, listener: GraphQLWsListener<E>): () => void;
  /** Closes every socket (subscriptions end normally, as graphql-ws's dispose ends them). */
  dispose(): Promise<void>;
  /** Like `dispose()`, without waiting for anything. */
  terminate(): void;
  /** The Client underneath (shared with other adapters, or given by you). */
  readonly client: Client;
}

export type CreateClientOptions = ClientOptions | { client: Client };

/**
 * A graphql-ws-shaped client for AppSync. `options` are the {@link Client}'s options (`url`,
 * `auth`, `schema`, …), or `{ client }` to share an existing Client (then `dispose()` closes it).
 */
export function createClient(options: CreateClientOptions): GraphQLWsClient {
  if (typeof options !== 'object' || options === null) {
    throw new TransportConfigurationError(`Expected createClient options like { url, auth } or { client }, but got ${options === null ? 'null' : typeof options}.`);
  }
  const client = 'client' in options && options.client instanceof Client ? options.client : new Client(options as ClientOptions);
  const subscribe = <Data>(payload: SubscribePayload, sink: Sink<ExecutionResult<Data>>): (() => void) => {
    if (typeof payload !== 'object' || payload === null || typeof payload.query !== 'string') {
      throw new TransportConfigurationError('Expected a payload { query, variables?, operationName? } with the query as a string.');
    }
    return runOperation(client, { document: payload.query, variables: payload.variables, operationName: payload.operationName }, sink as Sink<ExecutionResult>);
  };
  return {
    client,
    subscribe,
    iterate: <Data>(payload: SubscribePayload) => iterate<Data>(subscribe, payload),
    on: (event, listener) => onEvent(client, event, checkFunction('listener', listener) as (...args: never[]) => void),
    dispose: () => client.close(),
    terminate: () => void client.close(),
  };
}

/** Maps graphql-ws's events to the Client's state events. */
function onEvent(client: Client, event: GraphQLWsEvent, listener: (...args: never[]) => void): () => void {
  const call = listener as (...args: unknown[]) => void;
  const relay = <K extends keyof TransportEvents>(name: K, map: (payload: TransportEvents[K]) => unknown[]): (() => void) =>
    client.on(name, (payload) => call(...map(payload)));
  switch (event) {
    case 'connecting':
      return relay('connecting', ({ reconnect }) => [reconnect]);
    case 'opened':
      return relay('connected', () => [undefined]);
    case 'connected':
      return relay('connected', ({ ack, reconnect }) => [undefined, ack, reconnect]);
    case 'closed': {
      // A socket that dropped, and one closed by dispose() or a lazy close (which drops nothing).
      const dropped = relay('disconnected', ({ error, code }) => [{ code, reason: error.message }]);
      const closed = client.on('closed', ({ error }) => {
        if (error === undefined) call({ code: 1000, reason: 'closed' });
      });
      return () => {
        dropped();
        closed();
      };
    }
    case 'error':
      return relay('error', ({ error }) => [error]);
    default:
      // ping, pong and message are graphql-ws wire events; AppSync's protocol has none of them.
      return () => {};
  }
}

/** graphql-ws's `iterate`: the results of `subscribe` as an async iterator; `return()` stops it. */
function iterate<Data>(subscribe: (payload: SubscribePayload, sink: Sink<ExecutionResult<Data>>) => () => void, payload: SubscribePayload): AsyncIterableIterator<ExecutionResult<Data>> {
  let dispose = (): void => {};
  const stream = new ResultStream<ExecutionResult<Data>>(() => dispose());
  dispose = subscribe(payload, { next: (value) => stream.push(value), error: (error) => stream.fail(error), complete: () => stream.end() });
  return stream;
}
