/**
 * The client against hostile servers and racing callers: each test is a defect an outside probe
 * found (issue #13), reproduced over a real socket, with what must happen instead.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';
import {
  AppSyncApiKeyAuthentication,
  AppSyncEventsClient,
  AppSyncIAMAuthentication,
  AppSyncJWTAuthentication,
  AppSyncWebsocketsTransport,
  Client,
  TransportAuthError,
  TransportClosed,
  TransportConfigurationError,
  TransportQueryError,
  TransportServerError,
  TransportTimeoutError,
  type AppSyncAuthentication,
  type TransportError,
} from '../src/index.js';
import { acceptWith, rawServer, textFrame as textFrameFor, unmask } from './raw-server.js';
import { API_KEY, SUBSCRIPTION, errorOf, framesOfType, localServer, nextEvent, subscriptionsOnServer, take, transportFor, until } from './helpers.js';

const REFUSED = JSON.stringify({
  type: 'connection_error',
  payload: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.', errorCode: 401 }] },
});

const never = <T>(): Promise<T> => new Promise<T>(() => {});

// ---- 1. frames that arrive with the upgrade ---------------------------------------------------

test('a connection_error written in the same TCP write as the 101 is heard: connect() fails with it, at once', async (t) => {
  const server = await rawServer(t, (req, socket) => acceptWith(req, socket, 'graphql-ws', [REFUSED]));
  const transport = new AppSyncWebsocketsTransport({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  const error = await transport.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportServerError, String(error));
  assert.match(error.message, /^The server refused the connection: UnauthorizedException: You are not authorized to make this call \(errorCode 401\)\. Check the credentials/);
  assert.equal(transport.state, 'closed');
});

test('connection_ack and ka written with the 101 are heard: connect() resolves with the ack payload', async (t) => {
  const server = await rawServer(t, (req, socket) =>
    acceptWith(req, socket, 'graphql-ws', ['{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}', '{"type":"ka"}']),
  );
  const transport = new AppSyncWebsocketsTransport({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false, ackTimeoutMs: 5000 });
  t.after(() => transport.close());
  await transport.connect();
  assert.deepEqual(transport.payloads.connection_ack, { connectionTimeoutMs: 300000 });
});

test('with retry on, a key refused in the upgrade write is an auth failure: exactly two attempts after a drop, not endless reconnects', async (t) => {
  let refuse = false;
  const server = await rawServer(t, (req, socket) =>
    acceptWith(req, socket, 'graphql-ws', [refuse ? REFUSED : '{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}']),
  );
  const transport = new AppSyncWebsocketsTransport({
    url: server.url,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });
  t.after(() => transport.close());
  await transport.connect();
  refuse = true;
  const closed = nextEvent<{ error: TransportError | undefined }>((l) => transport.on('closed', l));
  for (const socket of server.open) socket.destroy();
  const { error } = await closed;
  assert.ok(error instanceof TransportServerError);
  assert.equal(server.upgrades, 3, 'the first connect, then one retry and one retry with fresh credentials');
});

test('Events: a connection_error written with the 101 is heard too', async (t) => {
  const server = await rawServer(t, (req, socket) => acceptWith(req, socket, 'aws-appsync-event-ws', [REFUSED]));
  const events = new AppSyncEventsClient({ url: server.url.replace('/graphql', '/event'), auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  await assert.rejects(events.connect(), (e: unknown) => e instanceof TransportServerError && /UnauthorizedException/.test(e.message));
});

// ---- 2. auth providers that never answer ------------------------------------------------------

test('a JWT provider that never settles: connect() fails with TransportTimeoutError (phase auth) naming it', async () => {
  const transport = new AppSyncWebsocketsTransport({ url: 'http://127.0.0.1:9/graphql', auth: new AppSyncJWTAuthentication({ jwt: never }), authTimeoutMs: 30, retry: false });
  const error = await transport.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportTimeoutError);
  assert.equal(error.phase, 'auth');
  assert.equal(
    error.message,
    'Expected the auth (mode AMAZON_COGNITO_USER_POOLS) to give the headers for the connect within 30 ms (authTimeoutMs), but it did not answer: its getHeaders() never settled (with the built-in auth classes, the `jwt` function). Make it resolve or reject, or raise authTimeoutMs.',
  );
  assert.equal(transport.state, 'closed');
});

test('a provider that hangs at a start: the first next() fails (phase auth) instead of hanging; the connection stays', async (t) => {
  const server = await localServer(t, { auth: { jwt: ['jwt-token'] } });
  let calls = 0;
  const transport = transportFor(t, server, { auth: new AppSyncJWTAuthentication({ jwt: () => (++calls === 2 ? never<string>() : 'jwt-token') }), authTimeoutMs: 30 });
  await transport.connect();
  const error = await errorOf(transport.subscribe(SUBSCRIPTION));
  assert.ok(error instanceof TransportTimeoutError);
  assert.equal(error.phase, 'auth');
  assert.match(error.message, /for the start of subscription [\w-]+ within 30 ms \(authTimeoutMs\)/);
  const next = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: 'ok' });
  assert.equal((await take(next, 1)).length, 1);
});

test('custom getHeaders and IAM credentials providers that hang are bounded too; a reconnect does not stay in reconnecting', async (t) => {
  const custom: AppSyncAuthentication = { mode: 'AWS_LAMBDA', getHeaders: never };
  const iam = new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: never });
  for (const auth of [custom, iam]) {
    const transport = new AppSyncWebsocketsTransport({ url: 'http://127.0.0.1:9/graphql', auth, authTimeoutMs: 20, retry: false });
    await assert.rejects(transport.connect(), (e: unknown) => e instanceof TransportTimeoutError && e.phase === 'auth');
  }
  const server = await localServer(t, { auth: { jwt: ['jwt-token'] } });
  let hang = false;
  const transport = transportFor(t, server, {
    auth: new AppSyncJWTAuthentication({ jwt: () => (hang ? never<string>() : 'jwt-token') }),
    authTimeoutMs: 20,
    retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
  });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  hang = true;
  server.realtime.dropConnections({ code: 1001, reason: 'bye' });
  const error = await errorOf(iterator);
  assert.ok(error instanceof TransportTimeoutError && error.phase === 'auth', String(error));
  assert.equal(transport.state, 'closed');
});

test('close() while the connect waits for the auth: connect() rejects with TransportClosed at once', async () => {
  const transport = new AppSyncWebsocketsTransport({ url: 'http://127.0.0.1:9/graphql', auth: new AppSyncJWTAuthentication({ jwt: never }), authTimeoutMs: null, retry: false });
  const connecting = transport.connect();
  await transport.close();
  await assert.rejects(connecting, TransportClosed);
  assert.equal(transport.state, 'closed');
});

// ---- 4. close() during a handshake --------------------------------------------------------------

test('close() during the handshake closes the socket and connect() rejects with TransportClosed (ackTimeoutMs: null)', async (t) => {
  const server = await localServer(t);
  server.realtime.faults.skipAck = true;
  const transport = transportFor(t, server, { ackTimeoutMs: null });
  const connecting = transport.connect();
  await server.realtime.waitFor(() => server.realtime.connections.length === 1);
  await transport.close();
  assert.equal(transport.state, 'closed');
  const error = await connecting.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportClosed, String(error));
  await server.realtime.waitFor(() => server.realtime.connections.length === 0);
});

test('close() while the socket is still opening (the server never answers the upgrade)', async (t) => {
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer();
  const closedOnServer = new Promise<void>((resolve) => {
    silent.once('connection', (socket) => socket.once('close', () => resolve()));
  });
  silent.on('connection', (socket) => {
    sockets.add(socket);
    socket.resume();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  const transport = new AppSyncWebsocketsTransport({
    url: `http://127.0.0.1:${(silent.address() as { port: number }).port}/graphql`,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    connectTimeoutMs: null,
    retry: false,
  });
  const connecting = transport.connect();
  await until(() => sockets.size === 1);
  await transport.close();
  await assert.rejects(connecting, TransportClosed);
  await closedOnServer;
});

// ---- 5. the Client's idle sockets ---------------------------------------------------------------

test('Client: a subscription left before its socket connected leaves no idle socket behind', async (t) => {
  const server = await localServer(t);
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false, lazyCloseDelayMs: 0 });
  t.after(() => client.close());
  for (let i = 0; i < 50; i++) {
    const iterator = client.subscribe(SUBSCRIPTION);
    const pending = iterator.next();
    await iterator.return?.();
    assert.deepEqual(await pending, { done: true, value: undefined });
  }
  await until(() => client.sockets.length === 0);
  await server.realtime.waitFor(() => server.realtime.connections.length === 0);
});

// ---- 6. timers longer than setTimeout can hold ----------------------------------------------------

test('durations above 2^31-1 ms are refused at construction; a server keep-alive that long is clamped', async (t) => {
  for (const option of ['connectTimeoutMs', 'ackTimeoutMs', 'closeTimeoutMs', 'keepAliveTimeoutMs', 'authTimeoutMs'] as const) {
    assert.throws(
      () => new AppSyncWebsocketsTransport({ url: 'http://127.0.0.1:9/graphql', [option]: 2 ** 31 }),
      (e: unknown) => e instanceof TransportConfigurationError && e.message === `Expected ${option} to be at most 2147483647 ms (about 24.8 days, the longest delay a timer holds), but got 2147483648. Pass null to wait forever.`,
    );
  }
  assert.throws(() => new AppSyncWebsocketsTransport({ url: 'http://127.0.0.1:9/graphql', retry: { maxDelayMs: 3e9 } }), TransportConfigurationError);
  assert.throws(() => new Client({ url: 'http://127.0.0.1:9/graphql', lazyCloseDelayMs: 3e9 }), TransportConfigurationError);
  const server = await localServer(t, { connectionTimeoutMs: 3e9 });
  const delays: number[] = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((callback: () => void, ms?: number, ...rest: unknown[]) => {
    delays.push(ms ?? 0);
    return original(callback, ms, ...rest);
  }) as typeof setTimeout;
  t.after(() => {
    globalThis.setTimeout = original;
  });
  const transport = transportFor(t, server);
  await transport.connect();
  globalThis.setTimeout = original;
  assert.ok(delays.length > 0);
  assert.deepEqual(delays.filter((ms) => ms > 2 ** 31 - 1), [], 'no timer is asked for more than it can hold');
  assert.ok(delays.includes(2 ** 31 - 1), 'the keep-alive is clamped');
});

// ---- 7. keep-alive and time ----------------------------------------------------------------------

test('keep-alive reads a monotonic clock: a wall clock stepped back an hour does not hide a dead socket', async (t) => {
  const server = await localServer(t, { keepAliveIntervalMs: 10 });
  const transport = transportFor(t, server, { keepAliveTimeoutMs: 60 });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const realNow = Date.now;
  Date.now = () => realNow() - 3_600_000;
  t.after(() => {
    Date.now = realNow;
  });
  server.realtime.faults.keepAliveStopped = true;
  const error = await errorOf(iterator);
  Date.now = realNow;
  assert.ok(error instanceof TransportTimeoutError && error.phase === 'keep-alive', String(error));
});

/** A ws server in another process, so that it goes on sending `ka` while this one is blocked. */
async function keepAliveServerProcess(t: import('node:test').TestContext): Promise<string> {
  const wsUrl = import.meta.resolve('ws');
  const code = `
    import { WebSocketServer } from ${JSON.stringify(wsUrl)};
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-ws' });
    wss.on('connection', (ws) => {
      ws.on('message', (m) => {
        if (JSON.parse(String(m)).type === 'connection_init') ws.send('{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}');
      });
      const timer = setInterval(() => ws.send('{"type":"ka"}'), 10);
      ws.on('close', () => clearInterval(timer));
    });
    wss.on('listening', () => console.log(wss.address().port));
    process.stdin.on('end', () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => child.kill());
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(String(chunk).trim())));
  return `ws://127.0.0.1:${port}/graphql`;
}

test('an event loop blocked longer than the keep-alive timeout does not kill a healthy connection: queued ka frames are read first', async (t) => {
  const url = await keepAliveServerProcess(t);
  const transport = new AppSyncWebsocketsTransport({ url, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), keepAliveTimeoutMs: 100, retry: false });
  t.after(() => transport.close());
  await transport.connect();
  const disconnected: unknown[] = [];
  transport.on('disconnected', (e) => disconnected.push(e.error));
  const blockedUntil = performance.now() + 300;
  while (performance.now() < blockedUntil) {
    // A blocking task (a debugger pause, a long synchronous job) holds the event loop.
  }
  // The overdue keep-alive check runs in the next timers phase; a timer set now runs after it.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(disconnected, []);
  assert.equal(transport.state, 'connected');
});

// ---- 8. state seen by callbacks -----------------------------------------------------------------

test('a final failure sets the state (and emits closed) before observers and iterators see the error', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const seen: string[] = [];
  transport.on('closed', () => seen.push('closed event'));
  const observed = new Promise<void>((resolve) => {
    transport.observe(SUBSCRIPTION, { next() {}, error: () => (seen.push(`observer.error in ${transport.state}`), resolve()) });
  });
  const iterator = transport.subscribe(SUBSCRIPTION);
  const rejected = iterator.next().catch(() => seen.push(`next() rejected in ${transport.state}`));
  await subscriptionsOnServer(server, 2);
  server.realtime.dropConnections({ code: 1011, reason: 'gone' });
  await observed;
  await rejected;
  assert.deepEqual(seen, ['closed event', 'observer.error in closed', 'next() rejected in closed']);
});

test("the caller's close() ends observers with complete() and pending next() calls with done", async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const ended: string[] = [];
  transport.observe(SUBSCRIPTION, { next() {}, error: (e) => ended.push(`error ${e.name}`), complete: () => ended.push(`complete in ${transport.state}`) });
  const iterator = transport.subscribe(SUBSCRIPTION);
  const pending = iterator.next();
  await subscriptionsOnServer(server, 2);
  await transport.close();
  assert.deepEqual(await pending, { done: true, value: undefined });
  assert.deepEqual(ended, ['complete in closed']);
});

// ---- 9. smaller defects -------------------------------------------------------------------------

test('a repeated start_ack for the same id is no resubscription', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  let resubscribed = 0;
  const iterator = transport.subscribe(SUBSCRIPTION, { onResubscribed: () => resubscribed++ });
  await subscriptionsOnServer(server, 1);
  const id = String(framesOfType(server, 'start')[0]?.id);
  server.realtime.sendRaw(JSON.stringify({ type: 'start_ack', id }));
  server.realtime.sendRaw(JSON.stringify({ type: 'start_ack', id }));
  server.realtime.publish('onCreateMessage', { id: 'after' });
  assert.equal((await take(iterator, 1)).length, 1);
  assert.equal(resubscribed, 0);
});

test('an error frame with 20 000 errors makes a short message that says how many were left out; nested errors are shown, not [object Object]', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const many = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const errors = Array.from({ length: 20_000 }, (_, i) => ({ errorType: 'Boom', message: `failure ${i} ${'x'.repeat(1000)}` }));
  server.realtime.sendRaw(JSON.stringify({ type: 'error', id: framesOfType(server, 'start')[0]?.id, payload: { errors } }));
  const error = await errorOf(many);
  assert.ok(error instanceof TransportQueryError);
  assert.equal(error.errors.length, 20_000, 'every error stays in `errors`');
  assert.ok(error.message.length < 1000, `message of ${error.message.length} characters`);
  assert.match(error.message, /Boom: failure 0 x+… \(1010 characters\); Boom: failure 1 .*\(and 19997 more errors, in `errors`\)\.$/);

  const nested = transport.subscribe(SUBSCRIPTION);
  await server.realtime.waitFor(() => framesOfType(server, 'start').length === 2);
  // Deeper than JSON.stringify can go (it throws RangeError), as a hostile server may send.
  const deep = `${'{"inner":'.repeat(20_000)}{"leaf":true}${'}'.repeat(20_000)}`;
  server.realtime.sendRaw(`{"type":"error","id":${JSON.stringify(framesOfType(server, 'start')[1]?.id)},"payload":{"errors":[{"errorType":"Deep","detail":${deep}}]}}`);
  const nestedError = await errorOf(nested);
  assert.ok(nestedError instanceof TransportQueryError, String(nestedError));
  assert.ok(!nestedError.message.includes('[object Object]'), nestedError.message);
  assert.match(nestedError.message, /Deep: \{"errorType":"Deep","detail":\{"inner":\{"inner":\{"inner":\{…\}\}\}\}\}/);
});

test('IAM credentials that have expired are asked for again; expired fixed credentials fail naming the expiry time', async (t) => {
  const SESSION = { accessKeyId: 'ASIAEXPIRYTEST000001', secretAccessKey: 'expiry-SECRET-key', sessionToken: 'expiry-TOKEN-SECRET' };
  const server = await localServer(t, { auth: { iam: { credentials: { [SESSION.accessKeyId]: SESSION } } } });
  let calls = 0;
  const past = new Date(Date.now() - 60_000);
  const future = new Date(Date.now() + 3_600_000);
  const provider = async () => ({ ...SESSION, expiration: ++calls === 1 ? past : future });
  const transport = transportFor(t, server, { auth: new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: provider }) });
  await transport.connect();
  assert.equal(calls, 2, 'asked again after the expired ones');
  const fixed = new AppSyncWebsocketsTransport({ url: server.url, auth: new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { ...SESSION, expiration: past } }), retry: false });
  const error = await fixed.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportAuthError);
  assert.match(error.message, new RegExp(`^AWS_IAM auth: the credentials from option \`credentials\` expired at ${past.toISOString().replace(/\./g, '\\.')} \\(it is now .*\\), and AWS refuses expired credentials\\. Pass a function that returns fresh credentials instead\\.$`));
  assert.ok(!error.message.includes(SESSION.secretAccessKey) && !error.message.includes(SESSION.sessionToken));
});

test('data whose payload is not an object fails that subscription only, and stops it on the server', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const bad = transport.subscribe(SUBSCRIPTION);
  const good = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 2);
  const id = String(framesOfType(server, 'start')[0]?.id);
  server.realtime.sendRaw(JSON.stringify({ type: 'data', id, payload: 'not an object' }));
  const error = await errorOf(bad);
  assert.equal(
    (error as Error).message,
    `Expected "data" message for subscription ${id} to carry an object "payload" with "data", but got a string ("not an object"); the subscription was stopped.`,
  );
  await server.realtime.waitFor(() => framesOfType(server, 'stop').some((f) => f.id === id));
  server.realtime.publish('onCreateMessage', { id: 'still' });
  assert.equal((await take(good, 1)).length, 1);
  assert.equal(transport.state, 'connected');
});

test('an unknown message type is ignored and reported as an `unknown` event', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const reported = nextEvent<{ type: string }>((l) => transport.on('unknown', l));
  server.realtime.sendRaw('{"type":"something_appsync_adds_later","id":"x"}');
  assert.deepEqual(await reported, { type: 'something_appsync_adds_later' });
  server.realtime.publish('onCreateMessage', { id: 'fine' });
  assert.equal((await take(iterator, 1)).length, 1);
});

// ---- found by an adversarial review of the above -------------------------------------------------

test('close() inside a `disconnected` or `reconnecting` listener is final: no reconnect, no timer left', async (t) => {
  const server = await localServer(t);
  for (const event of ['disconnected', 'reconnecting'] as const) {
    const transport = transportFor(t, server, { retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 1 });
    transport.on(event, () => void transport.close());
    await transport.connect();
    const iterator = transport.subscribe(SUBSCRIPTION);
    await iterator.started;
    const connections = server.realtime.connectionCount;
    server.realtime.dropConnections();
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    await transport.waitClosed();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(transport.state, 'closed', event);
    assert.equal(server.realtime.connectionCount, connections, `${event}: no new socket`);
  }
});

test('close() rejects a publish, and ends a start, that still wait for their auth, at once and without a timer left', async (t) => {
  const server = await localServer(t);
  let calls = 0;
  const auth: AppSyncAuthentication = {
    mode: 'API_KEY',
    getHeaders: (request) => (calls++ === 0 ? Promise.resolve({ host: request.host, 'x-api-key': API_KEY }) : never()),
  };
  const events = new AppSyncEventsClient({ url: server.eventsUrl, auth, authTimeoutMs: null, retry: false });
  await events.connect();
  const publish = events.publish('/default/chat', [1]);
  await until(() => calls === 2);
  const rejected = assert.rejects(publish, TransportClosed);
  await events.close();
  await rejected;

  calls = 0;
  const transport = transportFor(t, server, { auth, authTimeoutMs: null });
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION);
  const pending = iterator.next();
  await until(() => calls === 2);
  await transport.close();
  assert.deepEqual(await pending, { done: true, value: undefined });
});

test('a subscription made while connect() is finishing (after its start loop) is started too', async (t) => {
  const server = await localServer(t);
  let late: ReturnType<AppSyncWebsocketsTransport['subscribe']> | undefined;
  let ids = 0;
  const transport = transportFor(t, server, {
    generateId: () => {
      if (ids++ === 0) queueMicrotask(() => (late = transport.subscribe(SUBSCRIPTION)));
      return crypto.randomUUID();
    },
  });
  const connecting = transport.connect();
  transport.subscribe(SUBSCRIPTION);
  await connecting;
  await subscriptionsOnServer(server, 2);
  await late?.started;
});

test('Events: a publish_success whose entries are not entries of that publish rejects it with TransportProtocolError', async (t) => {
  const server = await rawServer(t, (req, socket) => {
    acceptWith(req, socket, 'aws-appsync-event-ws', ['{"type":"connection_ack","connectionTimeoutMs":300000}']);
    socket.resume();
    socket.on('data', (chunk: Buffer) => {
      // The client's publish: answer with entries that name no event of it.
      for (const text of unmask(chunk)) {
        const frame = JSON.parse(text) as { type: string; id?: string };
        if (frame.type !== 'publish') continue;
        socket.write(textFrameFor(JSON.stringify({ type: 'publish_success', id: frame.id, successful: [null, { identifier: 'x', index: 99 }], failed: [] })));
      }
    });
  });
  const events = new AppSyncEventsClient({ url: server.url.replace('/graphql', '/event'), auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
  t.after(() => events.close());
  await events.connect();
  const error = await events.publish('/default/chat', [1, 2]).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof Error && error.name === 'TransportProtocolError', String(error));
  assert.match(error.message, /^Expected publish_success for the publish of 2 events to \/default\/chat \(id [\w-]+\) to list entries with an index from 0 to 1, but got null: whether the events were published is unknown\.$/);
});

test('observe(): a signal aborted later ends the observer with complete(), as it ends an iterator', async (t) => {
  const server = await localServer(t);
  const transport = transportFor(t, server);
  await transport.connect();
  const controller = new AbortController();
  const completed = new Promise<void>((resolve) => transport.observe(SUBSCRIPTION, { next() {}, error() {}, complete: resolve }, { signal: controller.signal }));
  await subscriptionsOnServer(server, 1);
  controller.abort();
  await completed;
  await subscriptionsOnServer(server, 0);
});

test('auth headers that are not an object of strings, or that throw when read, are a TransportAuthError without the secret', async () => {
  const secret = 'da2-SECRET-IN-A-GETTER';
  const cases: Array<[unknown, RegExp]> = [
    [null, /gave null\.$/],
    ['x-api-key', /gave a string\.$/],
    [{ host: 'h', 'x-api-key': 42 }, /gave a number for header "x-api-key"\.$/],
    [
      {
        get 'x-api-key'(): string {
          throw new Error(`leak ${secret}`);
        },
      },
      /cannot be read: reading them threw Error\.$/,
    ],
  ];
  for (const [headers, pattern] of cases) {
    const transport = new AppSyncWebsocketsTransport({ url: 'http://127.0.0.1:9/graphql', auth: { mode: 'API_KEY', getHeaders: async () => headers as never }, retry: false });
    const error = await transport.connect().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TransportAuthError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(secret));
  }
});

test('a wake-up check with the event loop blocked past livenessTimeoutMs: the pong already received is read first, the socket stays', async (t) => {
  const url = await keepAliveServerProcess(t);
  const listeners = new Set<(wakeUp: { type: 'wake'; reason: string }) => void>();
  const transport = new AppSyncWebsocketsTransport({
    url,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    livenessTimeoutMs: 100,
    retry: false,
    wakeUps: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
  });
  t.after(() => transport.close());
  await transport.connect();
  const checked = nextEvent<{ reason: string; alive: boolean }>((l) => transport.on('liveness', l));
  for (const listener of listeners) listener({ type: 'wake', reason: 'resumed' });
  const blockedUntil = performance.now() + 300;
  while (performance.now() < blockedUntil) {
    // The pong arrives meanwhile and waits unread.
  }
  assert.deepEqual(await checked, { reason: 'resumed', alive: true });
  assert.equal(transport.state, 'connected');
});
