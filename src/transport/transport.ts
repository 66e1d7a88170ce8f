/**
 * AppSyncWebsocketsTransport: subscriptions over AppSync's GraphQL real-time endpoint. The
 * socket's life is in `Connection`, reconnection and the subscription registry in
 * `RealtimeClient`; this file is the GraphQL protocol's part: documents, `start`/`stop`, and
 * routing `data`, `start_ack`, `complete` and `error`.
 */
import type { DocumentNode, ExecutionResult } from 'graphql';
import {
  TransportQueryError,
  TransportUnsupportedOperation,
  summarizeErrors,
  type GraphQLErrorLike,
} from '../errors.js';
import {
  GRAPHQL_CONNECT_PATH,
  GRAPHQL_SUBPROTOCOL,
  startMessage,
  stopMessage,
  type ServerMessage,
} from '../protocol/messages.js';
import { checkAuth, type AppSyncAuthentication } from '../auth/types.js';
import { toRequest } from './document.js';
import type { SubscriptionIterator } from './result-stream.js';
import { graphqlProtocol } from './graphql-protocol.js';
import {
  RealtimeClient,
  type Observer,
  type RealtimeClientOptions,
  type Subscription,
  type SubscriptionOptions,
} from './realtime-client.js';

export type { TransportEvents, TransportState } from './realtime-client.js';

/** The constructor options (see {@link RealtimeClientOptions} for each one's unit and default). */
export type AppSyncWebsocketsTransportOptions = RealtimeClientOptions;

export interface SubscribeOptions extends SubscriptionOptions {
  variableValues?: Record<string, unknown>;
  operationName?: string;
  /**
   * The auth of this subscription's `start` instead of the transport's (AppSync lets one
   * connection carry subscriptions of several auth modes). @default the transport's `auth`
   */
  auth?: AppSyncAuthentication | undefined;
}

const ONLY_SUBSCRIPTIONS =
  'Only subscriptions run on the real-time endpoint; send queries and mutations over HTTP (AppSyncHttpTransport).';

const NOT_CONNECTED =
  'The transport is not connected: call `await transport.connect()` before `subscribe()` (and again after `close()`).';

/**
 * What a GraphQL subscription needs to start: the exact `payload.data` string (no wrapper
 * object: memory per subscription is a measured goal), or its promise while graphql's printer
 * loads for a first DocumentNode.
 */
type GraphQLParams = string | Promise<string> | { data: string | Promise<string>; auth: AppSyncAuthentication };

export class AppSyncWebsocketsTransport extends RealtimeClient<ServerMessage, ExecutionResult, GraphQLParams> {
  constructor(options: AppSyncWebsocketsTransportOptions) {
    super(options, {
      protocol: graphqlProtocol,
      subprotocol: GRAPHQL_SUBPROTOCOL,
      connectPath: GRAPHQL_CONNECT_PATH,
      noun: 'transport',
      ackName: 'start_ack',
    });
  }

  /**
   * Starts a subscription; results arrive through the returned async iterator, in order.
   * Leaving the loop (`break`, `return()`, the `signal`) sends `stop` at once.
   */
  subscribe<TData = Record<string, unknown>>(
    document: string | DocumentNode,
    options: SubscribeOptions = {},
  ): SubscriptionIterator<ExecutionResult<TData>> {
    // Checked before the document so the first mistake reported is the first one to fix.
    this.assertOpen(NOT_CONNECTED);
    options ??= {};
    const { body } = toRequest(document, options, ['subscription'], ONLY_SUBSCRIPTIONS);
    return this.addSubscription(withAuth(body, options.auth), options) as SubscriptionIterator<ExecutionResult<TData>>;
  }

  /**
   * Like `subscribe`, but results go straight to `observer.next` (no promise per result: the
   * fastest way to consume). Returns the function that stops the subscription (sending `stop`).
   * `observer.error` receives the error that ends it; `complete` its normal end.
   */
  observe<TData = Record<string, unknown>>(
    document: string | DocumentNode,
    observer: Observer<ExecutionResult<TData>>,
    options: SubscribeOptions = {},
  ): () => void {
    this.assertOpen(NOT_CONNECTED);
    options ??= {};
    const { body } = toRequest(document, options, ['subscription'], ONLY_SUBSCRIPTIONS);
    return this.addObserver(withAuth(body, options.auth), observer as Observer<ExecutionResult>, options);
  }

  /** Always rejects: the real-time endpoint runs only subscriptions (as in gql). */
  async execute(_document?: unknown, _options?: unknown): Promise<never> {
    throw new TransportUnsupportedOperation(
      "execute() is not available on AppSyncWebsocketsTransport: AppSync's real-time endpoint only runs subscriptions. Send queries and mutations with AppSyncHttpTransport, or use subscribe().",
    );
  }

  protected override async startFrame(subscription: Subscription<ExecutionResult, GraphQLParams>, id: string): Promise<string> {
    const params = subscription.params;
    const own = typeof params === 'object' && 'auth' in params ? params : undefined;
    const data = await (own?.data ?? (params as string | Promise<string>));
    const authorization = await this.authHeaders('/graphql', data, `the start of subscription ${id}`, undefined, undefined, own?.auth);
    return startMessage(id, data, authorization);
  }

  protected override stopFrame(id: string): string {
    return stopMessage(id);
  }

  protected override dispatch(message: ServerMessage): void {
    switch (message.type) {
      case 'data':
        this.deliver(message.id, message.payload as ExecutionResult);
        return;
      case 'start_ack':
        this.acknowledged(message.id);
        return;
      case 'complete':
        this.completed(message.id);
        return;
      case 'malformed':
        this.failAndStop(message.id, message.error);
        return;
      case 'unknown':
        // Ignored on purpose, so that a message AppSync adds one day cannot break every deployed client.
        this.ignored(message.original);
        return;
      case 'error': {
        const id = message.id;
        if (id === undefined) {
          this.connectionLevelError(message.errors);
          return;
        }
        if (isInvalidation(message.errors)) {
          // Server-side invalidation (extensions.invalidateSubscriptions): over, never restarted.
          this.completed(id);
          return;
        }
        this.failed(
          id,
          new TransportQueryError(`The server rejected subscription ${id}: ${summarizeErrors(message.errors)}.`, {
            errors: message.errors,
            queryId: id,
          }),
        );
        return;
      }
      default:
        // A second connection_ack carries nothing new.
        return;
    }
  }

  override toString(): string {
    return `AppSyncWebsocketsTransport { url: ${JSON.stringify(this.endpoints.httpUrl)}, state: ${this.state} }`;
  }
}

/** The params of a subscription: its `payload.data`, wrapped only when it has an auth of its own. */
function withAuth(data: string | Promise<string>, auth: AppSyncAuthentication | undefined): GraphQLParams {
  return auth === undefined ? data : { data, auth: checkAuth(auth) as AppSyncAuthentication };
}

function isInvalidation(errors: readonly GraphQLErrorLike[]): boolean {
  return errors.length > 0 && errors.every((e) => e.message === 'Subscription complete.');
}
