/**
 * Defects a second adversarial review found in readiness, liveness, the Client and the framework
 * adapters, each reproduced as the reviewer did, with what must happen instead.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { WebSocket as WsSocket, WebSocketServer } from 'ws';
import {
  AppSyncApiKeyAuthentication,
  AppSyncHttpTransport,
  Client,
  TransportConfigurationError,
  TransportDocumentError,
  TransportQueryError,
  TransportServerError,
  type TransportEvents,
} from '../src/index.js';
import { createClient } from '../src/graphql-ws/index.js';
import { CHAT_SCHEMA } from '../src/testing/index.js';
import type { WakeUp } from '../src/transport/wake-ups.js';
import { API_KEY, SUBSCRIPTION, localServer, nextEvent, until, transportFor } from './helpers.js';

const auth = (): AppSyncApiKeyAuthentication => new AppSyncApiKeyAuthentication({ apiKey: API_KEY });

test('Client.close() right after subscribe()/observe(): both end normally, no unhandled rejection', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const unhandled: unknown[] = [];
  const record = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', record);
  t.after(() => process.off('unhandledRejection', record));
  for (const delay of [0, 1, 2]) {
    const client = new Client({ url: server.url, auth: auth(), retry: false, wakeUps: false });
    await client.subscribe(SUBSCRIPTION).started;
    const told: string[] = [];
    client.observe(SUBSCRIPTION, { next() {}, error: (e) => told.push(`error ${e.name}`), complete: () => told.push('complete') });
    const iterator = client.subscribe(SUBSCRIPTION);
    for (let i = 0; i < delay; i++) await Promise.resolve();
    await client.close();
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    await iterator.started;
    await until(() => told.length === 1);
    assert.deepEqual(told, ['complete'], `delay ${delay}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(unhandled, []);
});

test("started of a Client subscription resolves when close() comes during its placement; a second concurrent next() is refused and the subscription goes on", async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  server.realtime.faults.ackDelayMs = 100;
  const client = new Client({ url: server.url, auth: auth(), retry: false });
  const placing = client.subscribe(SUBSCRIPTION);
  await server.realtime.waitFor(() => server.realtime.connections.length === 1);
  await client.close();
  assert.deepEqual(await placing.next(), { done: true, value: undefined });
  await placing.started;

  server.realtime.faults.ackDelayMs = 0;
  const live = new Client({ url: server.url, auth: auth(), retry: false });
  t.after(() => live.close());
  const iterator = live.subscribe(SUBSCRIPTION);
  const first = iterator.next();
  await assert.rejects(iterator.next(), TypeError);
  await iterator.started;
  await live.execute('mutation { createMessage(room: "r", text: "after") { id room text } }');
  assert.equal(((await first).value?.data as { onCreateMessage: { text: string } }).onCreateMessage.text, 'after');
});

test('a per-operation auth that is not an auth object is refused at once, not as an unhandled rejection later', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const client = new Client({ url: server.url, auth: auth(), retry: false });
  t.after(() => client.close());
  const bad = { auth: { apiKey: API_KEY } as never };
  assert.throws(() => client.subscribe(SUBSCRIPTION, bad), TransportConfigurationError);
  assert.throws(() => client.observe(SUBSCRIPTION, { next() {}, error() {} }, bad), TransportConfigurationError);
  assert.equal(client.sockets.length, 0);
});

test('a server that refuses every start with MaxSubscriptionsReachedError ends the subscription with that error after a few sockets, not without end', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-ws' });
  await new Promise((resolve) => wss.once('listening', resolve));
  let connections = 0;
  wss.on('connection', (ws) => {
    connections++;
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; id?: string };
      if (message.type === 'connection_init') ws.send('{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}');
      if (message.type === 'start') ws.send(JSON.stringify({ type: 'error', id: message.id, payload: { errors: { errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 100 subscriptions reached' } } }));
    });
  });
  t.after(() => new Promise((resolve) => wss.close(resolve)));
  const client = new Client({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/graphql`, auth: auth(), retry: false, lazyCloseDelayMs: 0 });
  t.after(() => client.close());
  const iterator = client.subscribe(SUBSCRIPTION);
  await assert.rejects(iterator.started, TransportQueryError);
  await assert.rejects(iterator.next(), TransportQueryError);
  const observed = await new Promise<unknown>((resolve) => client.observe(SUBSCRIPTION, { next() {}, error: resolve }));
  assert.ok(observed instanceof TransportQueryError);
  assert.ok(connections <= 10, `${connections} sockets`);
});

test('Client.reconnect() skips sockets in their lazy-close delay; after close() it is refused', async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const client = new Client({ url: server.url, auth: auth(), retry: false, lazyCloseDelayMs: 100 });
  const iterator = client.subscribe(SUBSCRIPTION);
  await iterator.started;
  await iterator.return?.();
  await client.reconnect();
  await client.close();
  await assert.rejects(client.reconnect(), { name: 'TransportClosed' });
});

test('without a ping and before two ka frames, a wake-up does not replace a healthy socket after livenessTimeoutMs', async (t) => {
  const server = await localServer(t);
  class NoPing extends WsSocket {
    override ping = undefined as never;
  }
  const listeners = new Set<(w: WakeUp) => void>();
  const transport = transportFor(t, server, {
    webSocketImpl: NoPing as never,
    livenessTimeoutMs: 30,
    wakeUps: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
  });
  await transport.connect();
  const disconnected: unknown[] = [];
  transport.on('disconnected', (e) => disconnected.push(e));
  for (const listener of listeners) listener({ type: 'wake', reason: 'visible' });
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.deepEqual(disconnected, [], 'waits for the interval ka frames arrive at (AppSync: about a minute)');
  assert.equal(transport.state, 'connected');
});

test('a wakeUps source that throws, or returns no stop function, is reported, and connect() and close() work', async (t) => {
  const server = await localServer(t);
  const reported: unknown[] = [];
  const onUncaught = (e: unknown): void => void reported.push(e);
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  t.after(() => {
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
  });
  for (const wakeUps of [() => { throw new Error('source broke'); }, () => 42 as never]) {
    const transport = transportFor(t, server, { wakeUps });
    await transport.connect();
    assert.equal(transport.state, 'connected');
    await transport.close();
    assert.equal(transport.state, 'closed');
  }
  await until(() => reported.length === 2);
  assert.match(String(reported[1]), /Expected the wakeUps source to return the function that stops it, but it returned number 42/);
});

test("graphql-ws adapter: on('closed') fires for dispose() too", async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const wsClient = createClient({ url: server.url, auth: auth(), retry: false });
  const closed: unknown[] = [];
  wsClient.on('closed', (event) => closed.push(event));
  const iterator = wsClient.iterate({ query: SUBSCRIPTION });
  const first = iterator.next();
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  await wsClient.dispose();
  assert.deepEqual(await first, { done: true, value: undefined });
  assert.deepEqual(closed, [{ code: 1000, reason: 'closed' }]);
});

test('an HTTP error page that echoes the request never puts the API key into the message; variables JSON cannot carry are a TransportDocumentError', async (t) => {
  const echo = createServer((req, res) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway for ${JSON.stringify(req.headers)}`));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  t.after(() => echo.close());
  const http = new AppSyncHttpTransport({ url: `http://127.0.0.1:${(echo.address() as { port: number }).port}/graphql`, auth: auth() });
  const error = await http.execute('query { a }').then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportServerError);
  assert.ok(!error.message.includes(API_KEY), error.message);
  assert.match(error.message, /<redacted>/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  assert.throws(() => transport.subscribe(SUBSCRIPTION, { variableValues: cyclic }), (e: unknown) => e instanceof TransportDocumentError && /serialising them threw TypeError/.test(e.message));
  assert.ok(nextEvent<TransportEvents['closed']>);
});
