/**
 * The GraphQL clients AppSync apps use, for real, against the local AppSync: Apollo Client 4
 * with `AppSyncLink` (and Apollo 3 in a fixture of its own, below), and graphql-ws's published
 * recipes over `createClient` from `appsync-websockets/graphql-ws`: Apollo's `GraphQLWsLink`,
 * urql's `subscriptionExchange`, Relay's `Network.create` and GraphiQL's fetcher.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { ApolloClient, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions/index.js';
import { Client as UrqlClient, fetchExchange, subscriptionExchange } from '@urql/core';
import { Environment, Network, Observable as RelayObservable, RecordSource, Store, requestSubscription, type ConcreteRequest } from 'relay-runtime';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { parse } from 'graphql';
import type { Client as GraphQLWsClientType } from 'graphql-ws';
import {
  AppSyncApiKeyAuthentication,
  AppSyncIAMAuthentication,
  TransportServerError,
} from '../src/index.js';
import { AppSyncLink } from '../src/apollo/index.js';
import { createClient } from '../src/graphql-ws/index.js';
import { CHAT_SCHEMA, type LocalAppSync } from '../src/testing/index.js';
import { API_KEY, framesOfType, localServer, nextEvent, until } from './helpers.js';

const ON_CREATE = gql`
  subscription OnCreate($room: String) {
    onCreateMessage(room: $room) {
      id
      room
      text
    }
  }
`;
const CREATE = gql`
  mutation Create($room: String!, $text: String!) {
    createMessage(room: $room, text: $text) {
      id
      room
      text
    }
  }
`;
const SUBSCRIPTION_TEXT = 'subscription OnCreate($room: String) { onCreateMessage(room: $room) { id room text } }';

const IAM = { accessKeyId: 'AKIAFRAMEWORKS000001', secretAccessKey: 'frameworks-SECRET-key' };

async function chatServer(t: TestContext): Promise<LocalAppSync> {
  return localServer(t, { schema: CHAT_SCHEMA, auth: { apiKeys: [API_KEY], iam: { credentials: { [IAM.accessKeyId]: { secretAccessKey: IAM.secretAccessKey } } } } });
}

/** Collects what an observable-like delivers. */
function collect<T>(subscribe: (observer: { next(value: T): void; error(error: unknown): void; complete(): void }) => { unsubscribe(): void }) {
  const values: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const subscription = subscribe({ next: (v) => values.push(v), error: (e) => errors.push(e), complete: () => (completed = true) });
  return { values, errors, completed: () => completed, unsubscribe: () => subscription.unsubscribe() };
}

test('Apollo Client 4 + AppSyncLink: mutate over HTTP, subscribe over the WebSocket, survive a drop, unsubscribe sends stop', async (t) => {
  const server = await chatServer(t);
  let resubscribed = 0;
  const link = new AppSyncLink({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: { baseDelayMs: 1, maxDelayMs: 2 }, onResubscribed: () => resubscribed++ });
  t.after(() => link.client.close());
  const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
  const seen = collect<{ data?: { onCreateMessage?: { text: string } } }>((o) => apollo.subscribe({ query: ON_CREATE, variables: { room: "lobby" } }).subscribe(o as never));
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  await until(() => link.client.sockets[0]?.transport.state === 'connected');
  const mutated = await apollo.mutate({ mutation: CREATE, variables: { room: 'lobby', text: 'hello' } });
  assert.equal((mutated.data as { createMessage: { text: string } }).createMessage.text, 'hello');
  await until(() => seen.values.length === 1);
  assert.equal(seen.values[0]?.data?.onCreateMessage?.text, 'hello');

  server.realtime.dropConnections();
  await until(() => resubscribed === 1);
  await apollo.mutate({ mutation: CREATE, variables: { room: 'lobby', text: 'after the drop' } });
  await until(() => seen.values.length === 2);
  assert.equal(seen.values[1]?.data?.onCreateMessage?.text, 'after the drop');
  assert.deepEqual(seen.errors, []);

  seen.unsubscribe();
  await server.realtime.waitFor(() => framesOfType(server, 'stop').length === 1 && server.realtime.subscriptions.length === 0);
});

test('Apollo Client 4 + AppSyncLink: GraphQL errors are results with errors; transport failures are typed errors; per-operation auth (IAM) from the context', async (t) => {
  const server = await chatServer(t);
  const link = new AppSyncLink({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: 'da2-wrong' }), retry: false });
  t.after(() => link.client.close());
  const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
  const iam = new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: IAM });
  const created = await apollo.mutate({ mutation: CREATE, variables: { room: 'iam', text: 'signed' }, context: { appSyncAuth: iam } });
  assert.equal((created.data as { createMessage: { room: string } }).createMessage.room, 'iam');
  const failed = await apollo.query({ query: gql`query { getMessage(id: "nope") { id nope } }`, context: { appSyncAuth: iam }, errorPolicy: 'all' });
  assert.ok((failed.error ?? (failed as { errors?: unknown[] }).errors) !== undefined, 'the GraphQL error reaches Apollo as a result');
  // Apollo 4 delivers a subscription's failure as a result with `error` (Apollo 3: to `error`).
  const refused = collect<{ error?: unknown }>((o) => apollo.subscribe({ query: ON_CREATE }).subscribe(o as never));
  await until(() => refused.errors.length + refused.values.filter((v) => v.error !== undefined).length === 1);
  const error = (refused.errors[0] ?? refused.values.find((v) => v.error !== undefined)?.error) as Error & { cause?: unknown };
  const typed = error instanceof TransportServerError ? error : (error as { networkError?: unknown; cause?: unknown }).networkError ?? error.cause;
  assert.ok(typed instanceof TransportServerError, `got ${String(error)}`);
  assert.ok(!String(error).includes('da2-wrong'));
});

test('Apollo Client 4 + AppSyncLink: refetchActiveQueries refetches the active queries once after a resubscription', async (t) => {
  const server = await chatServer(t);
  let listed = 0;
  const countingFetch: typeof fetch = (input, init) => {
    if (String(init?.body).includes('listMessages')) listed++;
    return fetch(input, init);
  };
  const link = new AppSyncLink({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: { baseDelayMs: 1, maxDelayMs: 2 }, refetchActiveQueries: true, fetch: countingFetch as never });
  t.after(() => link.client.close());
  const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
  const list = gql`query { listMessages { id } }`;
  const watched = collect<unknown>((o) => apollo.watchQuery({ query: list, fetchPolicy: 'network-only' }).subscribe(o));
  const subscriptions = ['a', 'b'].map((room) => collect<unknown>((o) => apollo.subscribe({ query: ON_CREATE, variables: { room } }).subscribe(o as never)));
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 2);
  const queries = (): number => listed;
  await until(() => queries() === 1);
  server.realtime.dropConnections();
  await until(() => queries() === 2);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(queries(), 2, 'one refetch for both subscriptions');
  watched.unsubscribe();
  for (const s of subscriptions) s.unsubscribe();
});

test('graphql-ws recipes over createClient: GraphQLWsLink (Apollo 4), urql subscriptionExchange, Relay Network, GraphiQL fetcher', async (t) => {
  const server = await chatServer(t);
  const wsClient = createClient({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  t.after(() => wsClient.dispose());
  // The shape graphql-ws's own recipes type against.
  const typed: Pick<GraphQLWsClientType, 'subscribe' | 'iterate' | 'dispose' | 'terminate'> = wsClient as never;
  assert.equal(typeof typed.subscribe, 'function');
  const events: string[] = [];
  wsClient.on('connecting', (isRetry) => events.push(`connecting ${isRetry}`));
  wsClient.on('connected', (_socket, payload) => events.push(`connected ${JSON.stringify(payload)}`));
  const publish = async (room: string, text: string): Promise<void> => {
    await server.mutate(`mutation { createMessage(room: "${room}", text: "${text}") { id room text } }`);
  };
  const waitFor = async (count: number): Promise<void> => server.realtime.waitFor(() => server.realtime.subscriptions.length === count);

  // Apollo's GraphQLWsLink.
  const apollo = new ApolloClient({ link: new GraphQLWsLink(wsClient as never), cache: new InMemoryCache() });
  const viaApollo = collect<{ data?: { onCreateMessage?: { text: string } } }>((o) => apollo.subscribe({ query: ON_CREATE, variables: { room: "apollo" } }).subscribe(o as never));
  // urql.
  const urql = new UrqlClient({
    url: server.url,
    exchanges: [subscriptionExchange({ forwardSubscription: (request) => ({ subscribe: (sink) => ({ unsubscribe: wsClient.subscribe(request as never, sink as never) }) }) }), fetchExchange],
  });
  const viaUrql: string[] = [];
  const urqlSubscription = urql.subscription(SUBSCRIPTION_TEXT, { room: 'urql' }).subscribe((result) => {
    const text = (result.data as { onCreateMessage?: { text: string } } | undefined)?.onCreateMessage?.text;
    if (text) viaUrql.push(text);
  });
  // Relay: the network layer's subscribe function of graphql-ws's recipe, in an Environment.
  const environment = new Environment({
    network: Network.create(
      () => RelayObservable.from(Promise.reject(new Error('no queries in this test'))),
      (operation, variables) =>
        RelayObservable.create((sink) => wsClient.subscribe({ operationName: operation.name, query: operation.text ?? '', variables }, sink as never)),
    ),
    store: new Store(new RecordSource()),
  });
  const viaRelay: string[] = [];
  const relayDisposable = requestSubscription(environment, {
    subscription: RELAY_SUBSCRIPTION,
    variables: { room: 'relay' },
    onNext: (response) => {
      const text = (response as { onCreateMessage?: { text: string } } | null)?.onCreateMessage?.text;
      if (text) viaRelay.push(text);
    },
  });
  // GraphiQL.
  const fetcher = createGraphiQLFetcher({ url: server.url, wsClient: wsClient as never, fetch });
  const viaGraphiQL = (await fetcher({ query: SUBSCRIPTION_TEXT, variables: { room: 'graphiql' }, operationName: 'OnCreate' }, { documentAST: parse(SUBSCRIPTION_TEXT) } as never)) as AsyncIterableIterator<{ data?: { onCreateMessage?: { text: string } } }>;
  const graphiqlFirst = viaGraphiQL.next();

  await waitFor(4);
  for (const room of ['apollo', 'urql', 'relay', 'graphiql']) await publish(room, `to ${room}`);
  await until(() => viaApollo.values.length === 1 && viaUrql.length === 1 && viaRelay.length === 1);
  assert.equal(viaApollo.values[0]?.data?.onCreateMessage?.text, 'to apollo');
  assert.deepEqual(viaUrql, ['to urql']);
  assert.deepEqual(viaRelay, ['to relay']);
  assert.equal((await graphiqlFirst).value?.data?.onCreateMessage?.text, 'to graphiql');
  assert.deepEqual(events, [`connecting false`, `connected ${JSON.stringify({ connectionTimeoutMs: 300000 })}`]);

  viaApollo.unsubscribe();
  urqlSubscription.unsubscribe();
  relayDisposable.dispose();
  await viaGraphiQL.return?.();
  await waitFor(0);

  // Queries and mutations go over HTTP, one result each.
  const results: unknown[] = [];
  await new Promise<void>((resolve, reject) =>
    wsClient.subscribe({ query: 'mutation { createMessage(room: "x", text: "http") { text } }' }, { next: (r) => results.push(r), error: reject, complete: resolve }),
  );
  assert.deepEqual(results, [{ data: { createMessage: { text: 'http' } } }]);
  for await (const result of wsClient.iterate({ query: 'query { listMessages { text } }' })) assert.ok(Array.isArray((result.data as { listMessages: unknown[] }).listMessages));
});

/** What relay-compiler emits for `subscription OnCreate($room: String) { onCreateMessage(room: $room) { id room text } }`. */
const RELAY_SUBSCRIPTION: ConcreteRequest = (() => {
  const args = [{ kind: 'Variable', name: 'room', variableName: 'room' }];
  const selections = [
    {
      alias: null,
      args,
      concreteType: 'Message',
      kind: 'LinkedField',
      name: 'onCreateMessage',
      plural: false,
      selections: ['id', 'room', 'text'].map((name) => ({ alias: null, args: null, kind: 'ScalarField', name, storageKey: null })),
      storageKey: null,
    },
  ];
  const argumentDefinitions = [{ defaultValue: null, kind: 'LocalArgument', name: 'room' }];
  return {
    fragment: { argumentDefinitions, kind: 'Fragment', metadata: null, name: 'OnCreate', selections, type: 'Subscription', abstractKey: null },
    kind: 'Request',
    operation: { argumentDefinitions, kind: 'Operation', name: 'OnCreate', selections },
    params: { cacheID: 'on-create', id: null, metadata: {}, name: 'OnCreate', operationKind: 'subscription', text: SUBSCRIPTION_TEXT },
  } as unknown as ConcreteRequest;
})();
