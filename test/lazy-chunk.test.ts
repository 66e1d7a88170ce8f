/**
 * The lazy chunk of what a connection needs only later (src/transport/later.ts, issue #15): it
 * starts loading when a socket opens; a load that fails is retried at the next open, and never
 * reaches the app as an error or an unhandled rejection; code that needs it and cannot have it
 * (a wake-up's liveness check) is skipped, and the connection goes on. The loader is injected.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { TransportEvents } from '../src/index.js';
import { laterNow, loadLater, setLaterLoader, type Later } from '../src/transport/later-loader.js';
import type { WakeUp } from '../src/transport/wake-ups.js';
import { SUBSCRIPTION, localServer, nextEvent, subscriptionsOnServer, take, transportFor } from './helpers.js';

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 5, attempts: 5 };

/** A loader that fails its first `failures` calls (an offline page, a deploy that removed the chunk), counting every call. */
function flakyLoader(t: TestContext, failures: number): { calls(): number; nextCall(): Promise<void> } {
  let calls = 0;
  let waiting: (() => void) | undefined;
  setLaterLoader(() => {
    calls += 1;
    waiting?.();
    waiting = undefined;
    return calls <= failures ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : (import('../src/transport/later.js') as Promise<Later>);
  });
  t.after(() => setLaterLoader());
  return { calls: () => calls, nextCall: () => new Promise((resolve) => (waiting = resolve)) };
}

/** Fails the test if anything goes unhandled while it runs. */
function noUnhandled(t: TestContext): void {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void seen.push(reason);
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  t.after(async () => {
    // Rejections are reported after the microtask queue drains: let it drain first.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    assert.deepEqual(seen, [], 'nothing unhandled');
  });
}

test('the chunk loads when the socket opens; a load that fails once is retried at the next open, silently, and the transport connects, delivers and reconnects', async (t) => {
  noUnhandled(t);
  const loader = flakyLoader(t, 1);
  const server = await localServer(t);
  const transport = transportFor(t, server, { retry: FAST_RETRY });
  const errors: unknown[] = [];
  transport.on('closed', ({ error }) => errors.push(error));
  assert.equal(loader.calls(), 0, 'nothing loads before a socket opens');
  await transport.connect();
  assert.equal(loader.calls(), 1, 'the socket opened: the chunk was asked for (and failed)');
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'first' });
  assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'first' } });
  assert.equal(laterNow(), undefined);

  server.realtime.dropConnections({ code: 1001, reason: 'going away' });
  await nextEvent<TransportEvents['connected']>((l) => transport.on('connected', l));
  assert.equal(loader.calls(), 2, 'the next open asked again');
  assert.ok((await loadLater()) !== undefined, 'and that load succeeded');
  assert.equal(loader.calls(), 2, 'one load, shared');
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'after the drop' });
  assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'after the drop' } });

  server.realtime.dropConnections({ code: 1001, reason: 'again' });
  await nextEvent<TransportEvents['connected']>((l) => transport.on('connected', l));
  assert.equal(loader.calls(), 2, 'once loaded, an open loads nothing');
  await transport.close();
  assert.deepEqual(errors, [undefined], 'closed by close(), never by the chunk');
});

test('a wake-up while the chunk cannot load skips its liveness check without an error; once it loads, the next wake-up checks the socket', async (t) => {
  noUnhandled(t);
  const loader = flakyLoader(t, 2);
  const server = await localServer(t);
  const listeners = new Set<(wakeUp: WakeUp) => void>();
  const wakeUps = (listener: (wakeUp: WakeUp) => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const wake = (reason: string): void => {
    for (const listener of [...listeners]) listener({ type: 'wake', reason });
  };
  const transport = transportFor(t, server, { wakeUps, livenessTimeoutMs: 1000 });
  const checks: Array<TransportEvents['liveness']> = [];
  transport.on('liveness', (check) => checks.push(check));
  await transport.connect();
  assert.equal(loader.calls(), 1, 'the prefetch at open failed');

  const asked = loader.nextCall();
  wake('a wake-up without the chunk');
  await asked;
  // One turn of the event loop: the failed load is forgotten (its rejection handled) by then.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(loader.calls(), 2, 'the check asked for the chunk, which failed again');
  const checked = nextEvent<TransportEvents['liveness']>((l) => transport.on('liveness', l));
  wake('a wake-up with the chunk');
  assert.deepEqual(await checked, { reason: 'a wake-up with the chunk', alive: true });
  assert.deepEqual(checks, [{ reason: 'a wake-up with the chunk', alive: true }], 'the first check was skipped, not failed');
  assert.equal(transport.state, 'connected');
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'still here' });
  assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: 'still here' } });
});
