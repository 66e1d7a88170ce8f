/**
 * AppSync's mutation-selection rule, over real sockets with this library's Client: a
 * subscription receives only what the triggering mutation selected. A field the mutation did
 * not select arrives as null; a non-null one gives AppSync's `Cannot return null for
 * non-nullable type` error; a subscription argument (or enhanced filter) on a field the mutation
 * did not select matches nothing. The top cause of "works locally, null in the cloud".
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppSyncApiKeyAuthentication, Client } from '../src/index.js';
import { CHAT_SCHEMA, startLocalAppSync, type LocalAppSyncOptions } from '../src/testing/index.js';

async function serve(t: TestContext, options: LocalAppSyncOptions): Promise<{ client: Client; waitForSubscriptions: (n: number) => Promise<void> }> {
  const server = await startLocalAppSync({ auth: { apiKeys: ['da2-selection'] }, ...options });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? 'da2-selection' }), retry: false });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return { client, waitForSubscriptions: (n) => server.realtime.waitFor(() => server.realtime.subscriptions.length === n) };
}

test('schema mode: a field the mutation did not select arrives as null; aliases do not matter; a non-null one is AppSync\'s error', async (t) => {
  const { client, waitForSubscriptions } = await serve(t, { schema: CHAT_SCHEMA });
  const everything = client.subscribe<{ onCreateMessage: unknown }>('subscription { onCreateMessage { id room text createdAt } }');
  await waitForSubscriptions(1);

  // The echo resolver makes a createdAt, but the mutation does not select it: the subscriber gets null.
  const made = await client.execute<{ createMessage: { id: string } }>('mutation { createMessage(room: "A", text: "hi") { id room text } }');
  const id = made.data?.createMessage.id;
  assert.deepEqual((await everything.next()).value, { data: { onCreateMessage: { id, room: 'A', text: 'hi', createdAt: null } } });

  // Aliases in the mutation are its own business: the subscriber's fields are matched by name.
  const aliased = await client.execute<{ createMessage: { key: string } }>('mutation { createMessage(room: "A", text: "aka") { key: id where: room said: text when: createdAt } }');
  const aka = (await everything.next()).value as { data: { onCreateMessage: { id: string; room: string; text: string; createdAt: string } } };
  assert.deepEqual({ ...aka.data.onCreateMessage, createdAt: typeof aka.data.onCreateMessage.createdAt }, { id: aliased.data?.createMessage.key, room: 'A', text: 'aka', createdAt: 'string' });

  // text is String!: AppSync answers the subscriber with its error, and data null (onCreateMessage is nullable).
  await client.execute('mutation { createMessage(room: "A", text: "unseen") { id room } }');
  assert.deepEqual((await everything.next()).value, {
    data: { onCreateMessage: null },
    errors: [{ path: ['onCreateMessage', 'text'], data: null, errorType: null, errorInfo: null, locations: [{ line: 1, column: 42, sourceName: null }], message: "Cannot return null for non-nullable type: 'String' within parent 'Message' (/onCreateMessage/text)" }],
  });
});

test('schema mode: a subscription argument on a field the mutation did not select matches nothing', async (t) => {
  const { client, waitForSubscriptions } = await serve(t, { schema: CHAT_SCHEMA });
  const roomA = client.subscribe<{ onCreateMessage: { text: string } }>('subscription { onCreateMessage(room: "A") { text } }');
  await waitForSubscriptions(1);
  await client.execute('mutation { createMessage(room: "A", text: "room not selected") { id text } }');
  await client.execute('mutation { createMessage(room: "A", text: "room selected") { id room text } }');
  // Frames arrive in order on one socket: the first being the second mutation means the first was not sent.
  assert.deepEqual((await roomA.next()).value, { data: { onCreateMessage: { text: 'room selected' } } });
});

test('template mode: the app\'s resolver returns every attribute, the subscriber gets only what the mutation selected', async (t) => {
  const template = fileURLToPath(new URL('../../examples/chat-app/template.yaml', import.meta.url));
  const { client, waitForSubscriptions } = await serve(t, { template, auth: undefined });
  const lobby = client.subscribe<{ onPost: unknown }>('subscription { onPost(room: "lobby") { room text priority sentAt } }');
  await waitForSubscriptions(1);
  // The resolver's filter reads room and priority, so the mutation must select them to match at all.
  await client.execute('mutation { post(room: "lobby", text: "no room", priority: 3) { text priority } }');
  await client.execute('mutation { post(room: "lobby", text: "no time", priority: 3) { room text priority } }');
  assert.deepEqual((await lobby.next()).value, {
    data: { onPost: null },
    errors: [{ path: ['onPost', 'sentAt'], data: null, errorType: null, errorInfo: null, locations: [{ line: 1, column: 59, sourceName: null }], message: "Cannot return null for non-nullable type: 'AWSDateTime' within parent 'Message' (/onPost/sentAt)" }],
  });
  await client.execute('mutation { post(room: "lobby", text: "all", priority: 3) { room text priority sentAt } }');
  const all = (await lobby.next()).value as { data: { onPost: { room: string; text: string; priority: number; sentAt: string } } };
  assert.deepEqual({ ...all.data.onPost, sentAt: typeof all.data.onPost.sentAt }, { room: 'lobby', text: 'all', priority: 3, sentAt: 'string' });
});
