/** AppSyncEventsClient against the local AppSync's Events API, over real sockets. */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  AppSyncApiKeyAuthentication,
  AppSyncEventsClient,
  AppSyncIAMAuthentication,
  TransportClosed,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportProtocolError,
  TransportQueryError,
  TransportServerError,
  TransportTimeoutError,
  isTransportError,
  type AppSyncEventsClientOptions,
  type EventsClock,
  type TransportError,
  type TransportEvents,
} from '../src/index.js';
import { SlidingWindowLimiter } from '../src/events/rate-limit.js';
import type { LocalAppSync, LocalAppSyncOptions } from '../src/testing/index.js';
import { API_KEY, SUBSCRIPTION, errorOf, localServer, nextEvent, subscriptionsOnServer, take, transportFor } from './helpers.js';

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function eventsServer(t: TestContext, options: LocalAppSyncOptions = {}): Promise<LocalAppSync> {
  return localServer(t, options);
}

/** An events client with API-key auth and no retry (the core behaviour), closed when the test ends. */
function eventsClient(t: TestContext, server: LocalAppSync, options: Partial<AppSyncEventsClientOptions> = {}): AppSyncEventsClient {
  const client = new AppSyncEventsClient({
    url: server.eventsUrl,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    retry: false,
    ...options,
  });
  t.after(() => client.close());
  return client;
}

/** Frames of a type the Events engine received, parsed. */
function sent(server: LocalAppSync, type: string): Record<string, unknown>[] {
  return server.events.received.filter((f) => f.message?.type === type).map((f) => f.message as Record<string, unknown>);
}

function subscribed(server: LocalAppSync, count: number): Promise<void> {
  return server.events.waitFor(() => server.events.subscriptions.length === count);
}

function noSecret(error: unknown, ...secrets: string[]): void {
  const text = `${String(error)} ${(error as Error).stack ?? ''} ${JSON.stringify(error)}`;
  for (const secret of secrets) assert.ok(!text.includes(secret), `a secret leaked into: ${text}`);
}

/** A clock whose time moves only when the test says so. */
class ManualClock implements EventsClock {
  time = 0;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;
  #onSchedule: (() => void) | undefined;

  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.#timers.set(handle, { at: this.time + ms, callback });
    this.#onSchedule?.();
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  get pending(): number {
    return this.#timers.size;
  }
  /** Resolves once a timer is pending. */
  scheduled(): Promise<void> {
    if (this.#timers.size > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onSchedule = () => {
        this.#onSchedule = undefined;
        resolve();
      };
    });
  }
  advance(ms: number): void {
    this.time += ms;
    for (const [handle, timer] of [...this.#timers]) {
      if (timer.at <= this.time) {
        this.#timers.delete(handle);
        timer.callback();
      }
    }
  }
}

test('rate limiter: never more than `limit` slots within any window, in call order, aborts give their place up', async () => {
  const clock = new ManualClock();
  const limiter = new SlidingWindowLimiter(2, 1000, clock);
  const order: string[] = [];
  const grab = (name: string, signal?: AbortSignal) =>
    limiter.acquire(signal).then(
      () => order.push(`${name}@${clock.time}`),
      (e: unknown) => order.push(`${name}:${(e as Error).name}`),
    );
  const controller = new AbortController();
  const all = [grab('a'), grab('b'), grab('c'), grab('d', controller.signal), grab('e')];
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(order, ['a@0', 'b@0']);
  assert.equal(limiter.waiting, 3);
  assert.equal(clock.pending, 1);
  controller.abort();
  clock.advance(999);
  await Promise.resolve();
  assert.deepEqual(order, ['a@0', 'b@0', 'd:AbortError']);
  clock.advance(1);
  await Promise.resolve();
  assert.deepEqual(order, ['a@0', 'b@0', 'd:AbortError', 'c@1000', 'e@1000']);
  await Promise.all(all);
  assert.equal(clock.pending, 0);
  // rejectAll empties the queue.
  const late = [grab('f'), grab('g'), grab('h')];
  limiter.rejectAll(new Error('closed'));
  await Promise.all(late);
  assert.deepEqual(order.slice(5), ['f:Error', 'g:Error', 'h:Error']);
  assert.equal(clock.pending, 0);
});

// ---------------------------------------------------------------------------------------------
// Connection, subscribe, data, unsubscribe

test('connect, subscribe, receive parsed events in order; frames and subprotocol as AppSync expects', async (t) => {
  const server = await eventsServer(t, { events: { keepAliveIntervalMs: 5 } });
  const events = eventsClient(t, server);
  assert.equal(events.realtimeUrl, `ws://${server.host}/event/realtime`);
  assert.equal(events.url, `http://${server.host}/event`);
  await events.connect();
  // connectionTimeoutMs sits at the top level of the Events ack.
  assert.deepEqual(events.payloads.connection_ack, { connectionTimeoutMs: 300000 });
  const iterator = events.subscribe('/default/chat');
  await subscribed(server, 1);
  const values = [{ text: 'hi' }, 42, 'str', null, [1, 2], { nested: { deep: true } }];
  for (const value of values) {
    server.events.publish('/default/chat', [value]);
    await new Promise((resolve) => setTimeout(resolve, 2)); // let keep-alives interleave
  }
  assert.deepEqual(await take(iterator, values.length), values);
  const [subscribe] = sent(server, 'subscribe') as Array<{ id: string; channel: string; authorization: Record<string, string> }>;
  assert.ok(subscribe);
  assert.match(subscribe.id, UUID);
  assert.equal(subscribe.channel, '/default/chat');
  assert.deepEqual(subscribe.authorization, { host: server.host, 'x-api-key': API_KEY });
  assert.equal(sent(server, 'connection_init').length, 1);
});

test('the handshake offers aws-appsync-event-ws and the auth object as header-<base64url>', async (t) => {
  const server = await eventsServer(t);
  const offered: string[] = [];
  server.server.prependListener('upgrade', (req) => offered.push(String(req.headers['sec-websocket-protocol'])));
  const events = eventsClient(t, server);
  await events.connect();
  const [protocol, header] = (offered[0] ?? '').split(/,\s*/);
  assert.equal(protocol, 'aws-appsync-event-ws');
  assert.match(header ?? '', /^header-[A-Za-z0-9_-]+$/);
  const auth = JSON.parse(Buffer.from((header ?? '').slice('header-'.length), 'base64url').toString('utf8'));
  assert.deepEqual(auth, { host: server.host, 'x-api-key': API_KEY });
});

test('GraphQL and Events share the local server\'s port without seeing each other\'s sockets', async (t) => {
  const server = await eventsServer(t);
  const transport = transportFor(t, server);
  const events = eventsClient(t, server);
  await Promise.all([transport.connect(), events.connect()]);
  const graphql = transport.subscribe(SUBSCRIPTION);
  const channel = events.subscribe('/default/chat');
  await subscriptionsOnServer(server, 1);
  await subscribed(server, 1);
  server.realtime.publish('onCreateMessage', { id: '1', text: 'graphql' });
  server.events.publish('/default/chat', ['events']);
  assert.deepEqual((await take(graphql, 1))[0]?.data, { onCreateMessage: { id: '1', text: 'graphql' } });
  assert.deepEqual(await take(channel, 1), ['events']);
  assert.equal(server.realtime.connectionCount, 1);
  assert.equal(server.events.connectionCount, 1);
});

test('the keep-alive timeout comes from the ack\'s top-level connectionTimeoutMs', async (t) => {
  const server = await eventsServer(t, { events: { connectionTimeoutMs: 80, keepAliveIntervalMs: 0 } });
  const events = eventsClient(t, server);
  await events.connect();
  const iterator = events.subscribe('/default/chat');
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportTimeoutError);
  assert.equal(error.phase, 'keep-alive');
  assert.equal(error.timeoutMs, 80);
});

test('wildcards: /* receives every channel below it; exact channels only their own', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  await events.connect();
  const all = events.subscribe('/default/*');
  const chat = events.subscribe('/default/chat/*');
  const room = events.subscribe('/default/chat/room1');
  await subscribed(server, 3);
  assert.equal(server.events.publish('/default/chat/room1', ['room1']), 3);
  assert.equal(server.events.publish('/default/chat', ['chat']), 1);
  assert.equal(server.events.publish('/default/chat/room1/thread', ['thread']), 2);
  assert.equal(server.events.publish('/default/other', ['other']), 1);
  assert.deepEqual(await take(all, 4), ['room1', 'chat', 'thread', 'other']);
  assert.deepEqual(await take(chat, 2), ['room1', 'thread']);
  assert.deepEqual(await take(room, 1), ['room1']);
});

test('break sends unsubscribe; unsubscribe_success is awaited by close(); the signal ends a subscription too', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  await events.connect();
  const controller = new AbortController();
  const aborted = events.subscribe('/default/a', { signal: controller.signal });
  const iterator = events.subscribe('/default/b');
  await subscribed(server, 2);
  server.events.publish('/default/b', [1]);
  for await (const value of iterator) {
    assert.equal(value, 1);
    break;
  }
  await subscribed(server, 1);
  const [unsubscribe] = sent(server, 'unsubscribe');
  assert.deepEqual(Object.keys(unsubscribe ?? {}), ['type', 'id']);
  controller.abort();
  assert.deepEqual(await aborted.next(), { done: true, value: undefined });
  await subscribed(server, 0);
  const last = events.subscribe('/default/c');
  await subscribed(server, 1);
  await events.close();
  assert.equal(sent(server, 'unsubscribe').length, 3);
  // The caller's own close() ends subscriptions normally.
  assert.deepEqual(await last.next(), { done: true, value: undefined });
});

test('unsubscribe_error reaches a subscription already left: it confirms the stop (close() does not wait for more)', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server, { closeTimeoutMs: null }); // close() would hang if it were not absorbed
  await events.connect();
  server.events.faults.failUnsubscribe = true;
  const left = events.subscribe('/default/a');
  const open = events.subscribe('/default/b');
  await subscribed(server, 2);
  assert.deepEqual(await left.return?.(), { done: true, value: undefined });
  await server.events.waitFor(() => sent(server, 'unsubscribe').length === 1);
  await events.close();
  assert.equal(sent(server, 'unsubscribe').length, 2);
  assert.deepEqual(await open.next(), { done: true, value: undefined });
  assert.deepEqual(await left.next(), { done: true, value: undefined });
});

// ---------------------------------------------------------------------------------------------
// One bad subscription never takes the others down

test('a denied channel beside a live one: subscribe_error for that iterator only, the socket stays', async (t) => {
  const server = await eventsServer(t, {
    events: { namespaces: ['default', { name: 'private', subscribeAuthModes: ['AWS_IAM'] }] },
  });
  const events = eventsClient(t, server, { retry: FAST_RETRY });
  await events.connect();
  const live = events.subscribe('/default/chat');
  const denied = events.subscribe('/private/chat');
  const unknown = events.subscribe('/nowhere/chat');
  const deniedError = await errorOf(denied);
  assert.ok(deniedError instanceof TransportQueryError);
  assert.equal(deniedError.code, 'QUERY_ERROR');
  assert.deepEqual(deniedError.errors, [
    { errorType: 'UnauthorizedException', message: "You are not authorized to subscribe to namespace 'private' with API_KEY." },
  ]);
  assert.match(deniedError.queryId ?? '', UUID);
  assert.equal(
    deniedError.message,
    `The server refused the subscription ${deniedError.queryId} (/private/chat): UnauthorizedException: You are not authorized to subscribe to namespace 'private' with API_KEY.`,
  );
  const unknownError = await errorOf(unknown);
  assert.ok(unknownError instanceof TransportQueryError);
  assert.match(unknownError.message, /\(\/nowhere\/chat\): BadRequestException: Namespace 'nowhere' does not exist\.$/);
  noSecret(deniedError, API_KEY);
  noSecret(unknownError, API_KEY);
  await subscribed(server, 1);
  server.events.publish('/default/chat', ['still here']);
  assert.deepEqual(await take(live, 1), ['still here']);
  assert.equal(events.state, 'connected');
  assert.equal(server.events.connectionCount, 1, 'no reconnect loop');
  // A refused subscription is not started again on the next socket.
  server.events.dropConnections({ terminate: true });
  await nextEvent<TransportEvents['connected']>((l) => events.on('connected', l));
  await subscribed(server, 1);
  assert.equal(server.events.subscriptions[0]?.channel, '/default/chat');
  assert.equal(sent(server, 'subscribe').length, 4);
});

test('broadcast_error: without onEventError the subscription ends with it (and is unsubscribed); with it, it goes on', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  await events.connect();
  const strict = events.subscribe('/default/a');
  const seen: TransportError[] = [];
  const tolerant = events.subscribe('/default/b', { onEventError: (e) => seen.push(e) });
  await subscribed(server, 2);
  const ids = Object.fromEntries(server.events.subscriptions.map((s) => [s.channel, s.id]));
  server.events.sendBroadcastError(ids['/default/a'] as string);
  server.events.sendBroadcastError(ids['/default/b'] as string);
  const error = await errorOf(strict);
  assert.ok(error instanceof TransportQueryError);
  assert.equal(
    error.message,
    `The server could not deliver an event to subscription ${ids['/default/a']} (/default/a): MessageProcessingError: There was an error processing the message.`,
  );
  await subscribed(server, 1); // the ended one was unsubscribed on the server
  server.events.publish('/default/b', ['after']);
  assert.deepEqual(await take(tolerant, 1), ['after']);
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof TransportQueryError);
  assert.equal(seen[0].queryId, ids['/default/b']);
});

test('a data event that is not JSON: TransportProtocolError for that subscription only, never a crash', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  await events.connect();
  const strict = events.subscribe('/default/a');
  const seen: TransportError[] = [];
  const tolerant = events.subscribe('/default/b', { onEventError: (e) => seen.push(e) });
  const other = events.subscribe('/default/c');
  await subscribed(server, 3);
  const ids = Object.fromEntries(server.events.subscriptions.map((s) => [s.channel, s.id]));
  server.events.sendRaw(JSON.stringify({ type: 'data', id: ids['/default/a'], event: '{not json' }));
  server.events.sendRaw(JSON.stringify({ type: 'data', id: ids['/default/b'], event: { already: 'an object' } }));
  const error = await errorOf(strict);
  assert.ok(error instanceof TransportProtocolError);
  assert.equal(
    error.message,
    `Expected the "event" of a data message for subscription ${ids['/default/a']} (/default/a) to be a JSON string, but got a string ("{not json").`,
  );
  server.events.publish('/default/b', ['b']);
  server.events.publish('/default/c', ['c']);
  assert.deepEqual(await take(tolerant, 1), ['b']);
  assert.deepEqual(await take(other, 1), ['c']);
  assert.equal(seen.length, 1);
  assert.match(seen[0]?.message ?? '', /but got an object \(\{"already":"an object"\}\)\.$/);
  assert.equal(events.state, 'connected');
});

test('an unknown message type is ignored (an `unknown` event); an id-less error is an `error` event and the connection and its subscriptions stay', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  await events.connect();
  const unknown: string[] = [];
  events.on('unknown', ({ type }) => unknown.push(type));
  const iterator = events.subscribe('/default/a');
  await subscribed(server, 1);
  server.events.sendRaw('{"type":"something_appsync_adds_later","id":"x"}');
  server.events.publish('/default/a', ['fine']);
  assert.deepEqual(await take(iterator, 1), ['fine']);
  assert.deepEqual(unknown, ['something_appsync_adds_later']);
  const reported = nextEvent<TransportEvents['error']>((l) => events.on('error', l));
  server.events.sendRaw('{"type":"error","errors":[{"errorType":"InternalFailure","message":"boom"}]}');
  const { error } = await reported;
  assert.ok(error instanceof TransportServerError);
  assert.equal(error.message, 'The server reported an error without a subscription id: InternalFailure: boom.');
  server.events.publish('/default/a', ['still']);
  assert.deepEqual(await take(iterator, 1), ['still']);
  assert.equal(events.state, 'connected');
});

// ---------------------------------------------------------------------------------------------
// Publish over the WebSocket

test('publish: JSON-stringified events, its own id, resolves with publish_success; subscribers get the values', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  await events.connect();
  const iterator = events.subscribe('/default/chat/*');
  await subscribed(server, 1);
  const result = await events.publish('/default/chat/room1', [{ text: 'hi' }, 42]);
  assert.equal(result.successful.length, 2);
  assert.deepEqual(result.successful.map((e) => e.index), [0, 1]);
  for (const entry of result.successful) assert.match(entry.identifier, UUID);
  assert.deepEqual(result.failed, []);
  assert.deepEqual(await take(iterator, 2), [{ text: 'hi' }, 42]);
  const [publish] = sent(server, 'publish') as Array<{ id: string; channel: string; events: string[]; authorization: Record<string, string> }>;
  assert.ok(publish);
  assert.match(publish.id, UUID);
  assert.notEqual(publish.id, server.events.subscriptions[0]?.id);
  assert.equal(publish.channel, '/default/chat/room1');
  assert.deepEqual(publish.events, ['{"text":"hi"}', '42']);
  assert.deepEqual(publish.authorization, { host: server.host, 'x-api-key': API_KEY });
});

test('publish batching: 12 events go as 3 publishes (5, 5, 2) in order; indexes refer to the caller\'s array', async (t) => {
  const server = await eventsServer(t, { events: { maxEventBytes: 20 } });
  const events = eventsClient(t, server);
  await events.connect();
  const iterator = events.subscribe('/default/chat');
  await subscribed(server, 1);
  const values = Array.from({ length: 12 }, (_, i) => (i === 7 ? { big: 'x'.repeat(40) } : { n: i }));
  const result = await events.publish('/default/chat', values);
  const frames = sent(server, 'publish') as Array<{ id: string; events: string[] }>;
  assert.deepEqual(frames.map((f) => f.events.length), [5, 5, 2]);
  assert.deepEqual(frames.flatMap((f) => f.events), values.map((v) => JSON.stringify(v)));
  assert.equal(new Set(frames.map((f) => f.id)).size, 3);
  assert.deepEqual(result.successful.map((e) => e.index), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11]);
  assert.equal(result.failed.length, 1);
  assert.equal(result.failed[0]?.index, 7);
  assert.equal(result.failed[0]?.message, 'Event exceeds the maximum size of 20 bytes.');
  assert.deepEqual(await take(iterator, 11), values.filter((_, i) => i !== 7));
});

test('publish_error rejects with TransportQueryError (no key in it); a failed batch stops the later ones', async (t) => {
  const server = await eventsServer(t, {
    events: { namespaces: ['default', { name: 'readonly', publishAuthModes: ['AWS_IAM'] }] },
  });
  const events = eventsClient(t, server);
  await events.connect();
  const error = await events.publish('/readonly/news', [1, 2, 3, 4, 5, 6, 7]).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportQueryError);
  assert.deepEqual(error.errors, [{ errorType: 'UnauthorizedException', message: "You are not authorized to publish to namespace 'readonly' with API_KEY." }]);
  assert.equal(
    error.message,
    `The server refused the publish 1/2 (events 0–4 of 7) to /readonly/news (id ${error.queryId}): UnauthorizedException: You are not authorized to publish to namespace 'readonly' with API_KEY.`,
  );
  noSecret(error, API_KEY);
  assert.equal(sent(server, 'publish').length, 1, 'the second batch is not sent');
  const unknown = await events.publish('/nowhere/news', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(unknown instanceof TransportQueryError);
  assert.match(unknown.message, /^The server refused the publish of 1 event to \/nowhere\/news \(id [^)]+\): BadRequestException: Namespace 'nowhere' does not exist\.$/);
  assert.equal(events.state, 'connected');
});

test('publish refuses bad channels and events before anything is sent, and rejects at once when not connected', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  const idle = await events.publish('/default/chat', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(idle instanceof TransportClosed);
  assert.equal(
    idle.message,
    'The events client is not connected: call `await events.connect()` before `subscribe()` or `publish()` (and again after `close()`). `publishHttp()` needs no connection.',
  );
  assert.throws(() => events.subscribe('/default/chat'), TransportClosed);
  await events.connect();
  await assert.rejects(events.publish('/default/*', [1]), (e: unknown) => {
    assert.ok(e instanceof TransportConfigurationError);
    assert.equal(e.message, 'Segment 2 ("*") of channel "/default/*" is the wildcard *, but events are published to one concrete channel; only subscribe() accepts a trailing /*.');
    return true;
  });
  await assert.rejects(events.publish('/default/chat', [undefined]), /^TransportConfigurationError: Event 0 is undefined/);
  assert.throws(() => events.subscribe('/default/bad_name'), (e: unknown) => {
    assert.ok(e instanceof TransportConfigurationError);
    assert.equal(e.message, 'Segment 2 ("bad_name") of channel "/default/bad_name" contains "_", but segments may only contain letters, digits and hyphens ([A-Za-z0-9-]).');
    return true;
  });
  assert.equal(sent(server, 'publish').length + sent(server, 'subscribe').length, 0);
  await events.close();
  await assert.rejects(events.publish('/default/chat', [1]), TransportClosed);
});

test('rate limit: publishes beyond the limit wait in a queue (controlled clock), none is refused', async (t) => {
  const server = await eventsServer(t);
  const clock = new ManualClock();
  const events = eventsClient(t, server, { publishRateLimit: { publishes: 2, perMs: 1000 }, clock });
  await events.connect();
  const iterator = events.subscribe('/default/chat');
  await subscribed(server, 1);
  const count = () => sent(server, 'publish').length;
  const first = events.publish('/default/chat', Array.from({ length: 20 }, (_, i) => i)); // 4 publishes
  const second = events.publish('/default/chat', ['second']); // queued behind, in call order
  await server.events.waitFor(() => count() === 2);
  await clock.scheduled();
  assert.equal(count(), 2, 'the third publish waits for the window');
  clock.advance(999);
  assert.equal(clock.pending, 1);
  clock.advance(1);
  await server.events.waitFor(() => count() === 4);
  await clock.scheduled();
  assert.equal(count(), 4);
  clock.advance(1000);
  await server.events.waitFor(() => count() === 5);
  const [a, b] = await Promise.all([first, second]);
  assert.deepEqual(a.successful.map((e) => e.index), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(b.successful.map((e) => e.index), [0]);
  const frames = sent(server, 'publish') as Array<{ events: string[] }>;
  // The second call got its slot in call order, between the first call's batches.
  assert.deepEqual(frames.map((f) => f.events.length), [5, 1, 5, 5, 5]);
  assert.equal((await take(iterator, 21)).length, 21);
});

test('a publish in flight when the socket drops rejects with the connection error: it may or may not have been published', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server, { retry: FAST_RETRY });
  await events.connect();
  server.events.faults.skipPublishAnswer = true;
  const pending = events.publish('/default/chat', [1]);
  await server.events.waitFor(() => server.events.publishes.length === 1);
  const firstReconnect = nextEvent<TransportEvents['connected']>((l) => events.on('connected', l));
  server.events.dropConnections({ terminate: true });
  const error = await pending.then(() => undefined, (e: unknown) => e);
  await firstReconnect;
  assert.ok(error instanceof TransportConnectionFailed);
  assert.equal(error.closeCode, 1006);
  assert.match(
    error.message,
    /^The connection was lost before the publish of 1 event to \/default\/chat \(id [^)]+\) was answered: the server may or may not have published the 1 event, so it is not sent again\. Cause: The server closed the connection/,
  );
  assert.ok(error.cause instanceof TransportConnectionFailed);
  // It waits for the reconnection instead of failing when sent while reconnecting.
  server.events.faults.skipPublishAnswer = false;
  const reconnected = nextEvent<TransportEvents['connected']>((l) => events.on('connected', l));
  server.events.dropConnections({ terminate: true });
  await nextEvent<TransportEvents['reconnecting']>((l) => events.on('reconnecting', l));
  assert.equal(events.state, 'reconnecting');
  const result = await events.publish('/default/chat', ['after']);
  await reconnected;
  assert.equal(result.successful.length, 1);
  assert.equal(server.events.publishes.at(-1)?.events[0], '"after"');
});

test('a publish waits at most connectTimeoutMs + ackTimeoutMs for a connection, then TransportTimeoutError (phase publish)', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server, { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, connectTimeoutMs: 30, ackTimeoutMs: 40, random: () => 0.5 });
  await events.connect();
  server.events.dropConnections({ terminate: true });
  await nextEvent<TransportEvents['reconnecting']>((l) => events.on('reconnecting', l));
  const error = await events.publish('/default/chat', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportTimeoutError);
  assert.equal(error.phase, 'publish');
  assert.equal(error.timeoutMs, 70);
  assert.equal(
    error.message,
    'The publish of 1 event to /default/chat waited 70 ms (connectTimeoutMs + ackTimeoutMs) for the connection, which is reconnecting, and was not sent. Raise the timeouts, or check the network.',
  );
  // close() rejects a publish waiting for the connection at once.
  const waiting = events.publish('/default/chat', [2]).then(() => undefined, (e: unknown) => e);
  await events.close();
  assert.ok((await waiting) instanceof TransportClosed);
});

test('an unanswered publish times out after ackTimeoutMs (phase publish); close() rejects one in flight', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server, { ackTimeoutMs: 300 });
  await events.connect();
  server.events.faults.skipPublishAnswer = true;
  const error = await events.publish('/default/chat', [1, 2]).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportTimeoutError);
  assert.equal(error.phase, 'publish');
  assert.match(
    error.message,
    /^Expected publish_success or publish_error for the publish of 2 events to \/default\/chat \(id [^)]+\) within 300 ms \(ackTimeoutMs\), but none arrived: the server may or may not have published the 2 events\. Raise ackTimeoutMs if the server is slow\.$/,
  );
  const inFlight = events.publish('/default/chat', [3]).then(() => undefined, (e: unknown) => e);
  await server.events.waitFor(() => server.events.publishes.length === 2);
  await events.close();
  const closed = await inFlight;
  assert.ok(closed instanceof TransportClosed);
  assert.match(
    closed.message,
    /^The events client was closed before the publish of 1 event to \/default\/chat \(id [^)]+\) was answered: the server may or may not have published the 1 event\. Await publish\(\) before close\(\)\.$/,
  );
});

test('publish with an aborted signal rejects with its reason', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server);
  await events.connect();
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(events.publish('/default/chat', [1], { signal: controller.signal }), /^Error: stop$/);
  server.events.faults.skipPublishAnswer = true;
  const late = new AbortController();
  const pending = events.publish('/default/chat', [1], { signal: late.signal });
  await server.events.waitFor(() => server.events.publishes.length === 1);
  late.abort();
  await assert.rejects(pending, { name: 'AbortError' });
});

// ---------------------------------------------------------------------------------------------
// Reconnection

test('reconnect: every subscription is started again with a NEW id; onResubscribed fires; publish works after', async (t) => {
  const server = await eventsServer(t);
  const events = eventsClient(t, server, { retry: FAST_RETRY });
  await events.connect();
  let resubscribed = 0;
  const a = events.subscribe('/default/a', { onResubscribed: () => resubscribed++ });
  const b = events.subscribe('/default/b/*');
  await subscribed(server, 2);
  const before = server.events.subscriptions.map((s) => s.id);
  for (const drop of [{ code: 1001 }, { terminate: true }]) {
    const reconnected = nextEvent<TransportEvents['connected']>((l) => events.on('connected', l));
    server.events.dropConnections(drop);
    await reconnected;
    await subscribed(server, 2);
  }
  const after = server.events.subscriptions.map((s) => s.id);
  for (const id of after) assert.ok(!before.includes(id), 'a new id on the new socket');
  assert.deepEqual(server.events.subscriptions.map((s) => s.channel).sort(), ['/default/a', '/default/b/*']);
  await events.publish('/default/a', ['a']);
  await events.publish('/default/b/c', ['b']);
  assert.deepEqual(await take(a, 1), ['a']);
  assert.deepEqual(await take(b, 1), ['b']);
  assert.equal(resubscribed, 2);
  assert.equal(server.events.connectionCount, 3);
  assert.equal(sent(server, 'connection_init').length, 3);
});

// ---------------------------------------------------------------------------------------------
// IAM, secrets

const SESSION = { accessKeyId: 'ASIAEXAMPLEEVENTS001', secretAccessKey: 'events-SECRET-key/+', sessionToken: 'events-TOKEN-SECRET+/=' };

test('IAM: connect, subscribe, publish and publishHttp are each signed and verified by the local server', async (t) => {
  const server = await eventsServer(t, {
    auth: { iam: { credentials: { [SESSION.accessKeyId]: SESSION } } },
    events: { namespaces: [{ name: 'default', subscribeAuthModes: ['AWS_IAM'], publishAuthModes: ['AWS_IAM'] }] },
  });
  const events = eventsClient(t, server, { auth: new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: SESSION }) });
  await events.connect();
  const iterator = events.subscribe('/default/*');
  await subscribed(server, 1);
  assert.equal(server.events.subscriptions[0]?.authMode, 'AWS_IAM');
  await events.publish('/default/chat', [{ text: 'ünïcode ✓' }]);
  await events.publishHttp('/default/chat', [{ over: 'http' }]);
  assert.deepEqual(await take(iterator, 2), [{ text: 'ünïcode ✓' }, { over: 'http' }]);
  const [subscribe] = sent(server, 'subscribe') as Array<{ authorization: Record<string, string> }>;
  assert.match(
    subscribe?.authorization.Authorization ?? '',
    /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEVENTS001\/\d{8}\/us-east-1\/appsync\/aws4_request, SignedHeaders=accept;content-encoding;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
  );
  assert.equal(subscribe?.authorization.host, server.host);
  assert.deepEqual(server.events.publishes.map((p) => p.via), ['websocket', 'http']);
});

test('IAM: a wrong secret is refused at connect (connection_error), no secret in the message', async (t) => {
  const server = await eventsServer(t, { auth: { iam: { credentials: { [SESSION.accessKeyId]: SESSION } } } });
  const events = eventsClient(t, server, {
    auth: new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { ...SESSION, secretAccessKey: 'WRONG-SECRET' } }),
  });
  const error = await events.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportServerError);
  assert.equal(error.statusCode, 401);
  assert.match(error.message, /The request signature we calculated does not match/);
  noSecret(error, 'WRONG-SECRET', SESSION.secretAccessKey, SESSION.sessionToken);
  assert.equal(events.state, 'closed');
});

test('secret hygiene: a wrong API key fails connect; no key in any error, nor in toString()', async (t) => {
  const server = await eventsServer(t);
  const wrong = 'da2-WRONGKEY-SECRET-0000000000';
  const events = eventsClient(t, server, { auth: new AppSyncApiKeyAuthentication({ apiKey: wrong }) });
  assert.equal(String(events), `AppSyncEventsClient { url: "http://${server.host}/event", state: idle }`);
  const error = await events.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportServerError);
  assert.equal(
    error.message,
    'The server refused the connection: UnauthorizedException: You are not authorized to make this call (errorCode 401). Check the credentials: the API key, token or AWS credentials were rejected or have expired.',
  );
  noSecret(error, wrong);
  const http = await events.publishHttp('/default/chat', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(http instanceof TransportServerError);
  assert.equal(http.statusCode, 401);
  noSecret(http, wrong);
  assert.ok(isTransportError(http));
});

// ---------------------------------------------------------------------------------------------
// HTTP publish

test('publishHttp: POST /event, no connection needed; 12 events are 3 requests; indexes mapped', async (t) => {
  const server = await eventsServer(t);
  const listener = eventsClient(t, server);
  await listener.connect();
  const iterator = listener.subscribe('/default/chat');
  await subscribed(server, 1);
  const requests: Array<{ url: string; headers: Record<string, string>; body: string }> = [];
  const publisher = eventsClient(t, server, {
    fetch: (url, init) => {
      requests.push({ url, headers: init.headers as Record<string, string>, body: String(init.body) });
      return fetch(url, init);
    },
  });
  const values = Array.from({ length: 12 }, (_, i) => ({ i }));
  const result = await publisher.publishHttp('/default/chat', values);
  assert.equal(publisher.state, 'idle');
  assert.deepEqual(result.successful.map((e) => e.index), Array.from({ length: 12 }, (_, i) => i));
  assert.deepEqual(result.failed, []);
  assert.equal(requests.length, 3);
  assert.equal(requests[0]?.url, `http://${server.host}/event`);
  assert.deepEqual(requests[0]?.headers, { accept: 'application/json', 'content-type': 'application/json', 'x-api-key': API_KEY });
  assert.deepEqual(JSON.parse(requests[2]?.body ?? ''), { channel: '/default/chat', events: ['{"i":10}', '{"i":11}'] });
  assert.deepEqual(await take(iterator, 12), values);
  assert.deepEqual(server.events.publishes.map((p) => [p.via, p.events.length]), [['http', 5], ['http', 5], ['http', 2]]);
});

test('publishHttp errors: 4xx → TransportServerError with errors; unreachable → TransportConnectionFailed; bad body → TransportProtocolError', async (t) => {
  const server = await eventsServer(t, { events: { namespaces: ['default', { name: 'readonly', publishAuthModes: ['AWS_IAM'] }] } });
  const events = eventsClient(t, server);
  const denied = await events.publishHttp('/readonly/x', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(denied instanceof TransportServerError);
  assert.equal(denied.statusCode, 401);
  assert.deepEqual(denied.errors, [{ errorType: 'UnauthorizedException', message: "You are not authorized to publish to namespace 'readonly' with API_KEY." }]);
  assert.equal(
    denied.message,
    `http://${server.host}/event answered for the publish of 1 event to /readonly/x with HTTP 401: UnauthorizedException: You are not authorized to publish to namespace 'readonly' with API_KEY. Check the credentials: the API key, token or AWS credentials were rejected, have expired, or may not do this.`,
  );
  const unknown = await events.publishHttp('/nowhere/x', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(unknown instanceof TransportServerError);
  assert.equal(unknown.statusCode, 400);
  const offline = eventsClient(t, server, { fetch: () => Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })) });
  const failed = await offline.publishHttp('/default/x', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(failed instanceof TransportConnectionFailed);
  assert.equal(failed.message, `Could not reach http://${server.host}/event for the publish of 1 event to /default/x: connect ECONNREFUSED. Check the URL and the network.`);
  const odd = eventsClient(t, server, { fetch: async () => new Response('<html>', { status: 200 }) });
  const protocol = await odd.publishHttp('/default/x', [1]).then(() => undefined, (e: unknown) => e);
  assert.ok(protocol instanceof TransportProtocolError);
  assert.equal(
    protocol.message,
    `Expected {"successful": [...], "failed": [...]} from http://${server.host}/event for the publish of 1 event to /default/x, but got a body that is not JSON: "<html>".`,
  );
  noSecret(denied, API_KEY);
});
