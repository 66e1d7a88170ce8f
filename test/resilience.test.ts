/** Reconnection, resubscription and connection state, proven with the local server's fault injection. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  AppSyncJWTAuthentication,
  TransportBufferOverflowError,
  TransportClosed,
  TransportConnectionFailed,
  TransportProtocolError,
  TransportServerError,
  type TransportEvents,
} from '../src/index.js';
import { backoffDelay, DEFAULT_RETRY } from '../src/transport/retry.js';
import { SUBSCRIPTION, errorOf, framesOfType, localServer, nextEvent, subscriptionsOnServer, take, transportFor } from './helpers.js';

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20 };

function recordEvents(transport: { on: <K extends keyof TransportEvents>(e: K, l: (p: TransportEvents[K]) => void) => () => void }) {
  const log: string[] = [];
  for (const name of ['connecting', 'connected', 'disconnected', 'reconnecting', 'closed'] as const) {
    transport.on(name, (payload) => {
      const p = payload as Record<string, unknown>;
      log.push(name === 'connected' || name === 'connecting' ? `${name}:${p.reconnect ? 'reconnect' : 'first'}` : name);
    });
  }
  return log;
}

for (const [how, drop] of [
  ['with a close frame', { code: 1001, reason: 'going away' }],
  ['without a close frame', { terminate: true }],
] as const) {
  test(`a drop ${how}: new socket, fresh auth, resubscribed with a NEW id, the iterator keeps yielding`, async (t) => {
    const server = await localServer(t);
    const transport = transportFor(t, server, { retry: FAST_RETRY });
    const log = recordEvents(transport);
    await transport.connect();
    let resubscribed = 0;
    const iterator = transport.subscribe(SUBSCRIPTION, { onResubscribed: () => resubscribed++ });
    await subscriptionsOnServer(server, 1);
    const firstId = server.realtime.subscriptions[0]?.id;
    server.realtime.publish('onCreateMessage', { id: 'before' });
    assert.equal((await take(iterator, 1))[0]?.data?.onCreateMessage && 'ok', 'ok');
    server.realtime.dropConnections(drop);
    await nextEvent<TransportEvents['connected']>((l) => transport.on('connected', l));
    await subscriptionsOnServer(server, 1);
    const secondId = server.realtime.subscriptions[0]?.id;
    assert.notEqual(secondId, firstId);
    server.realtime.publish('onCreateMessage', { id: 'after' });
    assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'after' } });
    assert.equal(resubscribed, 1);
    assert.equal(transport.state, 'connected');
    assert.equal(server.realtime.connectionCount, 2);
    assert.equal(framesOfType(server, 'connection_init').length, 2);
    assert.deepEqual(log, ['connecting:first', 'connected:first', 'disconnected', 'reconnecting', 'connecting:reconnect', 'connected:reconnect']);
  });
}

test('a socket closed right after its ack: the client reconnects and resubscribes', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: FAST_RETRY });
  const log = recordEvents(transport);
  server.realtime.faults.closeAfterAck = true;
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  const disconnected = await nextEvent<TransportEvents['disconnected']>((l) => transport.on('disconnected', l));
  assert.ok(disconnected.error instanceof TransportConnectionFailed);
  assert.equal(disconnected.code, 1012);
  assert.match(disconnected.error.message, /^The server closed the connection to ws:\/\/127\.0\.0\.1:\d+\/graphql\/realtime \(code 1012, reason "service restart"\)\.$/);
  server.realtime.faults.closeAfterAck = false;
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'after-restart' });
  assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'after-restart' } });
  assert.deepEqual(log.slice(0, 3), ['connecting:first', 'connected:first', 'disconnected']);
});

test('a WebSocket that reports its close in the same turn as the ack: a failed attempt, never a half-open transport', async (t) => {
  const server = await localServer(t);
  const { WebSocket: WsSocket } = await import('ws');
  let sockets = 0;
  /** `ws`, except that its first socket reports a close right behind the ack, in the same turn. */
  class SyncCloseWebSocket extends WsSocket {
    constructor(url: string, protocols?: string | string[], options?: object) {
      super(url, protocols, options);
      if (++sockets > 1) return;
      const closeListeners: ((event: { code: number; reason: string }) => void)[] = [];
      const add = this.addEventListener.bind(this);
      (this as unknown as { addEventListener: unknown }).addEventListener = (type: string, listener: never) => {
        if (type === 'close') closeListeners.push(listener);
        add(type as 'close', listener);
      };
      this.on('message', (data) => {
        if (!String(data).includes('connection_ack')) return;
        queueMicrotask(() => {
          this.terminate();
          for (const listener of closeListeners) listener({ code: 1006, reason: '' });
        });
      });
    }
  }
  const transport = transportFor(t, server, { retry: FAST_RETRY, webSocketImpl: SyncCloseWebSocket as never });
  const log = recordEvents(transport);
  // The first connect() does not retry: it fails with the close, and the transport is closed.
  const error = await transport.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportConnectionFailed, String(error));
  assert.equal(error.closeCode, 1006);
  assert.equal(transport.state, 'closed');
  assert.deepEqual(log, ['connecting:first', 'closed']);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'second-socket' });
  assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'second-socket' } });
  assert.equal(sockets, 2);
});

test('a shouldRetry or random that throws ends the client with that failure, never the process', async (t) => {
  for (const retry of [
    { ...FAST_RETRY, shouldRetry: (): boolean => { throw new SyntaxError('bad policy'); } },
    FAST_RETRY,
  ]) {
    const server = await localServer(t);
    const transport = transportFor(t, server, { retry, random: retry === FAST_RETRY ? () => { throw new SyntaxError('bad policy'); } : Math.random });
    await transport.connect();
    const iterator = transport.subscribe(SUBSCRIPTION);
    await subscriptionsOnServer(server, 1);
    const closed = nextEvent<TransportEvents['closed']>((l) => transport.on('closed', l));
    server.realtime.dropConnections({ code: 1001, reason: 'going away' });
    const error = await errorOf(iterator);
    assert.ok(error instanceof TransportProtocolError, String(error));
    assert.equal(error.message, 'Unexpected failure in the client: SyntaxError. The original error is in `cause`.');
    assert.equal((await closed).error, error);
    assert.equal(transport.state, 'closed');
  }
});

test('a server that stops sending ka: the keep-alive timeout reconnects', async (t) => {
  const server = await localServer(t, { keepAliveIntervalMs: 10 });
  const transport = transportFor(t, server, { retry: FAST_RETRY, keepAliveTimeoutMs: 60 });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.faults.keepAliveStopped = true;
  const disconnected = await nextEvent<TransportEvents['disconnected']>((l) => transport.on('disconnected', l));
  assert.equal(disconnected.error.name, 'TransportTimeoutError');
  server.realtime.faults.keepAliveStopped = false;
  await nextEvent((l) => transport.on('connected', l));
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'alive' });
  assert.equal((await take(iterator, 1)).length, 1);
});

test('a handshake refused with 503 three times, then accepted', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: FAST_RETRY });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const attempts: number[] = [];
  transport.on('reconnecting', ({ attempt }) => attempts.push(attempt));
  server.realtime.refuseHandshakes(503, 3);
  server.realtime.dropConnections({ code: 1011, reason: 'internal' });
  const connected = await nextEvent<TransportEvents['connected']>((l) => transport.on('connected', l));
  assert.equal(connected.attempt, 4);
  assert.deepEqual(attempts, [1, 2, 3, 4]);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'back' });
  assert.equal((await take(iterator, 1)).length, 1);
});

test('a 401 on reconnect is fixed by re-reading the token once', async (t) => {
  const valid = new Set(['token-1']);
  const server = await localServer(t, { auth: { jwt: (token) => valid.has(token) } });
  const issued = ['token-1', 'token-1', 'token-1', 'token-2'];
  let calls = 0;
  const transport = transportFor(t, server, {
    retry: FAST_RETRY,
    auth: new AppSyncJWTAuthentication({ jwt: () => issued[Math.min(calls++, issued.length - 1)] as string }),
  });
  await transport.connect(); // token-1
  const iterator = transport.subscribe(SUBSCRIPTION); // token-1
  await subscriptionsOnServer(server, 1);
  valid.clear();
  valid.add('token-2'); // token-1 expires
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  const connected = await nextEvent<TransportEvents['connected']>((l) => transport.on('connected', l));
  assert.equal(connected.attempt, 2, 'the first attempt sent the stale token-1');
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'refreshed' });
  assert.equal((await take(iterator, 1)).length, 1);
});

test('a 401 that a fresh token does not fix is final: subscriptions throw, no retry loop', async (t) => {
  const valid = new Set(['good']);
  const server = await localServer(t, { auth: { jwt: (token) => valid.has(token) } });
  const transport = transportFor(t, server, { retry: FAST_RETRY, auth: new AppSyncJWTAuthentication({ jwt: () => 'good' }) });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  valid.clear();
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportServerError);
  assert.equal(error.statusCode, 401);
  assert.equal(framesOfType(server, 'connection_init').length, 3, 'first connect, then exactly two attempts');
  assert.equal(transport.state, 'closed');
});

test('the 24-hour cut-off (server closes the socket) is just another reconnect', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: FAST_RETRY });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.dropConnections({ code: 1000, reason: 'Connection lifetime exceeded' });
  await nextEvent((l) => transport.on('connected', l));
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'day 2' });
  assert.equal((await take(iterator, 1)).length, 1);
});

test('an invalidated subscription ends and is not restarted; the others are', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: FAST_RETRY });
  await transport.connect();
  const invalidated = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const kept = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  server.realtime.invalidate(server.realtime.subscriptions[0]?.id as string);
  assert.deepEqual(await invalidated.next(), { done: true, value: undefined });
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  await nextEvent((l) => transport.on('connected', l));
  await subscriptionsOnServer(server, 1);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(server.realtime.subscriptions.length, 1);
  server.realtime.publish('onCreateMessage', { id: 'k' });
  assert.equal((await take(kept, 1)).length, 1);
});

test('100 subscriptions through 20 random drops: each live exactly once, nothing published after resubscription is lost', async (t) => {
  const server = await localServer(t);
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const transport = transportFor(t, server, { retry: FAST_RETRY, random });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  await transport.connect();
  const iterators = Array.from({ length: 100 }, () => transport.subscribe(SUBSCRIPTION));
  await subscriptionsOnServer(server, 100);
  for (let round = 0; round < 20; round++) {
    server.realtime.dropConnections(random() < 0.5 ? { terminate: true } : { code: 1001, reason: `drop ${round}` });
    await nextEvent((l) => transport.on('connected', l));
    await subscriptionsOnServer(server, 100);
    const ids = new Set(server.realtime.subscriptions.map((s) => s.id));
    assert.equal(ids.size, 100, 'every wanted subscription exactly once');
    assert.equal(server.realtime.connections.length, 1);
    assert.equal(server.realtime.publish('onCreateMessage', { id: `round ${round}` }), 100);
    const results = await Promise.all(iterators.map((it) => take(it, 1)));
    assert.ok(results.every((r) => r[0]?.data?.onCreateMessage !== undefined && JSON.stringify(r[0].data).includes(`round ${round}`)));
  }
  assert.deepEqual(unhandled, []);
});

test('a subscription left while disconnected is not restarted; no stray ids on the server', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: { baseDelayMs: 80, maxDelayMs: 80 } });
  await transport.connect();
  const left = transport.subscribe(SUBSCRIPTION);
  const kept = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  await nextEvent((l) => transport.on('reconnecting', l));
  assert.equal(transport.state, 'reconnecting');
  await left.return?.();
  const during = transport.subscribe(SUBSCRIPTION); // made while reconnecting: starts on the new socket
  await nextEvent((l) => transport.on('connected', l));
  await subscriptionsOnServer(server, 2);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(server.realtime.subscriptions.length, 2);
  server.realtime.publish('onCreateMessage', { id: 'x' });
  assert.equal((await take(kept, 1)).length, 1);
  assert.equal((await take(during, 1)).length, 1);
});

test('a new subscription on a live socket does not flip the state to connecting', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: FAST_RETRY });
  await transport.connect();
  const log = recordEvents(transport);
  transport.subscribe(SUBSCRIPTION);
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  assert.deepEqual(log, []);
  assert.equal(transport.state, 'connected');
});

test('attempts exhausted: subscriptions throw the last error and the transport is closed', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: { ...FAST_RETRY, attempts: 2 } });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.refuseHandshakes(503);
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportConnectionFailed);
  assert.equal(error.statusCode, 503);
  assert.equal(transport.state, 'closed');
});

test('shouldRetry can refuse a retry', async (t) => {
  const server = await localServer(t);
  const seen: string[] = [];
  const transport = transportFor(t, server, { retry: { ...FAST_RETRY, shouldRetry: (e) => (seen.push(e.name), false) } });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.dropConnections({ code: 4001, reason: 'no' });
  assert.ok((await errorOf(iterator)) instanceof TransportConnectionFailed);
  assert.deepEqual(seen, ['TransportConnectionFailed']);
});

test('close() during the backoff wait ends at once; iterators end normally; no reconnect after', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  await nextEvent((l) => transport.on('reconnecting', l));
  await transport.close();
  assert.deepEqual(await iterator.next(), { done: true, value: undefined });
  assert.equal(transport.state, 'closed');
  assert.equal(server.realtime.connectionCount, 1);
});

test('a bounded buffer: exactly maxBufferedResults results, then the error; stop is sent at once and it is never resubscribed', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: FAST_RETRY });
  await transport.connect();
  let resubscribed = 0;
  const slow = transport.subscribe(SUBSCRIPTION, { maxBufferedResults: 3, onResubscribed: () => resubscribed++ });
  const other = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  for (let i = 0; i < 5; i++) server.realtime.publish('onCreateMessage', { id: String(i) });
  await server.realtime.waitFor(() => framesOfType(server, 'stop').length === 1);
  await subscriptionsOnServer(server, 1);
  const read: unknown[] = [];
  let error: unknown;
  try {
    for await (const result of slow) read.push(result);
  } catch (caught) {
    error = caught;
  }
  assert.equal(read.length, 3, 'what was buffered is still delivered, and nothing more');
  assert.ok(error instanceof TransportBufferOverflowError);
  assert.equal(
    error.message,
    'Expected the consumer to keep up with this subscription, but 3 results were waiting to be read (maxBufferedResults) when another arrived; the subscription was stopped. Read results faster, or raise maxBufferedResults.',
  );
  assert.equal((await take(other, 5)).length, 5, 'the other subscription is untouched');
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  await nextEvent((l) => transport.on('connected', l));
  await subscriptionsOnServer(server, 1);
  assert.equal(resubscribed, 0);
});

test('backoff: doubling from the base to the cap, with equal jitter', () => {
  const low = () => 0;
  const high = () => 0.999999;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(DEFAULT_RETRY, n, low)), [500, 1000, 2000, 4000, 8000, 15000, 15000]);
  assert.deepEqual([1, 2, 6].map((n) => backoffDelay(DEFAULT_RETRY, n, high)), [1000, 2000, 30000]);
});

test('leak test: thousands of subscribe/unsubscribe cycles leave the heap flat and the server at zero', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const cycle = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const iterator = transport.subscribe(SUBSCRIPTION, { signal: new AbortController().signal });
      await iterator.return?.();
    }
    await server.realtime.waitFor(() => framesOfType(server, 'stop').length === framesOfType(server, 'start').length && server.realtime.subscriptions.length === 0);
  };
  await cycle(500); // warm-up
  server.realtime.received.length = 0;
  gc();
  const before = process.memoryUsage().heapUsed;
  await cycle(5000);
  server.realtime.received.length = 0;
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(server.realtime.subscriptions.length, 0);
  // A leaked subscription costs well over 600 B (record, stream, closures, payload string):
  // 5000 of them would be 3 MB. GC noise here is a few hundred KB either way.
  assert.ok(grown < 1_500_000, `heap grew by ${grown} bytes over 5000 cycles (more than 300 B a cycle)`);
});

test('an `online` event (browsers) skips the rest of the backoff wait', async (t) => {
  const server = await localServer(t);
  // Node has no window events; give globalThis the EventTarget methods a browser has.
  const target = new EventTarget();
  const g = globalThis as unknown as Record<string, unknown>;
  g.addEventListener = target.addEventListener.bind(target);
  g.removeEventListener = target.removeEventListener.bind(target);
  t.after(() => {
    delete g.addEventListener;
    delete g.removeEventListener;
  });
  const transport = transportFor(t, server, { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.dropConnections({ code: 1001, reason: 'offline' });
  const { delayMs } = await nextEvent<TransportEvents['reconnecting']>((l) => transport.on('reconnecting', l));
  assert.ok(delayMs >= 30_000);
  target.dispatchEvent(new Event('online'));
  await nextEvent((l) => transport.on('connected', l));
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'online' });
  assert.equal((await take(iterator, 1)).length, 1);
});
