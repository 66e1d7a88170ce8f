/**
 * Start the local AppSync, subscribe through the library with an API key, publish a few
 * messages and print what arrives. (`npm start` runs the CLI's `demo`, which does the same with
 * mutations sent over HTTP.)
 *
 *   node examples/subscribe-local.mjs     # after `npm run build` in a clone
 *
 * It imports the package by name, as your app would: in a clone, Node resolves
 * `appsync-websockets` to this package itself (its `exports`, i.e. dist/).
 */
import { AppSyncApiKeyAuthentication, AppSyncWebsocketsTransport } from 'appsync-websockets';
import { startLocalAppSync } from 'appsync-websockets/testing';

const apiKey = 'da2-local-example-key';
const server = await startLocalAppSync({ auth: { apiKeys: [apiKey] } });
console.log(`local AppSync listening on ${server.url} (real-time: ${server.realtimeUrl})`);

const transport = new AppSyncWebsocketsTransport({
  url: server.url,
  auth: new AppSyncApiKeyAuthentication({ apiKey }),
});
transport.on('connected', ({ ack }) => console.log(`connected, ack ${JSON.stringify(ack)}`));
await transport.connect();

const subscription = transport.subscribe('subscription OnCreateMessage { onCreateMessage { id text } }');
await subscription.started; // acknowledged by the server (start_ack): live from now on

const texts = ['hello', 'from', 'the local AppSync'];
texts.forEach((text, i) => server.realtime.publish('onCreateMessage', { id: String(i + 1), text }));

let received = 0;
for await (const result of subscription) {
  console.log(JSON.stringify(result));
  if (++received === texts.length) break; // sends stop
}
await transport.close();
await server.close();
console.log(`received ${received} results; closed cleanly`);
