// The installed package from an ES module: the app's own graphql (a GraphQLSchema it built) goes
// to the Client, a mutation over HTTP reaches a subscription over WebSocket, and a document that
// does not match the schema is refused locally, naming the field.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { buildSchema, version as graphqlVersion } from 'graphql';
import { AppSyncApiKeyAuthentication, Client, TransportDocumentError } from 'appsync-websockets';
import { CHAT_SCHEMA, startLocalAppSync } from 'appsync-websockets/testing';

// One graphql in the app: the library's peer dependency resolves to the app's copy.
const require = createRequire(import.meta.url);
const fromLibrary = require.resolve('graphql', { paths: [require.resolve('appsync-websockets/package.json')] });
assert.equal(fromLibrary, require.resolve('graphql'), 'appsync-websockets must use the app\'s graphql, not a copy of its own');

const appSchema = buildSchema(`
  directive @aws_subscribe(mutations: [String!]) on FIELD_DEFINITION
  type Message { id: ID! room: String! text: String! }
  type Query { messages: [Message] }
  type Mutation { createMessage(room: String!, text: String!): Message }
  type Subscription { onCreateMessage(room: String): Message @aws_subscribe(mutations: ["createMessage"]) }
`);

const server = await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { apiKeys: ['da2-fixture'] } });
const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: 'da2-fixture' }), schema: appSchema });
try {
  const subscription = client.subscribe('subscription { onCreateMessage(room: "lobby") { id text } }');
  const first = subscription.next();
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  // AppSync sends subscribers what the mutation selected: room (the argument filter) and text.
  await client.execute('mutation { createMessage(room: "lobby", text: "hello") { id room text } }');
  const { value } = await first;
  assert.equal(value.data.onCreateMessage.text, 'hello');
  await subscription.return();
  await assert.rejects(client.execute('{ nope }'), (error) => error instanceof TransportDocumentError && /nope/.test(error.message));
} finally {
  await client.close();
  await server.close();
}
console.log(`esm: ok (graphql ${graphqlVersion})`);
