/**
 * One GraphQL operation through a `Client`, pushed to callbacks, whatever its type: a
 * subscription over the WebSocket, a query or mutation over HTTP. What the framework adapters
 * (Apollo's link, the graphql-ws-shaped client) share, so that they behave alike.
 */
import type { DocumentNode, ExecutionResult } from 'graphql';
import type { AppSyncAuthentication } from '../auth/types.js';
import { TransportQueryError } from '../errors.js';
import { operationTypeOf } from '../transport/document.js';
import { reportLater } from '../transport/emitter.js';
import type { Client } from './client.js';

/** Where the results go; after `error` or `complete`, nothing more. */
export interface OperationSink {
  next(result: ExecutionResult): void;
  error(error: unknown): void;
  complete(): void;
}

export interface OperationRequest {
  document: string | DocumentNode;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  /** Overrides the Client's auth for this operation. */
  auth?: AppSyncAuthentication | undefined;
  /** Subscriptions: acknowledged by the server (live). */
  onStarted?: () => void;
  /** Subscriptions: started again after a reconnect (AppSync replays nothing: re-query). */
  onResubscribed?: () => void;
}

/**
 * Runs `request` and pushes to `sink`: every result, then `complete()`; or `error(e)` with the
 * typed error of a transport failure. GraphQL errors of a query or mutation arrive as a result
 * with `errors` (and partial `data`), as GraphQL clients expect. Returns the function that stops
 * it: a subscription sends `stop` at once, a request is aborted; the sink hears nothing after.
 */
export function runOperation(client: Client, request: OperationRequest, sink: OperationSink): () => void {
  let open = true;
  // The framework's callbacks: one that throws is its bug, reported, and the operation goes on to its end.
  const tell = (call: () => void): void => {
    try {
      call();
    } catch (error) {
      reportLater(error);
    }
  };
  const close = (): boolean => {
    const was = open;
    open = false;
    return was;
  };
  const fail = (error: unknown): void => {
    if (close()) tell(() => sink.error(error));
  };
  const variableValues = request.variables ?? undefined;
  const operationName = request.operationName ?? undefined;
  let type: string;
  try {
    type = operationTypeOf(request.document, operationName);
  } catch (error) {
    fail(error);
    return () => void close();
  }
  if (type === 'subscription') {
    let stop: () => void;
    try {
      // Callbacks, not an iterator: no promise per result on the way to the framework.
      stop = client.observe(
        request.document,
        {
          next: (result) => {
            if (open) tell(() => sink.next(result));
          },
          error: fail,
          complete: () => {
            if (close()) tell(() => sink.complete());
          },
        },
        { variableValues, operationName, auth: request.auth, onStarted: request.onStarted, onResubscribed: request.onResubscribed },
      );
    } catch (error) {
      fail(error);
      return () => void close();
    }
    return () => {
      if (close()) stop();
    };
  }
  const controller = new AbortController();
  client
    .execute(request.document, { variableValues, operationName, auth: request.auth, signal: controller.signal })
    .then(
      (result) => {
        if (!open) return;
        tell(() => sink.next(result));
        if (close()) tell(() => sink.complete());
      },
      (error: unknown) => {
        if (!open) return;
        if (error instanceof TransportQueryError) {
          const result = { data: (error.data ?? null) as ExecutionResult['data'], errors: error.errors as unknown as ExecutionResult['errors'], ...(error.extensions ? { extensions: error.extensions } : {}) };
          tell(() => sink.next(result));
          if (close()) tell(() => sink.complete());
          return;
        }
        fail(error);
      },
    );
  return () => {
    if (close()) controller.abort();
  };
}
