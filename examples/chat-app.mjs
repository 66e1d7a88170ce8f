/**
 * Run an AppSync app from its CloudFormation template (examples/chat-app/template.yaml: APPSYNC_JS
 * resolvers, a DynamoDB table, a resolver on the subscription) and drive it with the Client:
 * the subscription resolver refuses a private room and filters by priority.
 *
 *   node examples/chat-app.mjs     # after `npm run build` in a clone
 *
 * The same app from the command line: npx appsync-websockets serve --template examples/chat-app/template.yaml
 */
import { AppSyncApiKeyAuthentication, Client } from 'appsync-websockets';
import { startLocalAppSync } from 'appsync-websockets/testing';

const server = await startLocalAppSync({ template: new URL('chat-app/template.yaml', import.meta.url).pathname });
const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] }) });

// Only messages of priority 2 or more, in the lobby.
const urgent = client.subscribe('subscription { onPost(room: "lobby", minPriority: 2) { room text priority } }');
await urgent.started;
// Subscribers get what the mutation selects, and the filter reads room and priority: select them.
await client.execute('mutation { post(room: "lobby", text: "fyi", priority: 1) { id room text priority } }');
await client.execute('mutation { post(room: "lobby", text: "the build is red", priority: 3) { id room text priority } }');
const { value } = await urgent.next();
console.log(JSON.stringify(value));
await urgent.return();

// The subscription's resolver calls util.unauthorized() for private rooms.
const secret = client.subscribe('subscription { onPost(room: "private-ops") { text } }');
try {
  await secret.next();
} catch (error) {
  console.log(`refused: ${error.errors?.[0]?.errorType}: ${error.errors?.[0]?.message}`);
}

const page = await client.execute('{ messages(room: "lobby") { items { text } } }');
console.log(`stored: ${page.data.messages.items.map((m) => m.text).join(', ')}`);
await client.close();
await server.close();
