/**
 * The three clients behind one small interface, so that every measurement runs the same code
 * around them: `connect()`, `subscribe(onData) → unsubscribe`, `close()`.
 *
 * - raw: the floor. `ws` + JSON.parse + a Map from id to handler; no validation, no timers.
 * - ours: appsync-websockets as a user writes it (`for await` over `subscribe()`), imported from
 *   the built library (dist/src/index.js, or BENCH_LIB).
 * - ours-observe: appsync-websockets with callbacks: `transport.observe(QUERY, { next, error })`,
 *   unsubscribe = the function it returns. No promise per result and no consumer frame per
 *   subscription, like raw's and Amplify's callbacks.
 * - ours-then: the iterator read with a `next().then(…)` chain instead of an async function
 *   (heap only: what the iterator costs without the consumer's suspended async function).
 * - apollo-appsync-link / apollo-legacy-link: Apollo Client 4 with `AppSyncLink` (the library's,
 *   with the root's Apollo, as an app resolves it) or with `aws-appsync-subscription-link` 4.x
 *   (this folder's Apollo, the same version), `client.subscribe()` without the cache.
 * - amplify: AWS Amplify JS v6, `generateClient().graphql({ query }).subscribe()` with API-key
 *   auth. Amplify needs a global WebSocket on Node 20, so `ws`'s is installed; Amplify always
 *   turns the endpoint into `wss://`, so that global rewrites `wss:` to `ws:` (the blast server
 *   speaks plain ws, like for the other two clients: no TLS cost in anyone's numbers).
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { QUERY } from './payload.mjs';

export const API_KEY = 'da2-benchmarkbenchmarkbenchmark';
/** Compared in every round of the CPU and latency sections, in this order. */
export const KINDS = ['raw', 'ours', 'ours-observe', 'amplify'];

export function libraryUrl() {
  return process.env.BENCH_LIB
    ? pathToFileURL(process.env.BENCH_LIB).href
    : new URL('../../dist/src/index.js', import.meta.url).href;
}

export async function makeClient(kind, port) {
  const url = `http://127.0.0.1:${port}/graphql`;
  if (kind === 'raw') return rawClient(port);
  if (kind === 'ours') return oursClient(url, 'for-await');
  if (kind === 'ours-then') return oursClient(url, 'then');
  if (kind === 'ours-observe') return oursClient(url, 'observe');
  if (kind === 'amplify') return amplifyClient(url);
  if (kind === 'apollo-appsync-link') return apolloClient('ours', url);
  if (kind === 'apollo-legacy-link') return apolloClient('legacy', url);
  throw new Error(`unknown client ${kind}`);
}

function rawClient(port) {
  const auth = { host: `127.0.0.1:${port}`, 'x-api-key': API_KEY };
  const header = Buffer.from(JSON.stringify(auth)).toString('base64');
  const handlers = new Map();
  let socket;
  return {
    connect() {
      return new Promise((resolve, reject) => {
        socket = new WebSocket(`ws://127.0.0.1:${port}/graphql/realtime?header=${encodeURIComponent(header)}&payload=e30=`, ['graphql-ws']);
        socket.on('open', () => socket.send('{"type":"connection_init"}'));
        socket.on('error', reject);
        socket.on('message', (data) => {
          const message = JSON.parse(data.toString());
          if (message.type === 'data') handlers.get(message.id)?.(message.payload);
          else if (message.type === 'connection_ack') resolve();
        });
      });
    },
    subscribe(onData) {
      const id = randomUUID();
      handlers.set(id, onData);
      socket.send(JSON.stringify({ id, type: 'start', payload: { data: JSON.stringify({ query: QUERY }), extensions: { authorization: auth } } }));
      return () => {
        handlers.delete(id);
        socket.send(JSON.stringify({ type: 'stop', id }));
      };
    },
    close() {
      return new Promise((resolve) => {
        socket.once('close', resolve);
        socket.close(1000);
      });
    },
  };
}

async function oursClient(url, consumer) {
  const { AppSyncWebsocketsTransport, AppSyncApiKeyAuthentication } = await import(libraryUrl());
  const transport = new AppSyncWebsocketsTransport({ url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }) });
  return {
    connect: () => transport.connect(),
    subscribe(onData) {
      if (consumer === 'observe') return transport.observe(QUERY, { next: onData, error: () => {} });
      const results = transport.subscribe(QUERY);
      if (consumer === 'then') {
        const pump = () =>
          results.next().then(
            (r) => {
              if (r.done) return;
              onData(r.value);
              pump();
            },
            () => {},
          );
        pump();
        return () => void results.return();
      }
      void (async () => {
        try {
          for await (const result of results) onData(result);
        } catch {
          /* closed */
        }
      })();
      return () => void results.return();
    },
    close: () => transport.close(),
  };
}

async function amplifyClient(url) {
  globalThis.WebSocket = class extends WebSocket {
    constructor(address, protocols, options) {
      super(String(address).replace(/^wss:/, 'ws:'), protocols, options);
    }
  };
  const [{ Amplify }, { generateClient }, { Hub }] = await Promise.all([
    import('aws-amplify'),
    import('aws-amplify/api'),
    import('aws-amplify/utils'),
  ]);
  let state = 'Disconnected';
  const stateWaiters = [];
  Hub.listen('api', ({ payload }) => {
    if (payload.event !== 'ConnectionStateChange') return;
    state = payload.data.connectionState;
    for (const waiter of stateWaiters.splice(0)) waiter();
  });
  Amplify.configure({
    API: { GraphQL: { endpoint: url, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey: API_KEY } },
  });
  const client = generateClient();
  const subscriptions = new Set();
  return {
    // Amplify opens its socket on the first subscribe.
    async connect() {},
    subscribe: tracked(subscriptions, (onData) => client.graphql({ query: QUERY }).subscribe({ next: onData, error: () => {} })),
    /** Amplify closes its socket 1 s after the last unsubscribe; waits for that (at most 5 s). */
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      subscriptions.clear();
      const deadline = Date.now() + 5000;
      while (state !== 'Disconnected' && Date.now() < deadline) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 100);
          stateWaiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
    },
  };
}

async function apolloClient(which, url) {
  let apollo;
  let link;
  if (which === 'ours') {
    apollo = await import(new URL('../../node_modules/@apollo/client/core/index.js', import.meta.url).href);
    const { AppSyncLink } = await import(new URL('apollo/index.js', libraryUrl()).href);
    const { AppSyncApiKeyAuthentication } = await import(libraryUrl());
    link = new AppSyncLink({ url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }) });
  } else {
    // The legacy link needs a global WebSocket (Node 20 has none).
    globalThis.WebSocket ??= WebSocket;
    apollo = await import('@apollo/client/core/index.js');
    const { createSubscriptionHandshakeLink } = await import('aws-appsync-subscription-link');
    link = createSubscriptionHandshakeLink({ url, region: 'us-east-1', auth: { type: 'API_KEY', apiKey: API_KEY } });
  }
  const client = new apollo.ApolloClient({ link, cache: new apollo.InMemoryCache() });
  const query = apollo.gql(QUERY);
  const subscriptions = new Set();
  return {
    async connect() {},
    subscribe: tracked(subscriptions, (onData) => client.subscribe({ query, fetchPolicy: 'no-cache' }).subscribe({ next: onData, error: () => {} })),
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
      await link.client?.close();
    },
  };
}

/** `subscribe(onData) → unsubscribe` over an observable-style `start(onData)`, its subscriptions kept in `set` for close(). */
function tracked(set, start) {
  return (onData) => {
    const subscription = start(onData);
    set.add(subscription);
    return () => {
      set.delete(subscription);
      subscription.unsubscribe();
    };
  };
}
