/**
 * The `Client` against the local AppSync with the bundled chat schema: a subscription, then a
 * mutation over HTTP that the subscription receives (`@aws_subscribe`), and a typo caught
 * locally by the schema before anything is sent.
 *
 *   node examples/mutation-to-subscription.mjs     # after `npm run build` in a clone
 */
import { AppSyncApiKeyAuthentication, Client, TransportDocumentError } from 'appsync-websockets';
import { CHAT_SCHEMA, startLocalAppSync } from 'appsync-websockets/testing';

const apiKey = 'da2-local-example-key';
// `schema` makes the server run queries and mutations and feed @aws_subscribe subscriptions.
const server = await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { apiKeys: [apiKey] } });
const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey }), schema: CHAT_SCHEMA });

const messages = client.subscribe('subscription { onCreateMessage(room: "lobby") { id room text } }');
const first = messages.next();
// Live once AppSync acknowledges it (start_ack): the mutation below reaches it. A subscription
// receives only what the mutation selects (AppSync's rule): select what the subscriber reads.
await messages.started;
await client.execute('mutation { createMessage(room: "lobby", text: "hello") { id room text } }');
console.log(JSON.stringify((await first).value));
await messages.return();

try {
  await client.execute('{ listMesages { id } }');
} catch (error) {
  if (!(error instanceof TransportDocumentError)) throw error;
  console.log(`caught before sending: ${error.message}`);
}
await client.close();
await server.close();
