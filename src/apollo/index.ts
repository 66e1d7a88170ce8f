/**
 * `appsync-websockets/apollo`: `AppSyncLink`, an Apollo Client link (3.8+ and 4.x) that ends the
 * chain: subscriptions over AppSync's real-time WebSocket, queries and mutations over HTTP, one
 * auth for both. It replaces `aws-appsync-auth-link` + `aws-appsync-subscription-link`, with
 * what they lack: reconnection with resubscription, readiness, typed errors. Results are made
 * with the installed Apollo's own `Observable` (zen-observable in 3, rxjs in 4); nothing of
 * Apollo is bundled.
 */
import type { DocumentNode } from 'graphql';
// The path both Apollo 3 (no `exports`: ESM needs the file) and 4 (its `./*.js` export) resolve.
import { ApolloLink, Observable } from '@apollo/client/core/index.js';
import type { AppSyncAuthentication } from '../auth/types.js';
import { Client, type ClientOptions } from '../client/client.js';
import { runOperation } from '../client/run-operation.js';
import { TransportConfigurationError } from '../errors.js';
import { checkFunction } from '../options.js';
import { reportLater } from '../transport/emitter.js';

/** What the link reads of an Apollo operation (the same in Apollo 3 and 4). */
export interface AppSyncLinkOperation {
  query: DocumentNode;
  variables?: Record<string, unknown> | undefined;
  operationName?: string | null | undefined;
  getContext(): Record<string, unknown>;
  /** Apollo 4 (in Apollo 3 it is in the context). */
  client?: unknown;
}

/** What the link calls on the Apollo client to refetch (`refetchQueries`, Apollo 3.4+ and 4). */
interface RefetchingClient {
  refetchQueries(options: { include: 'active' }): unknown;
}

export interface AppSyncLinkHooks {
  /**
   * Called when a subscription of this link was started again after a reconnect, with the Apollo
   * client and the operation. AppSync replays nothing that was published meanwhile: re-query here.
   */
  onResubscribed?: (apolloClient: unknown, operation: AppSyncLinkOperation) => void;
  /**
   * After subscriptions were resubscribed, refetch every active query of the Apollo client
   * (`client.refetchQueries({ include: 'active' })`), once per reconnect however many
   * subscriptions came back. @default false
   */
  refetchActiveQueries?: boolean;
}

/** The `Client`'s options (`url`, `auth`, `schema`, …), or `{ client }` to share one; plus the hooks. */
export type AppSyncLinkOptions = (ClientOptions | { client: Client }) & AppSyncLinkHooks;

export class AppSyncLink extends ApolloLink {
  /** The Client underneath (shared if given): close it to close the link's sockets. */
  readonly client: Client;
  readonly #onResubscribed: AppSyncLinkHooks['onResubscribed'];
  readonly #refetchActiveQueries: boolean;
  /** Apollo clients whose refetch is already queued for this reconnect. */
  readonly #refetching = new Set<unknown>();

  constructor(options: AppSyncLinkOptions) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new TransportConfigurationError(`Expected AppSyncLink options like { url, auth } or { client }, but got ${options === null ? 'null' : typeof options}.`);
    }
    const { onResubscribed, refetchActiveQueries, ...rest } = options;
    this.#onResubscribed = checkFunction('onResubscribed', onResubscribed);
    this.#refetchActiveQueries = refetchActiveQueries === true;
    this.client = 'client' in rest && rest.client instanceof Client ? rest.client : new Client(rest as ClientOptions);
  }

  /**
   * Runs `operation`: a subscription over the WebSocket (unsubscribing sends `stop` at once), a
   * query or mutation over HTTP. GraphQL errors arrive as a result with `errors`; transport
   * failures go to `error` as this library's typed errors. `operation.getContext().appSyncAuth`,
   * an auth object, overrides the link's auth for that operation.
   */
  override request(operation: AppSyncLinkOperation): ReturnType<ApolloLink['request']> {
    const context = operation.getContext();
    const apolloClient = operation.client ?? context.client;
    const auth = context.appSyncAuth as AppSyncAuthentication | undefined;
    return new Observable((observer: { next(value: unknown): void; error(error: unknown): void; complete(): void }) =>
      runOperation(
        this.client,
        {
          document: operation.query,
          variables: operation.variables,
          operationName: operation.operationName,
          auth,
          onResubscribed: () => this.#resubscribed(apolloClient, operation),
        },
        observer,
      ),
    ) as ReturnType<ApolloLink['request']>;
  }

  #resubscribed(apolloClient: unknown, operation: AppSyncLinkOperation): void {
    try {
      this.#onResubscribed?.(apolloClient, operation);
    } catch (error) {
      reportLater(error);
    }
    if (!this.#refetchActiveQueries || this.#refetching.has(apolloClient)) return;
    const client = apolloClient as Partial<RefetchingClient> | undefined;
    if (typeof client?.refetchQueries !== 'function') return;
    // Every subscription of the socket comes back in the same moment: one refetch for all.
    this.#refetching.add(apolloClient);
    setTimeout(() => {
      this.#refetching.delete(apolloClient);
      // A failed refetch reaches the queries' own error handling in Apollo; one that throws at
      // once is the app's bug, reported.
      Promise.resolve()
        .then(() => client.refetchQueries?.({ include: 'active' }))
        .catch((error: unknown) => (error instanceof Error && error.name === 'ApolloError' ? undefined : reportLater(error)));
    }, 0);
  }
}


