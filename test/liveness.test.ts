/**
 * Liveness: noticing a dead socket at once instead of after the keep-alive timeout. A wake-up
 * (injected here; in real life sleep, a network change, a tab coming back) makes the client
 * check the socket, and replace it if nobody answers; `reconnect()` replaces it on request.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket as WsSocket } from 'ws';
import { AppSyncWebsocketsTransport, Client, AppSyncApiKeyAuthentication, TransportClosed, type TransportEvents } from '../src/index.js';
import { DRIFT_THRESHOLD_MS, DRIFT_TICK_MS, timerDriftWakeUps } from '../src/platform/timer-drift.js';
import type { WakeUp, WakeUpSource } from '../src/transport/wake-ups.js';
import { API_KEY, SUBSCRIPTION, framesOfType, localServer, nextEvent, subscriptionsOnServer, take, transportFor, until } from './helpers.js';

/** A wake-up source the test triggers by hand. */
function manualWakeUps(): { source: WakeUpSource; emit(wakeUp: WakeUp): void; listeners(): number } {
  const listeners = new Set<(wakeUp: WakeUp) => void>();
  return {
    source: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (wakeUp) => {
      for (const listener of [...listeners]) listener(wakeUp);
    },
    listeners: () => listeners.size,
  };
}

const startIds = (server: Parameters<typeof framesOfType>[0]): string[] => framesOfType(server, 'start').map((f) => String(f.id));

test('reconnect(): every subscription moves to a new socket with fresh ids, none lost or doubled; onResubscribed fires', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  let resubscribed = 0;
  const iterators = [0, 1, 2].map(() => transport.subscribe(SUBSCRIPTION, { onResubscribed: () => resubscribed++ }));
  await Promise.all(iterators.map((iterator) => iterator.started));
  const [first] = server.realtime.connections;
  const idsBefore = startIds(server);
  await transport.reconnect();
  await subscriptionsOnServer(server, 3);
  await until(() => resubscribed === 3);
  assert.notEqual(server.realtime.connections[0], first, 'a new connection');
  assert.equal(server.realtime.connections.length, 1);
  const idsAfter = startIds(server).slice(3);
  assert.equal(idsAfter.length, 3);
  assert.deepEqual(idsAfter.filter((id) => idsBefore.includes(id)), [], 'fresh ids');
  server.realtime.publish('onCreateMessage', { id: 'after' });
  for (const iterator of iterators) assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'after' } });
});

test('reconnect() before connect() or after close() is refused; close() during reconnect() rejects it with TransportClosed', async (t) => {
  const server = await localServer(t);
  server.realtime.faults.ackDelayMs = 0;
  const transport = transportFor(t, server);
  await assert.rejects(transport.reconnect(), TransportClosed);
  await transport.connect();
  server.realtime.faults.skipAck = true;
  const reconnecting = transport.reconnect();
  await server.realtime.waitFor(() => server.realtime.connectionCount === 2);
  await transport.close();
  await assert.rejects(reconnecting, TransportClosed);
  await assert.rejects(transport.reconnect(), TransportClosed);
});

test('a half-open socket is found at the next wake-up (a ping with no pong within livenessTimeoutMs) and replaced; subscriptions come back with fresh ids', async (t) => {
  const server = await localServer(t);
  const wakeUps = manualWakeUps();
  const transport = transportFor(t, server, { wakeUps: wakeUps.source, livenessTimeoutMs: 100, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
  await transport.connect();
  const iterators = [0, 1].map(() => transport.subscribe(SUBSCRIPTION));
  await Promise.all(iterators.map((iterator) => iterator.started));
  const checks: Array<TransportEvents['liveness']> = [];
  transport.on('liveness', (check) => checks.push(check));

  wakeUps.emit({ type: 'wake', reason: 'a test woke it' });
  await nextEvent((l) => transport.on('liveness', l));
  assert.deepEqual(checks, [{ reason: 'a test woke it', alive: true }], 'a healthy socket answers the ping');

  server.realtime.freezeConnections();
  const disconnected = nextEvent<TransportEvents['disconnected']>((l) => transport.on('disconnected', l));
  wakeUps.emit({ type: 'wake', reason: 'the laptop lid opened' });
  const { error } = await disconnected;
  assert.equal(error.name, 'TransportTimeoutError');
  assert.equal(
    error.message,
    'After a wake-up (the laptop lid opened), expected a sign of life from the server within 100 ms (livenessTimeoutMs), but none came: the connection was dead, so it was replaced.',
  );
  assert.deepEqual(checks.at(-1), { reason: 'the laptop lid opened', alive: false });
  // At once, not after the 60 s backoff: a wake-up is not a flapping server.
  await nextEvent((l) => transport.on('connected', l));
  await server.realtime.waitFor(() => startIds(server).length === 4);
  const [before, after] = [startIds(server).slice(0, 2), startIds(server).slice(2)];
  assert.deepEqual(after.filter((id) => before.includes(id)), []);
  await server.realtime.waitFor(() => server.realtime.subscriptions.filter((s) => after.includes(String(s.id))).length === 2);
  server.realtime.publish('onCreateMessage', { id: 'back' });
  for (const iterator of iterators) assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'back' } });
  await transport.close();
  assert.equal(wakeUps.listeners(), 0, 'close() stops listening');
});

test('without a ping (browsers), a wake-up waits for the interval at which ka frames have been arriving', async (t) => {
  const server = await localServer(t, { keepAliveIntervalMs: 20 });
  class NoPing extends WsSocket {
    override ping = undefined as never;
  }
  const wakeUps = manualWakeUps();
  const transport = transportFor(t, server, { wakeUps: wakeUps.source, livenessTimeoutMs: 60, webSocketImpl: NoPing as never });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await iterator.started;
  await new Promise((resolve) => setTimeout(resolve, 70)); // a few ka frames: their interval is learned
  wakeUps.emit({ type: 'wake', reason: 'visible' });
  assert.equal((await nextEvent<TransportEvents['liveness']>((l) => transport.on('liveness', l))).alive, true);
  server.realtime.freezeConnections();
  wakeUps.emit({ type: 'wake', reason: 'visible again' });
  assert.equal((await nextEvent<TransportEvents['liveness']>((l) => transport.on('liveness', l))).alive, false);
});

test('offline marks the state and tears nothing down; online brings it back and checks the socket', async (t) => {
  const server = await localServer(t);
  const wakeUps = manualWakeUps();
  const transport = transportFor(t, server, { wakeUps: wakeUps.source });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await iterator.started;
  const events: string[] = [];
  transport.on('offline', () => events.push('offline'));
  transport.on('online', () => events.push('online'));
  wakeUps.emit({ type: 'offline' });
  assert.equal(transport.state, 'offline');
  assert.equal(server.realtime.subscriptions.length, 1);
  const checked = nextEvent<TransportEvents['liveness']>((l) => transport.on('liveness', l));
  wakeUps.emit({ type: 'online' });
  assert.equal(transport.state, 'connected');
  assert.deepEqual(await checked, { reason: 'the network came back', alive: true });
  assert.deepEqual(events, ['offline', 'online']);
  server.realtime.publish('onCreateMessage', { id: 'still' });
  assert.equal((await take(iterator, 1)).length, 1);
});

test('Node wake-ups: a timer that fires far later than set (the process was suspended) is a wake-up; one timer for all, stopped with the last listener', () => {
  let monotonic = 0;
  let wall = 1_000_000;
  const timers = new Map<number, () => void>();
  let nextTimer = 0;
  const source = timerDriftWakeUps({
    monotonic: () => monotonic,
    wall: () => wall,
    setTimeout: (callback) => (timers.set(++nextTimer, callback), nextTimer),
    clearTimeout: (handle) => timers.delete(handle as number),
  });
  const fire = (): void => {
    const [id, callback] = [...timers][0] ?? [];
    if (id === undefined || callback === undefined) throw new Error('no timer armed');
    timers.delete(id);
    callback();
  };
  const seen: WakeUp[] = [];
  const stopA = source((wakeUp) => seen.push(wakeUp));
  const stopB = source(() => {});
  assert.equal(timers.size, 1, 'one timer for both');
  monotonic += DRIFT_TICK_MS;
  wall += DRIFT_TICK_MS;
  fire();
  assert.deepEqual(seen, [], 'on time');
  monotonic += DRIFT_TICK_MS + DRIFT_THRESHOLD_MS + 6000; // SIGSTOP: both clocks went on
  wall += DRIFT_TICK_MS + DRIFT_THRESHOLD_MS + 6000;
  fire();
  assert.deepEqual(seen, [{ type: 'wake', reason: 'the process did not run for about 10 s (suspended, asleep or blocked)' }]);
  monotonic += DRIFT_TICK_MS; // the machine slept: the monotonic clock stood still, the wall clock did not
  wall += DRIFT_TICK_MS + 3_600_000;
  fire();
  assert.equal(seen.length, 2);
  stopA();
  assert.equal(timers.size, 1);
  stopB();
  assert.equal(timers.size, 0, 'no timer left');
});

test('Client.reconnect() reconnects every socket; wake-ups reach each of them', async (t) => {
  const server = await localServer(t);
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false, maxSubscriptionsPerConnection: 1 });
  t.after(() => client.close());
  const iterators = [0, 1].map(() => client.subscribe(SUBSCRIPTION));
  await Promise.all(iterators.map((iterator) => iterator.started));
  assert.equal(server.realtime.connections.length, 2);
  const before = [...server.realtime.connections];
  await client.reconnect();
  await subscriptionsOnServer(server, 2);
  assert.equal(server.realtime.connections.filter((c) => before.includes(c)).length, 0, 'both sockets are new');
  server.realtime.publish('onCreateMessage', { id: 'after' });
  for (const iterator of iterators) assert.equal((await take(iterator, 1)).length, 1);
  const lone = new AppSyncWebsocketsTransport({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }) });
  assert.equal(lone.state, 'idle');
});

test('a burst of wake-ups (online, then visible) is one check, not several that cancel each other', async (t) => {
  const server = await localServer(t);
  const wakeUps = manualWakeUps();
  const transport = transportFor(t, server, { wakeUps: wakeUps.source, livenessTimeoutMs: 200 });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await iterator.started;
  const checks: Array<TransportEvents['liveness']> = [];
  transport.on('liveness', (check) => checks.push(check));
  const disconnected: unknown[] = [];
  transport.on('disconnected', (e) => disconnected.push(e));
  wakeUps.emit({ type: 'wake', reason: 'first' });
  wakeUps.emit({ type: 'wake', reason: 'second' });
  wakeUps.emit({ type: 'online' });
  await until(() => checks.length === 3);
  assert.deepEqual(checks.map((c) => c.alive), [true, true, true]);
  assert.deepEqual(disconnected, []);
  assert.equal(server.realtime.connectionCount, 1);
});
