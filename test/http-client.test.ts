/** AppSyncHttpTransport and Client against the local AppSync (chat schema), over real HTTP and WebSockets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'graphql';
import {
  AppSyncApiKeyAuthentication,
  AppSyncEventsClient,
  AppSyncHttpTransport,
  AppSyncIAMAuthentication,
  AppSyncJWTAuthentication,
  AppSyncLambdaAuthentication,
  Client,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportDocumentError,
  TransportProtocolError,
  TransportQueryError,
  TransportServerError,
  TransportTimeoutError,
  TransportUnsupportedOperation,
  type AppSyncAuthentication,
  type TypedDocumentNode,
} from '../src/index.js';
import { CHAT_SCHEMA, buildAppSyncSchema, type LocalAuthOptions } from '../src/testing/index.js';
import { API_KEY, localServer, nextEvent, take, until } from './helpers.js';

const CREATE = 'mutation Create($room: String!, $text: String!) { createMessage(room: $room, text: $text) { id room text createdAt } }';
const ON_CREATE = 'subscription OnCreate($room: String) { onCreateMessage(room: $room) { id text } }';
const IAM = { accessKeyId: 'AKIDLOCALHTTP0000001', secretAccessKey: 'http-SECRET-access-key', sessionToken: 'http-SESSION-token-SECRET' };

test('HTTP: a mutation echoes its arguments with id and createdAt; a query reads the store', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const http = new AppSyncHttpTransport({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }) });
  const created = await http.execute<{ createMessage: { id: string; room: string; text: string; createdAt: string } }>(CREATE, {
    variableValues: { room: 'lobby', text: 'hi' },
  });
  const message = created.data?.createMessage;
  assert.equal(message?.room, 'lobby');
  assert.equal(message?.text, 'hi');
  assert.match(message?.id ?? '', /.+/);
  assert.ok(!Number.isNaN(Date.parse(message?.createdAt ?? '')));
  const read = await http.execute(parse('query Get($id: ID!) { getMessage(id: $id) { id text } }'), { variableValues: { id: message?.id } });
  assert.deepEqual(read.data, { getMessage: { id: message?.id, text: 'hi' } });
});

const AUTH_CASES: Array<[string, LocalAuthOptions, AppSyncAuthentication]> = [
  ['API key', { apiKeys: [API_KEY] }, new AppSyncApiKeyAuthentication({ apiKey: API_KEY })],
  ['JWT', { jwt: ['jwt-SECRET-token'] }, new AppSyncJWTAuthentication({ jwt: async () => 'jwt-SECRET-token' })],
  ['Lambda', { lambda: (token: string) => token === 'lambda-SECRET' }, new AppSyncLambdaAuthentication({ token: 'lambda-SECRET' })],
  ['IAM', { iam: { credentials: { [IAM.accessKeyId]: IAM } } }, new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: IAM })],
];
for (const [mode, serverAuth, clientAuth] of AUTH_CASES) {
  test(`HTTP with ${mode} auth: accepted, and refused with a typed 401 when wrong`, async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA, auth: serverAuth });
    const http = new AppSyncHttpTransport({ url: server.url, auth: clientAuth });
    const ok = await http.execute(CREATE, { variableValues: { room: 'r', text: mode } });
    assert.equal((ok.data as { createMessage: { text: string } }).createMessage.text, mode);
    const wrong = new AppSyncHttpTransport({
      url: server.url,
      auth:
        mode === 'IAM'
          ? new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { ...IAM, secretAccessKey: 'WRONG-SECRET' } })
          : new AppSyncApiKeyAuthentication({ apiKey: 'da2-WRONG-SECRET' }),
    });
    await assert.rejects(wrong.execute(CREATE, { variableValues: { room: 'r', text: 'x' } }), (e: unknown) => {
      assert.ok(e instanceof TransportServerError);
      assert.equal(e.statusCode, 401);
      assert.match(e.message, /answered with HTTP 401: UnauthorizedException: .*[^.]\. Check the credentials/);
      assert.ok(!e.message.includes('SECRET'));
      return true;
    });
  });
}

test('HTTP: GraphQL errors → TransportQueryError; subscriptions refused; bad answers typed', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const http = new AppSyncHttpTransport({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }) });
  await assert.rejects(http.execute('query { nope }'), (e: unknown) => {
    assert.ok(e instanceof TransportQueryError);
    assert.match(e.message, /^The server answered with GraphQL errors: .*nope/);
    assert.equal(e.data, null);
    return true;
  });
  assert.throws(() => http.subscribe(), TransportUnsupportedOperation);
  await assert.rejects(http.execute(ON_CREATE), (e: unknown) => e instanceof TransportDocumentError && /Subscriptions need the real-time endpoint/.test(e.message));
  const notJson = new AppSyncHttpTransport({
    url: server.url,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    fetch: async () => new Response('<html>proxy error</html>', { status: 200 }),
  });
  await assert.rejects(notJson.execute('query { listMessages { id } }'), (e: unknown) => e instanceof TransportProtocolError && /a body that is not JSON: "<html>proxy error<\/html>"/.test(e.message));
});

test('HTTP: network failures and timeouts are typed', async (t) => {
  const { createServer } = await import('node:http');
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  const unreachable = new AppSyncHttpTransport({ url: `http://127.0.0.1:${closedPort}/graphql`, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }) });
  await assert.rejects(unreachable.execute('query { a }'), (e: unknown) => e instanceof TransportConnectionFailed && /^Could not reach http:\/\/127\.0\.0\.1:\d+\/graphql: .*ECONNREFUSED/.test(e.message));
  const slow = createServer(() => {});
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    slow.closeAllConnections();
    slow.close();
  });
  const port = (slow.address() as { port: number }).port;
  const http = new AppSyncHttpTransport({ url: `http://127.0.0.1:${port}/graphql`, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), timeoutMs: 50 });
  await assert.rejects(http.execute('query { a }'), (e: unknown) => e instanceof TransportTimeoutError && e.phase === 'request');
  const controller = new AbortController();
  const pending = http.execute('query { a }', { signal: controller.signal });
  controller.abort(new Error('user gave up'));
  await assert.rejects(pending, /user gave up/);
});

test('Client: execute over HTTP, subscribe over a lazily opened WebSocket, mutation result delivered', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false, lazyCloseDelayMs: 20 });
  t.after(() => client.close());
  assert.equal(client.sockets.length, 0);
  const typed: TypedDocumentNode<{ onCreateMessage: { id: string; text: string } }, { room: string }> = parse(ON_CREATE);
  const subscription = client.subscribe(typed, { variableValues: { room: 'lobby' } });
  const first = subscription.next();
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  assert.equal(client.sockets.length, 1);
  await client.execute(CREATE, { variableValues: { room: 'elsewhere', text: 'filtered out' } });
  await client.execute(CREATE, { variableValues: { room: 'lobby', text: 'hello' } });
  const result = await first;
  assert.equal(result.done, false);
  assert.equal(result.value?.data?.onCreateMessage.text, 'hello');
  assert.deepEqual(Object.keys(result.value?.data?.onCreateMessage ?? {}), ['id', 'text'], 'restricted to the selection set');
  // Lazy close: the socket stays through the debounce, then closes.
  const transport = client.sockets[0]?.transport;
  await subscription.return?.();
  assert.equal(transport?.state, 'connected');
  if ((transport?.state as string) !== 'closed') await nextEvent((l) => transport?.on('closed', l) ?? (() => {}));
  assert.equal(client.sockets.length, 0);
});

test('Client: a subscription during the debounce reuses the socket', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false, lazyCloseDelayMs: 200 });
  t.after(() => client.close());
  const a = client.subscribe(ON_CREATE);
  void a.next();
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  await a.return?.();
  const b = client.subscribe(ON_CREATE);
  const next = b.next();
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1 && server.realtime.received.filter((f) => f.message?.type === 'stop').length === 1);
  await client.execute(CREATE, { variableValues: { room: 'x', text: 'same socket' } });
  assert.equal((await next).value?.data?.onCreateMessage && server.realtime.connectionCount, 1);
});

test('Client: 250 subscriptions spread over 3 sockets; MaxSubscriptionsReached moves one to another socket', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA, maxSubscriptionsPerConnection: 100 });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false, lazyCloseDelayMs: 10 });
  t.after(() => client.close());
  const iterators = Array.from({ length: 250 }, () => client.subscribe(ON_CREATE));
  const firsts = iterators.map((it) => it.next());
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 250, 10_000);
  assert.deepEqual(client.sockets.map((s) => s.subscriptions), [100, 100, 50]);
  assert.equal(server.realtime.connections.length, 3);
  await client.execute(CREATE, { variableValues: { room: 'all', text: 'fan-out' } });
  const results = await Promise.all(firsts);
  assert.ok(results.every((r) => r.value?.data?.onCreateMessage !== undefined));
  await Promise.all(iterators.map((it) => it.return?.()));
  await server.realtime.waitFor(() => server.realtime.connections.length === 0, 5000);

  // A server quota lower than ours: the server's error moves the subscription to a new socket.
  const tight = await localServer(t, { schema: CHAT_SCHEMA, maxSubscriptionsPerConnection: 2 });
  const moving = new Client({ url: tight.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  t.after(() => moving.close());
  const three = [moving.subscribe(ON_CREATE), moving.subscribe(ON_CREATE), moving.subscribe(ON_CREATE)];
  const pending = three.map((it) => it.next());
  await tight.realtime.waitFor(() => tight.realtime.subscriptions.length === 3);
  assert.equal(tight.realtime.connections.length, 2);
  await moving.execute(CREATE, { variableValues: { room: 'q', text: 'moved' } });
  assert.ok((await Promise.all(pending)).every((r) => r.value?.data?.onCreateMessage !== undefined));
});

test('Client.observe: callbacks instead of an iterator; MaxSubscriptionsReached moves it; close() completes it; a refused document goes to error()', async (t) => {
  const tight = await localServer(t, { schema: CHAT_SCHEMA, maxSubscriptionsPerConnection: 2 });
  const client = new Client({ url: tight.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false, schema: CHAT_SCHEMA });
  const received: string[] = [];
  const ended: string[] = [];
  const started: number[] = [];
  const stops = [0, 1, 2].map((i) =>
    client.observe(ON_CREATE, {
      next: (result) => received.push(`${i} ${(result.data as { onCreateMessage: { text: string } }).onCreateMessage.text}`),
      error: (error) => ended.push(`${i} error ${error.name}`),
      complete: () => ended.push(`${i} complete`),
      started: () => started.push(i),
    }),
  );
  await tight.realtime.waitFor(() => tight.realtime.subscriptions.length === 3);
  await until(() => started.length === 3);
  assert.equal(tight.realtime.connections.length, 2, 'the third moved to a second socket');
  await client.execute(CREATE, { variableValues: { room: 'q', text: 'seen' } });
  await until(() => received.length === 3);
  assert.deepEqual(received.sort(), ['0 seen', '1 seen', '2 seen']);
  stops[0]?.();
  await tight.realtime.waitFor(() => tight.realtime.subscriptions.length === 2);
  const refused = new Promise<string>((resolve) => client.observe('subscription { onCreateMessage { nope } }', { next() {}, error: (error) => resolve(error.name) }));
  assert.equal(await refused, 'TransportDocumentError');
  await client.close();
  assert.deepEqual(ended.sort(), ['1 complete', '2 complete']);
});

test('Client with a schema: documents are validated locally; the error names the field and location', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), schema: CHAT_SCHEMA, retry: false });
  t.after(() => client.close());
  await assert.rejects(client.subscribe('subscription { onCreateMessage { id nope } }').next(), (e: unknown) => {
    assert.ok(e instanceof TransportDocumentError);
    assert.equal(e.message, 'The document does not match the schema: Cannot query field "nope" on type "Message" (at line 1, column 37). Fix the document, or update the schema given to Client.');
    return true;
  });
  await assert.rejects(client.execute('query { listMessages { id } oops }'), /Cannot query field "oops" on type "Query" \(at line 1, column 29\)/);
  await assert.rejects(client.execute(ON_CREATE), /Expected a query or mutation operation, but the document's operation "OnCreate" is a subscription/);
  assert.throws(() => client.subscribe(CREATE), /Expected a subscription operation, but the document's operation "Create" is a mutation\. Send queries and mutations with execute\(\)\./);
  assert.equal(server.realtime.received.length, 0, 'nothing was sent');
  const ok = await client.execute(CREATE, { variableValues: { room: 'v', text: 'valid' } });
  assert.ok(ok.data);
  const sdl = 'type Query { now: AWSDateTime @aws_api_key @aws_iam } type Mutation { put(v: AWSJSON): AWSJSON } type Subscription { onPut: AWSJSON @aws_subscribe(mutations: ["put"]) }';
  assert.ok(buildAppSyncSchema(sdl).getType('AWSJSON'));
  assert.throws(() => new Client({ url: server.url, lazyCloseDelayMs: -1 }), /Expected lazyCloseDelayMs to be a number of milliseconds >= 0, but got -1\./);
  assert.throws(() => new Client({ url: server.url, maxSubscriptionsPerConnection: 0 }), /Expected maxSubscriptionsPerConnection to be an integer >= 1, but got 0\./);
  const broken = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), schema: 'type Query { a: Nope }' });
  await assert.rejects(broken.execute('query { a }'), (e: unknown) => e instanceof TransportConfigurationError && /Nope/.test(e.message));
});

test('Client: a subscription is refused by execute(), a mutation by subscribe()', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  t.after(() => client.close());
  await assert.rejects(client.execute(ON_CREATE), TransportDocumentError);
  assert.throws(() => client.subscribe(CREATE), TransportDocumentError);
  const all = await take(client.subscribe(ON_CREATE, { signal: AbortSignal.abort() }), 1);
  assert.deepEqual(all, []);
});

test('HTTP and Client check `auth` the same way: a plain object is refused at construction; a custom auth that throws gives TransportAuthError', async (t) => {
  const url = 'http://127.0.0.1:9/graphql';
  for (const make of [() => new AppSyncHttpTransport({ url, auth: { apiKey: 'da2-SECRET' } as never }), () => new Client({ url, auth: { apiKey: 'da2-SECRET' } as never })]) {
    assert.throws(make, (e: unknown) => e instanceof TransportConfigurationError && /but got an object with keys apiKey\.$/.test(e.message) && !e.message.includes('SECRET'));
  }
  const server = await localServer(t);
  const http = new AppSyncHttpTransport({ url: server.url, auth: { mode: 'AWS_LAMBDA', getHeaders: async () => { throw new Error('SECRET'); } } });
  await assert.rejects(http.execute('query { getMessage(id: "1") { id } }'), (e: unknown) => {
    assert.ok(e instanceof Error && e.name === 'TransportAuthError' && !e.message.includes('SECRET'), String(e));
    assert.equal(e.message, 'The auth (mode AWS_LAMBDA) could not make its headers: getHeaders() threw Error. The original error is in `cause`.');
    return true;
  });
});

test('a fetch option that is not a function is refused at construction', () => {
  for (const make of [
    () => new AppSyncHttpTransport({ url: 'http://127.0.0.1:9/graphql', auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), fetch: 5 as never }),
    () => new AppSyncEventsClient({ url: 'http://127.0.0.1:9/event', auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), fetch: 5 as never }),
  ]) {
    assert.throws(make, (e: unknown) => e instanceof TransportConfigurationError && e.message === 'Expected fetch to be a function, but got number.');
  }
});

test('HTTP and Client: null options mean none; a signal that is not an AbortSignal is refused', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const auth = new AppSyncApiKeyAuthentication({ apiKey: API_KEY });
  const http = new AppSyncHttpTransport({ url: server.url, auth });
  const query = 'query { getMessage(id: "none") { id } }';
  assert.deepEqual(await http.execute(query, null as never), { data: { getMessage: null } });
  await assert.rejects(http.execute(query, { signal: {} as never }), (e: unknown) => e instanceof TransportConfigurationError && e.message === 'Expected signal to be an AbortSignal, but got object.');
  const client = new Client({ url: server.url, auth });
  t.after(() => client.close());
  assert.deepEqual(await client.execute(query, null as never), { data: { getMessage: null } });
  const iterator = client.subscribe('subscription { onCreateMessage { id } }', null as never);
  const first = iterator.next(); // the Client opens its socket on the first read
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1, 5000);
  server.realtime.publish('onCreateMessage', { id: 'c' });
  assert.deepEqual((await first).value?.data, { onCreateMessage: { id: 'c' } });
  await iterator.return?.();
});
