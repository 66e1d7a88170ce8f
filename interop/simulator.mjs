/**
 * The independent server: `@aws-amplify/amplify-appsync-simulator` (the engine of
 * `amplify mock api`), started in-process with a small chat schema and API-key auth.
 *
 * Three things are patched here, in the harness, never in the library (see README.md):
 * 1. It listens on every interface, on a port it picks from 8900-9999 (`get-port`); we make it
 *    listen on 127.0.0.1 and a free port (0) instead, and read the port back from the server.
 * 2. It starts two keep-alive intervals per connection (`setupPing` is called twice in
 *    `onConnectionInit`) and clears only the second when the socket closes; the first keeps the
 *    process alive for ever. `setupPing` is made idempotent.
 * 3. `stop()` does not close kept-alive HTTP connections (our `fetch` mutations); they are
 *    closed so the test process can exit.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { API_KEY, SCHEMA } from './chat.mjs';

export { API_KEY, ON_CREATE, SCHEMA } from './chat.mjs';

const require = createRequire(import.meta.url);
const { AmplifyAppSyncSimulator } = require('@aws-amplify/amplify-appsync-simulator');

/** The library under test: ../dist (after the root build), or INTEROP_LIB. */
export function loadLibrary() {
  const url = process.env.INTEROP_LIB
    ? pathToFileURL(process.env.INTEROP_LIB).href
    : new URL('../dist/src/index.js', import.meta.url).href;
  return import(url);
}

export async function startSimulator() {
  const simulator = new AmplifyAppSyncSimulator({ port: 0 });
  simulator.init({
    schema: { content: SCHEMA },
    appSync: {
      name: 'interop',
      apiKey: API_KEY,
      defaultAuthenticationType: { authenticationType: 'API_KEY' },
      additionalAuthenticationProviders: [],
    },
    dataSources: [{ name: 'none', type: 'NONE' }],
    resolvers: [
      {
        kind: 'UNIT',
        typeName: 'Mutation',
        fieldName: 'createMessage',
        dataSourceName: 'none',
        requestMappingTemplate: '{"version":"2018-05-29","payload": $util.toJson($ctx.args.input)}',
        responseMappingTemplate: '$util.toJson($ctx.result)',
      },
    ],
  });
  const http = simulator._server._httpServer;
  const listen = http.listen.bind(http);
  http.listen = () => listen(0, '127.0.0.1'); // patch 1
  const realtime = simulator._server._realTimeSubscriptionServer.realtimeServer;
  const setupPing = realtime.setupPing;
  realtime.setupPing = (context) => {
    if (!context.pingIntervalHandle) setupPing(context); // patch 2
  };
  await simulator.start();
  const { port } = http.address();
  const url = `http://127.0.0.1:${port}/graphql`;

  return {
    simulator,
    url,
    host: `127.0.0.1:${port}`,
    realtimeUrl: `ws://127.0.0.1:${port}/graphql/realtime`,
    /** The simulator's live connections (its own bookkeeping). */
    connections: () => [...realtime.connections],
    /** Live subscriptions over every connection, as the simulator counts them. */
    subscriptionCount: () => [...realtime.connections].reduce((n, c) => n + c.subscriptions.size, 0),
    /** Runs a mutation over HTTP, as an app would: plain fetch with x-api-key. */
    async createMessage(input) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify({
          query: 'mutation Create($input: CreateMessageInput!) { createMessage(input: $input) { id room text } }',
          variables: { input },
        }),
      });
      const body = await response.json();
      if (response.status !== 200 || body.errors) throw new Error(`mutation failed: ${response.status} ${JSON.stringify(body)}`);
      return body.data.createMessage;
    },
    async stop() {
      await simulator.stop();
      http.closeAllConnections(); // patch 3
      await new Promise((resolve) => (http.listening ? http.close(() => resolve()) : resolve()));
    },
  };
}

/** Polls `condition` every 5 ms; fails after `timeoutMs` with `what`. */
export async function waitFor(condition, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
