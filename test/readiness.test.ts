/**
 * Readiness: knowing when a subscription is live. `started` and `onStarted` mark the server's
 * first acknowledgement (`start_ack`, Events `subscribe_success`), never earlier; after a
 * reconnect it is `onResubscribed` that fires.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  AppSyncApiKeyAuthentication,
  AppSyncEventsClient,
  Client,
  TransportDocumentError,
  TransportQueryError,
} from '../src/index.js';
import type { LocalAppSync } from '../src/testing/index.js';
import { API_KEY, SUBSCRIPTION, errorOf, framesOfType, localServer, nextEvent, subscriptionsOnServer, take, transportFor } from './helpers.js';

/** Whether `promise` has settled by the time already-queued work has run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test('started resolves at start_ack and not before; onStarted once; after a drop, onResubscribed instead', async (t) => {
  const server = await localServer(t);
  server.realtime.faults.startAckDelayMs = 100;
  const transport = transportFor(t, server, { retry: { baseDelayMs: 1, maxDelayMs: 2 } });
  await transport.connect();
  const calls: string[] = [];
  const iterator = transport.subscribe(SUBSCRIPTION, { onStarted: () => calls.push('started'), onResubscribed: () => calls.push('resubscribed') });
  await server.realtime.waitFor(() => framesOfType(server, 'start').length === 1);
  assert.equal(await settled(iterator.started), false, 'the server has the start, but has not acknowledged it');
  assert.deepEqual(calls, []);
  await iterator.started;
  assert.deepEqual(calls, ['started']);
  server.realtime.faults.startAckDelayMs = 0;
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  await nextEvent((l) => transport.on('connected', l));
  await server.realtime.waitFor(() => framesOfType(server, 'start').length === 2 && server.realtime.subscriptions.length === 1);
  server.realtime.publish('onCreateMessage', { id: 'after' });
  assert.equal((await take(iterator, 1)).length, 1);
  assert.deepEqual(calls, ['started', 'resubscribed']);
});

test('started rejects with the error of a subscription refused before it was live; unread, it is no unhandled rejection', async (t) => {
  const server = await localServer(t, { deniedFields: ['onSecret'] });
  const transport = transportFor(t, server);
  await transport.connect();
  const unhandled: unknown[] = [];
  const record = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', record);
  t.after(() => process.off('unhandledRejection', record));
  const read = transport.subscribe('subscription { onSecret { id } }');
  const started = await read.started.then(() => undefined, (e: unknown) => e);
  assert.ok(started instanceof TransportQueryError);
  assert.equal(await errorOf(read), started, 'next() throws the same error');
  const unread = transport.subscribe('subscription { onSecret { id } }');
  assert.ok((await errorOf(unread)) instanceof TransportQueryError);
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(unhandled, []);
});

test('started resolves when the caller ends the subscription first', async (t) => {
  const server = await localServer(t);
  server.realtime.faults.skipStartAck = true;
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await server.realtime.waitFor(() => framesOfType(server, 'start').length === 1);
  await iterator.return?.();
  await iterator.started;
  const closing = transport.subscribe(SUBSCRIPTION);
  await transport.close();
  await closing.started;
});

test('observe(): observer.started() at the acknowledgement', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  let started = 0;
  await new Promise<void>((resolve) => {
    transport.observe(SUBSCRIPTION, { next() {}, error() {}, started: () => (started++, resolve()) });
  });
  assert.equal(started, 1);
  await subscriptionsOnServer(server, 1);
});

async function eventsServer(t: TestContext): Promise<LocalAppSync> {
  return localServer(t);
}

test('Events: started and onStarted at subscribe_success', async (t) => {
  const server = await eventsServer(t);
  server.events.faults.subscribeAckDelayMs = 50;
  const events = new AppSyncEventsClient({ url: server.eventsUrl, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  t.after(() => events.close());
  await events.connect();
  let onStarted = 0;
  const iterator = events.subscribe('/default/a', { onStarted: () => onStarted++ });
  await server.events.waitFor(() => server.events.received.some((f) => f.message?.type === 'subscribe'));
  assert.equal(await settled(iterator.started), false);
  await iterator.started;
  assert.equal(onStarted, 1);
  await events.publish('/default/a', ['hello']);
  assert.deepEqual(await take(iterator, 1), ['hello']);
});

test('Client.subscribe forwards started and onStarted; a document refused by the schema rejects started', async (t) => {
  const server = await localServer(t);
  const client = new Client({
    url: server.url,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    retry: false,
    schema: 'type Query { a: Int } type Subscription { onCreateMessage: M } type M { id: ID text: String }',
  });
  t.after(() => client.close());
  let onStarted = 0;
  const iterator = client.subscribe(SUBSCRIPTION, { onStarted: () => onStarted++ });
  await iterator.started;
  assert.equal(onStarted, 1);
  await subscriptionsOnServer(server, 1);
  const invalid = client.subscribe('subscription { onCreateMessage { nope } }');
  await assert.rejects(invalid.started, TransportDocumentError);
  assert.ok((await errorOf(invalid)) instanceof TransportDocumentError);
});
