/** AppSyncWebsocketsTransport against the local AppSync, over real sockets (retry off: the core behaviour). */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { parse } from 'graphql';
import {
  AppSyncApiKeyAuthentication,
  AppSyncJWTAuthentication,
  AppSyncWebsocketsTransport,
  TransportAlreadyConnected,
  TransportClosed,
  TransportConnectionFailed,
  TransportDocumentError,
  TransportProtocolError,
  TransportQueryError,
  TransportServerError,
  TransportTimeoutError,
  TransportUnsupportedOperation,
  TransportAuthError,
  TransportConfigurationError,
  isTransportError,
  type TransportEvents,
} from '../src/index.js';
import { base64Decode } from '../src/protocol/encoding.js';
import { API_KEY, SUBSCRIPTION, errorOf, framesOfType, localServer, nextEvent, subscriptionsOnServer, take, transportFor, until } from './helpers.js';

test('API key: a subscription receives 10 messages in order, with keep-alives in between', async (t) => {
  const server = await localServer(t, { keepAliveIntervalMs: 5 });
  const transport = transportFor(t, server);
  await transport.connect();
  assert.deepEqual(transport.payloads.connection_ack, { connectionTimeoutMs: 300000 });
  const results = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  for (let i = 0; i < 10; i++) {
    server.realtime.publish('onCreateMessage', { id: String(i), text: `message ${i}` });
    await new Promise((resolve) => setTimeout(resolve, 2)); // let keep-alives interleave
  }
  const received = await take(results, 10);
  assert.deepEqual(
    received.map((r) => r.data),
    Array.from({ length: 10 }, (_, i) => ({ onCreateMessage: { id: String(i), text: `message ${i}` } })),
  );
  const start = framesOfType(server, 'start')[0] as { id: string; payload: { data: string; extensions: { authorization: Record<string, string> } } };
  assert.match(start.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(start.payload.extensions.authorization, { host: server.host, 'x-api-key': API_KEY });
});

test('variables and operation name travel inside payload.data; DocumentNode and string both work', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const doc = parse('subscription OnRoom($room: String) { onCreateMessage(room: $room) { id } } subscription Other { other }');
  const iterator = transport.subscribe(doc, { variableValues: { room: 'lobby' }, operationName: 'OnRoom' });
  await subscriptionsOnServer(server, 1);
  const start = framesOfType(server, 'start')[0] as { payload: { data: string } };
  const data = JSON.parse(start.payload.data);
  assert.deepEqual(Object.keys(data), ['query', 'operationName', 'variables']);
  assert.equal(data.operationName, 'OnRoom');
  assert.deepEqual(data.variables, { room: 'lobby' });
  assert.match(data.query, /subscription OnRoom\(\$room: String\)/);
  assert.deepEqual(server.realtime.subscriptions[0]?.args, { room: 'lobby' });
  server.realtime.publish('onCreateMessage', { id: 'x', room: 'other' });
  server.realtime.publish('onCreateMessage', { id: 'y', room: 'lobby' });
  assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'y', room: 'lobby' } });
});

test('a mistake inside a selection set is not checked locally: the server answers it, and only that iterator throws TransportQueryError', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const healthy = transport.subscribe('subscription { onCreateMessage { id } }');
  const broken = transport.subscribe('subscription Broken { onCreateMessage(room: ) { id } }');
  const error = await broken.next().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportQueryError, String(error));
  assert.match(error.message, /^The server rejected subscription [0-9a-f-]+: ValidationError: Syntax Error: Unexpected "\)"/);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'still-here' });
  assert.deepEqual((await take(healthy, 1))[0]?.data, { onCreateMessage: { id: 'still-here' } });
});

test('a DocumentNode that graphql cannot print fails its iterator with TransportDocumentError; nothing is sent', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  // Operation type is read from the AST at once; the text comes from graphql's print(), which
  // throws on a node kind it does not know.
  const broken = { kind: 'Document', definitions: [{ kind: 'OperationDefinition', operation: 'subscription', selectionSet: { kind: 'Bogus' } }] };
  const iterator = transport.subscribe(broken as never);
  const error = await iterator.next().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportDocumentError, String(error));
  assert.match(error.message, /^Expected a DocumentNode that graphql's print\(\) accepts, but it failed: /);
  assert.equal(framesOfType(server, 'start').length, 0);
  assert.deepEqual(await iterator.next(), { done: true, value: undefined });
});

test('execute() is refused with a clear error', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await assert.rejects(transport.execute(parse('query { a }')), (e: unknown) => {
    assert.ok(e instanceof TransportUnsupportedOperation);
    assert.equal(e.code, 'UNSUPPORTED_OPERATION');
    assert.match(e.message, /only runs subscriptions\. Send queries and mutations with AppSyncHttpTransport/);
    return true;
  });
});

test('documents: queries, parse errors and missing operation names are refused before anything is sent', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  assert.throws(() => transport.subscribe('query Q { a }'), (e: unknown) => {
    assert.ok(e instanceof TransportDocumentError);
    assert.equal(e.message, 'Expected a subscription operation, but the document\'s operation "Q" is a query. Only subscriptions run on the real-time endpoint; send queries and mutations over HTTP (AppSyncHttpTransport).');
    return true;
  });
  assert.throws(() => transport.subscribe('subscription {'), /Expected a valid GraphQL document, but it does not parse: Syntax Error/);
  assert.throws(() => transport.subscribe('subscription A { a } subscription B { b }'), /has 2 operations; pass operationName/);
  assert.throws(() => transport.subscribe(SUBSCRIPTION, { operationName: 'Nope' }), /Expected an operation named "Nope" in the document, but it has "OnCreateMessage"/);
  assert.throws(() => transport.subscribe(42 as never), /Expected the document to be a string or a DocumentNode/);
  assert.equal(framesOfType(server, 'start').length, 0);
});

test('a wrong API key gets connection_error → TransportServerError, without the key in the message', async (t) => {
  const server = await localServer(t);
  const wrongKey = 'da2-WRONGSECRETKEY-recognisable';
  const transport = transportFor(t, server, { auth: new AppSyncApiKeyAuthentication({ apiKey: wrongKey }) });
  const error = await transport.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportServerError);
  assert.equal(error.code, 'SERVER_ERROR');
  assert.equal(error.statusCode, 401);
  assert.equal(error.errors[0]?.errorType, 'UnauthorizedException');
  assert.match(error.message, /^The server refused the connection: UnauthorizedException: You are not authorized to make this call \(errorCode 401\)\. Check the credentials/);
  assert.ok(!error.message.includes(wrongKey) && !String(error.stack).includes(wrongKey));
  assert.equal(transport.state, 'closed');
});

test('a field-level permission error fails only that subscription; the connection stays usable', async (t) => {
  const server = await localServer(t, { deniedFields: ['onSecret'] });
  const transport = transportFor(t, server);
  await transport.connect();
  const allowed = transport.subscribe(SUBSCRIPTION);
  const denied = transport.subscribe('subscription { onSecret { id } }');
  const error = await errorOf(denied);
  assert.ok(error instanceof TransportQueryError);
  assert.equal(error.code, 'QUERY_ERROR');
  assert.equal(error.errors[0]?.errorType, 'Unauthorized');
  assert.match(error.message, /The server rejected subscription .*: Unauthorized: Not Authorized to access onSecret on type Subscription/);
  assert.equal(typeof error.queryId, 'string');
  server.realtime.publish('onCreateMessage', { id: '1' });
  assert.deepEqual((await take(allowed, 1))[0]?.data, { onCreateMessage: { id: '1' } });
  const again = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  server.realtime.publish('onCreateMessage', { id: '2' });
  assert.deepEqual((await take(again, 1))[0]?.data, { onCreateMessage: { id: '2' } });
});

test('MaxSubscriptionsReachedError (errors as an object) becomes a TransportQueryError with an errors array', async (t) => {
  const server = await localServer(t, { maxSubscriptionsPerConnection: 1 });
  const transport = transportFor(t, server);
  await transport.connect();
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const error = await errorOf(transport.subscribe(SUBSCRIPTION));
  assert.ok(error instanceof TransportQueryError);
  assert.ok(Array.isArray(error.errors));
  assert.deepEqual(error.errors, [{ errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 1 subscriptions reached' }]);
});

for (const [name, frame, pattern] of [
  ['non-JSON text', 'not json at all', /text that is not JSON: "not json at all"/],
  ['a JSON array', '[1,2]', /but got an array \(\[1,2\]\)/],
  ['a JSON string', '"x"', /but got a string \("x"\)/],
  ['JSON null', 'null', /but got null/],
] as const) {
  test(`${name} from the server fails every subscription with TransportProtocolError and closes`, async (t) => {
    const server = await localServer(t);
    const transport = transportFor(t, server);
    await transport.connect();
    const a = transport.subscribe(SUBSCRIPTION);
    const b = transport.subscribe(SUBSCRIPTION);
    await subscriptionsOnServer(server, 2);
    server.realtime.sendRaw(frame);
    for (const iterator of [a, b]) {
      const error = await errorOf(iterator);
      assert.ok(error instanceof TransportProtocolError);
      assert.match(error.message, pattern);
    }
    await transport.waitClosed();
    assert.equal(transport.state, 'closed');
    await server.realtime.waitFor(() => server.realtime.connections.length === 0);
  });
}

test('a binary frame is a protocol error', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.sendBinary(new Uint8Array([123, 125]));
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportProtocolError);
  assert.match(error.message, /^Expected a text frame holding a JSON object, but got a binary frame/);
});

test('an id-less error is an `error` event: only subscriptions awaiting start_ack fail; established ones and the connection stay', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const established = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.faults.skipStartAck = true;
  const waiting = transport.subscribe(SUBSCRIPTION);
  await server.realtime.waitFor(() => framesOfType(server, 'start').length === 2);
  const reported = nextEvent<TransportEvents['error']>((l) => transport.on('error', l));
  server.realtime.sendError([{ errorType: 'LimitExceededError', message: 'Rate limit exceeded' }]);
  const expected = 'The server reported an error without a subscription id: LimitExceededError: Rate limit exceeded.';
  assert.equal((await reported).error.message, expected);
  const error = await errorOf(waiting);
  assert.ok(error instanceof TransportServerError);
  assert.equal(error.message, expected);
  assert.equal(transport.state, 'connected');
  server.realtime.publish('onCreateMessage', { id: 'after' });
  assert.deepEqual((await take(established, 1))[0]?.data, { onCreateMessage: { id: 'after' } });
});

test('connection_ack sent as a JSON string is parsed into payloads.connection_ack', async (t) => {
  const server = await localServer(t, { connectionTimeoutMs: 123456 });
  server.realtime.faults.ackPayloadAsString = true;
  const transport = transportFor(t, server);
  await transport.connect();
  assert.deepEqual(transport.payloads.connection_ack, { connectionTimeoutMs: 123456 });
});

for (const style of ['subprotocol', 'query', 'headers'] as const) {
  test(`handshake auth '${style}' is accepted by the server`, async (t) => {
    const server = await localServer(t);
    const transport = transportFor(t, server, { handshakeAuth: style });
    await transport.connect();
    const iterator = transport.subscribe(SUBSCRIPTION);
    await subscriptionsOnServer(server, 1);
    server.realtime.publish('onCreateMessage', { id: 'ok' });
    assert.equal((await take(iterator, 1)).length, 1);
  });
}

test('the subprotocol handshake sends graphql-ws and a base64url header, without a query string', async (t) => {
  const server = await localServer(t);
  let seen: { url: string | undefined; protocol: string | undefined } = { url: undefined, protocol: undefined };
  server.server.prependListener('upgrade', (req) => {
    seen = { url: req.url, protocol: req.headers['sec-websocket-protocol'] };
  });
  const transport = transportFor(t, server);
  await transport.connect();
  assert.equal(seen.url, '/graphql/realtime');
  const [first, second] = String(seen.protocol).split(',').map((p) => p.trim());
  assert.equal(first, 'graphql-ws');
  assert.deepEqual(JSON.parse(base64Decode(String(second).slice('header-'.length))), { host: server.host, 'x-api-key': API_KEY });
});

test('no connection_ack within ackTimeoutMs → TransportTimeoutError (phase ack)', async (t) => {
  const server = await localServer(t);
  server.realtime.faults.skipAck = true;
  const transport = transportFor(t, server, { ackTimeoutMs: 50 });
  await assert.rejects(transport.connect(), (e: unknown) => {
    assert.ok(e instanceof TransportTimeoutError);
    assert.equal(e.phase, 'ack');
    assert.equal(e.message, 'Expected connection_ack within 50 ms (ackTimeoutMs) after connection_init, but none arrived. Check the URL and auth, or raise ackTimeoutMs.');
    return true;
  });
  await server.realtime.waitFor(() => server.realtime.connections.length === 0);
});

test('a socket that never finishes the upgrade → TransportTimeoutError (phase connect)', async (t) => {
  const blackhole = createServer(() => {});
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    blackhole.close();
  });
  const port = (blackhole.address() as { port: number }).port;
  const transport = new AppSyncWebsocketsTransport({
    url: `http://127.0.0.1:${port}/graphql`,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    connectTimeoutMs: 50,
    retry: false,
  });
  await assert.rejects(transport.connect(), (e: unknown) => {
    assert.ok(e instanceof TransportTimeoutError);
    assert.equal(e.phase, 'connect');
    assert.match(e.message, /^Expected the WebSocket to ws:\/\/127\.0\.0\.1:\d+\/graphql\/realtime to open within 50 ms \(connectTimeoutMs\)/);
    return true;
  });
});

test('a refused upgrade → TransportConnectionFailed with the HTTP status', async (t) => {
  const server = await localServer(t);
  server.realtime.refuseHandshakes(503);
  const transport = transportFor(t, server, { handshakeAuth: 'query' });
  await assert.rejects(transport.connect(), (e: unknown) => {
    assert.ok(e instanceof TransportConnectionFailed);
    assert.equal(e.statusCode, 503);
    assert.match(e.message, /refused the WebSocket upgrade with HTTP 503/);
    assert.match(e.message, /header=<redacted>/);
    assert.ok(!e.message.includes('eyJ'), 'no base64 auth in the message');
    return true;
  });
});

test('nothing connects: TransportConnectionFailed, not a hang', async () => {
  const transport = new AppSyncWebsocketsTransport({ url: 'http://127.0.0.1:1/graphql', auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  await assert.rejects(transport.connect(), TransportConnectionFailed);
});

test('keep-alive: silence longer than keepAliveTimeoutMs fails every subscription (phase keep-alive)', async (t) => {
  const server = await localServer(t, { keepAliveIntervalMs: 10 });
  const transport = transportFor(t, server, { keepAliveTimeoutMs: 80 });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  await new Promise((resolve) => setTimeout(resolve, 120)); // ka frames keep it alive meanwhile
  assert.equal(transport.state, 'connected');
  server.realtime.faults.keepAliveStopped = true;
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportTimeoutError);
  assert.equal(error.phase, 'keep-alive');
  assert.match(error.message, /^Expected a frame from the server at least every 80 ms \(keep-alive\)/);
});

test('keep-alive defaults to connectionTimeoutMs from the ack; null disables it', async (t) => {
  const server = await localServer(t, { keepAliveIntervalMs: 0, connectionTimeoutMs: 60 });
  const watched = transportFor(t, server);
  const unwatched = transportFor(t, server, { keepAliveTimeoutMs: null });
  await watched.connect();
  await unwatched.connect();
  const a = watched.subscribe(SUBSCRIPTION);
  const b = unwatched.subscribe(SUBSCRIPTION);
  const error = await errorOf(a);
  assert.ok(error instanceof TransportTimeoutError && error.timeoutMs === 60);
  assert.equal(unwatched.state, 'connected');
  server.realtime.publish('onCreateMessage', { id: 'still alive' });
  assert.equal((await take(b, 1)).length, 1);
});

test('no start_ack within ackTimeoutMs fails that subscription (phase start-ack) and sends stop', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { ackTimeoutMs: 60 });
  await transport.connect();
  server.realtime.faults.skipStartAck = true;
  const error = await errorOf(transport.subscribe(SUBSCRIPTION));
  assert.ok(error instanceof TransportTimeoutError);
  assert.equal(error.phase, 'start-ack');
  await server.realtime.waitFor(() => framesOfType(server, 'stop').length === 1);
  assert.equal(transport.state, 'connected');
});

test('complete from the server ends that iterator normally', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const id = server.realtime.subscriptions[0]?.id as string;
  server.realtime.publish('onCreateMessage', { id: 'last' });
  server.realtime.sendRaw(JSON.stringify({ type: 'complete', id }));
  assert.equal((await take(iterator, 5)).length, 1, 'the buffered result, then the end');
});

test('the server closing the socket fails subscriptions with TransportConnectionFailed (code, reason)', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.dropConnections({ code: 4000, reason: 'bye' });
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportConnectionFailed);
  assert.equal(error.closeCode, 4000);
  assert.equal(error.reason, 'bye');
  assert.match(error.message, /^The server closed the connection to ws:\/\/127\.0\.0\.1:\d+\/graphql\/realtime \(code 4000, reason "bye"\)\.$/);
});

test('a socket dropped without a close frame → TransportConnectionFailed code 1006', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.dropConnections({ terminate: true });
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportConnectionFailed);
  assert.equal(error.closeCode, 1006);
  assert.match(error.message, /without a close frame/);
});

test('break sends stop at once; the late complete is absorbed quietly', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const id = server.realtime.subscriptions[0]?.id;
  server.realtime.publish('onCreateMessage', { id: '1' });
  for await (const result of iterator) {
    assert.ok(result.data);
    break;
  }
  await server.realtime.waitFor(() => framesOfType(server, 'stop').length === 1);
  assert.deepEqual(framesOfType(server, 'stop')[0], { type: 'stop', id });
  await subscriptionsOnServer(server, 0);
  // A stray complete and data for the stopped id change nothing.
  server.realtime.sendRaw(JSON.stringify({ type: 'complete', id }));
  server.realtime.sendRaw(JSON.stringify({ type: 'data', id, payload: { data: {} } }));
  const other = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: '2' });
  assert.equal((await take(other, 1)).length, 1);
  assert.equal(transport.state, 'connected');
});

test('sendStop: false leaves without sending stop', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION, { sendStop: false });
  await subscriptionsOnServer(server, 1);
  await iterator.return?.();
  const other = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  await other.return?.();
  await server.realtime.waitFor(() => framesOfType(server, 'stop').length === 1);
  assert.equal(framesOfType(server, 'stop')[0]?.id, server.realtime.received.filter((f) => f.message?.type === 'start')[1]?.message?.id);
});

test('an aborted signal sends stop and ends the iterator without an error', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const controller = new AbortController();
  const iterator = transport.subscribe(SUBSCRIPTION, { signal: controller.signal });
  await subscriptionsOnServer(server, 1);
  const pending = iterator.next();
  controller.abort();
  assert.deepEqual(await pending, { done: true, value: undefined });
  await server.realtime.waitFor(() => framesOfType(server, 'stop').length === 1);
  const preAborted = transport.subscribe(SUBSCRIPTION, { signal: AbortSignal.abort() });
  assert.deepEqual(await preAborted.next(), { done: true, value: undefined });
  assert.equal(framesOfType(server, 'start').length, 1);
});

test('close(): stops every subscription, waits for complete, closes with 1000; open iterators end normally', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const a = transport.subscribe(SUBSCRIPTION);
  const b = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  const closed = transport.waitClosed();
  await transport.close();
  await closed;
  assert.equal(transport.state, 'closed');
  assert.equal(framesOfType(server, 'stop').length, 2);
  for (const iterator of [a, b]) assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  await server.realtime.waitFor(() => server.realtime.connections.length === 0);
  // connect() again works.
  await transport.connect();
  const c = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'again' });
  assert.equal((await take(c, 1)).length, 1);
});

test('close() does not hang when the server never sends complete (closeTimeoutMs)', async (t) => {
  const server = await localServer(t);
  server.realtime.faults.skipComplete = true;
  const transport = transportFor(t, server, { closeTimeoutMs: 50 });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  await transport.close();
  assert.equal(transport.state, 'closed');
  assert.equal(framesOfType(server, 'stop').length, 1);
  assert.deepEqual(await iterator.next(), { done: true, value: undefined });
});

test('connect() twice → TransportAlreadyConnected; subscribe() before connect() says to call connect()', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  assert.throws(() => transport.subscribe(SUBSCRIPTION), (e: unknown) => {
    assert.ok(e instanceof TransportClosed);
    assert.match(e.message, /call `await transport\.connect\(\)` before `subscribe\(\)`/);
    return true;
  });
  await transport.connect();
  await assert.rejects(transport.connect(), (e: unknown) => {
    assert.ok(e instanceof TransportAlreadyConnected);
    assert.equal(e.code, 'ALREADY_CONNECTED');
    assert.match(e.message, /connect\(\) was called while the transport is connected/);
    return true;
  });
  assert.ok(isTransportError(new TransportClosed('x')));
  assert.equal(isTransportError(new Error('x')), false);
});

test('waitClosed() resolves at once when never connected', async () => {
  const transport = new AppSyncWebsocketsTransport({ url: 'https://x.appsync-api.us-east-1.amazonaws.com/graphql', auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }) });
  await transport.waitClosed();
  await transport.close();
  assert.equal(transport.state, 'idle');
});

test('ids are never reused on a connection; a duplicate id is reported by the server', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { generateId: () => 'same-id' });
  await transport.connect();
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const error = await errorOf(transport.subscribe(SUBSCRIPTION));
  assert.ok(error instanceof TransportQueryError);
  assert.equal(error.errors[0]?.errorType, 'DuplicatedOperationError');
});

test('JWT: the token function is called per connect and per start; the token never appears in errors', async (t) => {
  const tokens = ['jwt-one-SECRET', 'jwt-two-SECRET', 'jwt-three-SECRET'];
  const server = await localServer(t, { auth: { jwt: tokens } });
  let calls = 0;
  const transport = transportFor(t, server, {
    auth: new AppSyncJWTAuthentication({ jwt: async () => tokens[calls++] ?? 'expired-SECRET-token' }),
  });
  await transport.connect();
  transport.subscribe(SUBSCRIPTION);
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  const starts = framesOfType(server, 'start') as Array<{ payload: { extensions: { authorization: { Authorization: string } } } }>;
  assert.deepEqual(starts.map((s) => s.payload.extensions.authorization.Authorization), ['jwt-two-SECRET', 'jwt-three-SECRET']);
  const rejected = await errorOf(transport.subscribe(SUBSCRIPTION));
  assert.ok(rejected instanceof TransportQueryError);
  assert.equal(rejected.errors[0]?.errorType, 'UnauthorizedException');
  assert.ok(!rejected.message.includes('SECRET'));
  const auth = new AppSyncJWTAuthentication({ jwt: 'eyJhbGciOi.SECRET.sig' });
  const { inspect } = await import('node:util');
  for (const shown of [String(auth), JSON.stringify(auth), inspect(auth), inspect(auth, { showHidden: true })]) {
    assert.ok(!shown.includes('SECRET'), shown);
  }
});

test('an auth provider that throws fails connect with a TransportAuthError naming the option', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, {
    auth: new AppSyncJWTAuthentication({ jwt: () => { throw new Error('refresh failed: SECRET-refresh-token'); } }),
  });
  await assert.rejects(transport.connect(), (e: unknown) => {
    assert.ok(isTransportError(e));
    assert.equal(e.name, 'TransportAuthError');
    assert.equal(e.message, 'The JWT provider (option `jwt`) threw: Error. Fix the function passed as `jwt`; the original error is in `cause`.');
    return true;
  });
});

test('an auth that is not an auth object is a TransportConfigurationError at construction, naming its keys but never its values', () => {
  for (const [auth, got] of [
    [{ apiKey: 'da2-SECRET-in-a-plain-object' }, 'an object with keys apiKey'],
    ['da2-SECRET-as-a-string', 'a string'],
    [null, 'null'],
  ] as const) {
    assert.throws(
      () => new AppSyncWebsocketsTransport({ url: 'https://x.appsync-api.us-east-1.amazonaws.com/graphql', auth: auth as never }),
      (e: unknown) => {
        assert.ok(e instanceof TransportConfigurationError);
        assert.ok(!e.message.includes('SECRET'), e.message);
        assert.equal(
          e.message,
          `Expected auth to be an auth object such as new AppSyncApiKeyAuthentication({ apiKey }) (anything with getHeaders(request)), but got ${got}.`,
        );
        return true;
      },
    );
  }
});

test('a custom auth whose getHeaders() throws: connect fails with TransportAuthError naming the class of its error only', async (t) => {
  const server = await localServer(t);
  const auth = { mode: 'AMAZON_COGNITO_USER_POOLS' as const, getHeaders: async () => { throw new RangeError('token SECRET-in-custom-auth expired'); } };
  const transport = transportFor(t, server, { auth, retry: false });
  const error = await transport.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportAuthError, String(error));
  assert.equal(error.message, 'The auth (mode AMAZON_COGNITO_USER_POOLS) could not make its headers: getHeaders() threw RangeError. The original error is in `cause`.');
  assert.ok(error.cause instanceof RangeError);
});

test('options of the wrong type are TransportConfigurationErrors when given, not TypeErrors later', async (t) => {
  const url = 'https://x.appsync-api.us-east-1.amazonaws.com/graphql';
  const auth = new AppSyncApiKeyAuthentication({ apiKey: API_KEY });
  const refused = (fn: () => unknown, message: string): void => {
    assert.throws(fn, (e: unknown) => e instanceof TransportConfigurationError && e.message === message);
  };
  refused(() => new AppSyncWebsocketsTransport({ url, auth, webSocketImpl: 42 as never }), 'Expected webSocketImpl to be a function, but got number.');
  refused(() => new AppSyncWebsocketsTransport({ url, auth, retry: { shouldRetry: true as never } }), 'Expected retry.shouldRetry to be a function, but got boolean.');
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  refused(() => transport.subscribe(SUBSCRIPTION, { signal: {} as never }), 'Expected signal to be an AbortSignal, but got object.');
  refused(() => transport.subscribe(SUBSCRIPTION, { onResubscribed: 'reload' as never }), 'Expected onResubscribed to be a function, but got string.');
  refused(() => transport.on('connected', 'log' as never), 'Expected listener to be a function, but got string.');
  // null options mean no options, as undefined does.
  const iterator = transport.subscribe(SUBSCRIPTION, null as never);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'n' });
  assert.equal((await take(iterator, 1)).length, 1);
  assert.equal(framesOfType(server, 'start').length, 1);
});

test('generateId and random must be functions; an id source that throws or returns no string fails only that subscription, never the process', async (t) => {
  const url = 'https://x.appsync-api.us-east-1.amazonaws.com/graphql';
  const auth = new AppSyncApiKeyAuthentication({ apiKey: API_KEY });
  assert.throws(() => new AppSyncWebsocketsTransport({ url, auth, generateId: 42 as never }), /^TransportConfigurationError: Expected generateId to be a function, but got number\.$/);
  assert.throws(() => new AppSyncWebsocketsTransport({ url, auth, random: 'x' as never }), /^TransportConfigurationError: Expected random to be a function, but got string\.$/);
  const server = await localServer(t);
  const ids = [(): unknown => 7, (): unknown => { throw new RangeError('out of ids'); }, (): unknown => 'fine-id'];
  const transport = transportFor(t, server, { generateId: () => (ids.shift() as () => string)() });
  await transport.connect();
  const returnsNumber = transport.subscribe(SUBSCRIPTION);
  const throws = transport.subscribe(SUBSCRIPTION);
  const healthy = transport.subscribe(SUBSCRIPTION);
  const first = await errorOf(returnsNumber);
  assert.ok(first instanceof TransportConfigurationError);
  assert.equal(first.message, 'Expected generateId() to return a non-empty string, but it returned number 7.');
  const second = await errorOf(throws);
  assert.ok(second instanceof TransportProtocolError);
  assert.equal(second.message, 'Unexpected failure in the client: RangeError. The original error is in `cause`.');
  await subscriptionsOnServer(server, 1);
  assert.equal(server.realtime.subscriptions[0]?.id, 'fine-id');
  server.realtime.publish('onCreateMessage', { id: 'm' });
  assert.deepEqual((await take(healthy, 1))[0]?.data, { onCreateMessage: { id: 'm' } });
});

test('observe(): results go to next() in order; the returned function sends stop; errors reach error()', async (t) => {
  const server = await localServer(t, { deniedFields: ['onSecret'] });
  const transport = transportFor(t, server);
  await transport.connect();
  const seen: unknown[] = [];
  let completed = 0;
  const stop = transport.observe(SUBSCRIPTION, { next: (r) => seen.push(r.data), error: (e) => seen.push(e), complete: () => completed++ });
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: '1' });
  server.realtime.publish('onCreateMessage', { id: '2' });
  await until(() => seen.length === 2);
  assert.deepEqual(seen, [{ onCreateMessage: { id: '1' } }, { onCreateMessage: { id: '2' } }]);
  stop();
  stop(); // harmless twice
  await server.realtime.waitFor(() => framesOfType(server, 'stop').length === 1);
  server.realtime.publish('onCreateMessage', { id: '3' });
  assert.equal(seen.length, 2);
  assert.equal(completed, 0, 'leaving is not a completion');
  const failed = await new Promise<unknown>((resolve) => {
    transport.observe('subscription { onSecret { id } }', { next: () => {}, error: resolve });
  });
  assert.ok(failed instanceof TransportQueryError);
  assert.throws(() => transport.observe(SUBSCRIPTION, {} as never), /Expected an observer with next\(result\) and error\(error\) functions/);
});

test('observe(): an observer that throws is reported, and the subscription goes on', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const reported: unknown[] = [];
  const onUncaught = (error: unknown): void => void reported.push(error);
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  t.after(() => {
    process.off('uncaughtException', onUncaught);
    for (const listener of listeners) process.on('uncaughtException', listener);
  });
  let calls = 0;
  transport.observe(SUBSCRIPTION, {
    next: () => {
      calls++;
      throw new Error('app bug');
    },
    error: () => {},
  });
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: '1' });
  server.realtime.publish('onCreateMessage', { id: '2' });
  await until(() => calls === 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(reported.length, 2);
  assert.equal(transport.state, 'connected');
});

test('secrets stay out of toString(), util.inspect and JSON of a live transport (query-string handshake too)', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { handshakeAuth: 'query' });
  await transport.connect();
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const { inspect } = await import('node:util');
  const { base64Encode } = await import('../src/protocol/encoding.js');
  const encodedKey = base64Encode(JSON.stringify({ host: server.host, 'x-api-key': API_KEY }));
  for (const shown of [String(transport), inspect(transport, { depth: 10, showHidden: true }), JSON.stringify(transport)]) {
    assert.ok(!shown.includes(API_KEY), shown);
    assert.ok(!shown.includes(encodedKey.slice(0, 20)), shown);
  }
});

test('in Node, `ws` is used even when there is a global WebSocket (Node 20, 22 and 24 alike); webSocketImpl opts into the global', async (t) => {
  const server = await localServer(t);
  const { WebSocket: WsSocket } = await import('ws');
  let constructed = 0;
  class GlobalWebSocket extends WsSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      constructed++;
    }
  }
  const g = globalThis as { WebSocket?: unknown };
  const saved = g.WebSocket;
  g.WebSocket = GlobalWebSocket;
  t.after(() => {
    g.WebSocket = saved;
  });
  const viaWs = transportFor(t, server);
  await viaWs.connect();
  const iterator = viaWs.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'ws' });
  assert.equal((await take(iterator, 1)).length, 1);
  assert.equal(constructed, 0, 'the global WebSocket was not used');
  const viaGlobal = transportFor(t, server, { webSocketImpl: GlobalWebSocket as never });
  await viaGlobal.connect();
  assert.equal(constructed, 1);
});

test('webSocketImpl, webSocketOptions and tls reach the WebSocket constructor; upgrade headers merge with handshake auth', async (t) => {
  const server = await localServer(t);
  const { WebSocket: WsSocket } = await import('ws');
  const seen: Array<{ protocols: unknown; options: Record<string, unknown> }> = [];
  class RecordingWebSocket extends WsSocket {
    constructor(url: string, protocols?: string | string[], options?: Record<string, unknown>) {
      super(url, protocols, options);
      seen.push({ protocols, options: options ?? {} });
    }
  }
  let upgradeHeaders: Record<string, unknown> = {};
  server.server.prependListener('upgrade', (req) => {
    upgradeHeaders = req.headers;
  });
  const transport = transportFor(t, server, {
    webSocketImpl: RecordingWebSocket as never,
    webSocketOptions: { perMessageDeflate: false, headers: { 'x-extra': 'kept', 'x-api-key': 'user-value-loses' } },
    tls: { rejectUnauthorized: false },
    handshakeAuth: 'headers',
  });
  await transport.connect();
  assert.equal(seen.length, 1);
  assert.equal(seen[0]?.options.perMessageDeflate, false);
  assert.equal(seen[0]?.options.rejectUnauthorized, false);
  assert.equal(upgradeHeaders['x-extra'], 'kept');
  assert.equal(upgradeHeaders['x-api-key'], API_KEY, 'the auth header wins');
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'injected' });
  assert.equal((await take(iterator, 1)).length, 1);
});
