// Interop: Amplify's own client (aws-amplify v6, generateClient from aws-amplify/api) against the
// local AppSync (this repo's `appsync-websockets serve --template`), on the real-time rules the
// local AppSync implements: the mutation's selection set, enhanced filters from Amplify's
// `filter:` argument, a start refused by a subscription resolver, invalidation, a wrong API key.
//
// The local server runs as a child process from the root build (../dist, graphql 16); Amplify runs
// here, in interop/ (whose graphql is pinned to 15 for the simulator). Nothing but the wire joins them.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parse, print } from 'graphql';
import WS from 'ws';

const CLI = fileURLToPath(new URL(process.env.INTEROP_CLI ?? '../dist/src/cli/main.js', import.meta.url));
const TEMPLATE = fileURLToPath(new URL(process.env.INTEROP_AMPLIFY_TEMPLATE ?? './fixtures/amplify-client.yaml', import.meta.url));
const WAIT_MS = 5000;

// ---------------------------------------------------------------------------------------------
// The WebSocket Amplify uses. Node 20 has no global WebSocket (it arrived, unflagged, in Node 22),
// and Amplify's real-time provider calls `new WebSocket(url, protocols)` on the global, so without
// this every subscription fails to connect. It must be in place before Amplify loads (Amplify is
// imported dynamically below, after this assignment; static imports would run first).
//
// DEVIATION (Amplify, not the local AppSync): Amplify turns the endpoint's `http://` into `wss://`
// whatever the host (getRealtimeEndpointUrl in @aws-amplify/api-graphql's
// Providers/AWSWebSocketProvider/appsyncUrl), so a plain-HTTP endpoint gets a TLS real-time URL.
// The local server speaks plain HTTP and ws. The smallest honest bridge: for the local server's own
// host:port only, this class opens `ws://` instead of the `wss://` Amplify asked for, and records
// the URL and subprotocols Amplify asked for (asserted below). Everything else Amplify does is
// untouched; the class also records frames both ways, for the assertions about what was on the wire.
let localHost = '';
const sockets = [];
class RecordingWebSocket extends WS {
  constructor(url, protocols) {
    const asked = new URL(url);
    const local = asked.protocol === 'wss:' && asked.host === localHost;
    super(local ? `ws:${url.slice('wss:'.length)}` : url, protocols);
    this.record = { asked: url, protocols, sent: [], received: [], closedBy: undefined, closed: false };
    sockets.push(this);
    this.on('message', (data, isBinary) => {
      if (!isBinary) this.record.received.push(JSON.parse(String(data)));
    });
    this.on('close', (code, reason) => {
      this.record.closed = true;
      this.record.closeCode = code;
      this.record.closeReason = String(reason);
    });
  }
  send(data, ...rest) {
    this.record.sent.push(JSON.parse(String(data)));
    return super.send(data, ...rest);
  }
  close(code, reason) {
    this.record.closedBy ??= { code, reason };
    return super.close(code, reason);
  }
}
globalThis.WebSocket = RecordingWebSocket;

const { Amplify } = await import('aws-amplify');
const { generateClient } = await import('aws-amplify/api');
const { Hub } = await import('aws-amplify/utils');

// ---------------------------------------------------------------------------------------------
// The local AppSync, from the root build, on a free port.
let server;
let endpoint;
let apiKey;
let client;

before(async () => {
  server = spawn(process.execPath, [CLI, 'serve', '--template', TEMPLATE, '--port', '0', '--hostname', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Not left running if this process ends some other way than through after().
  process.once('exit', () => server.kill('SIGTERM'));
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  const lines = {};
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no HTTP and api key lines in 20 s; stdout: ${out}; stderr: ${stderr}`)), 20_000);
    server.on('exit', (code) => reject(new Error(`serve exited (${code}) before listening; stderr: ${stderr}`)));
    server.stdout.on('data', (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) {
        const match = /^(HTTP|api key): (\S+)$/.exec(line);
        if (match) lines[match[1]] = match[2];
      }
      if (lines.HTTP && lines['api key']) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  endpoint = lines.HTTP;
  apiKey = lines['api key'];
  localHost = new URL(endpoint).host;
  Amplify.configure({ API: { GraphQL: { endpoint, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey } } });
  client = generateClient();
});

after(async () => {
  // Amplify leaves a 15 s timer per handshake (CONNECTION_INIT_TIMEOUT in _initiateHandshake,
  // never cleared after the ack), which would hold this file's process up to 15 s after the last
  // test. Once everything here is closed, leave (with node:test's exit code) if only such timers remain.
  setTimeout(() => process.exit(), 200).unref();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
});

// ---------------------------------------------------------------------------------------------
// Helpers: a subscription as Amplify's `observable.subscribe({ next, error, complete })` sees it,
// and waiting for Amplify's own signal that AppSync acknowledged it (Hub 'api', 'Subscription ack').

const acks = [];
Hub.listen('api', ({ payload }) => {
  if (payload.event === 'Subscription ack') acks.push(payload.data);
});

/** Resolves when `check()` is true (polled every 10 ms); rejects after `ms` naming `what`. */
async function until(check, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const live = [];

function subscribe(query, variables, options = {}) {
  const seen = { next: [], error: [], complete: 0 };
  const events = () => seen.next.length + seen.error.length + seen.complete;
  const subscription = client.graphql({ query, variables, ...options }).subscribe({
    next: (value) => seen.next.push(value),
    error: (error) => seen.error.push(error),
    complete: () => seen.complete++,
  });
  live.push(subscription);
  // Amplify sends (and reports) the query as graphql's print() of it.
  const printed = print(parse(query));
  // Only acks that came after this call count (an earlier test may have run the same query).
  const from = acks.length;
  const acked = () => acks.slice(from).some((a) => a.query === printed && JSON.stringify(a.variables) === JSON.stringify(variables ?? {}));
  return {
    seen,
    unsubscribe: () => subscription.unsubscribe(),
    /** Amplify reported AppSync's start_ack for this query and these variables. */
    ready: () => until(acked, `the start_ack of ${query}`),
    /** Waits for one more next/error/complete than `count`. */
    settled: (count) => until(() => events() > count, `an event on ${query}`),
    events,
  };
}

// Each test starts without a socket: Amplify closes its socket about 1 s after the last
// unsubscribe. If it has not within WAIT_MS (a test failed half-way), the socket is cut here, so
// that one failure does not spill into the next tests.
afterEach(async () => {
  for (const subscription of live.splice(0)) subscription.unsubscribe();
  acks.length = 0;
  try {
    await until(() => sockets.every((s) => s.record.closed), 'Amplify to close its WebSockets');
  } catch {
    for (const socket of sockets) if (!socket.record.closed) socket.terminate();
    await until(() => sockets.every((s) => s.record.closed), 'the sockets to close');
  }
});

const mutate = (query, variables, options = {}) => client.graphql({ query, variables, ...options });

// ---------------------------------------------------------------------------------------------

test('Amplify derives <endpoint>/realtime for a 127.0.0.1 endpoint, asks for wss, and authenticates in a header-<base64url> subprotocol; the local AppSync accepts it', async () => {
  const sub = subscribe('subscription { onCreateNote { id } }');
  await sub.ready();
  const socket = sockets.at(-1).record;
  assert.equal(socket.asked, `${endpoint.replace('http://', 'wss://')}/realtime`);
  assert.equal(socket.protocols[0], 'graphql-ws');
  const header = JSON.parse(Buffer.from(socket.protocols[1].slice('header-'.length), 'base64url').toString());
  assert.deepEqual(Object.keys(header).sort(), ['host', 'x-amz-date', 'x-api-key']);
  assert.equal(header.host, localHost);
  assert.equal(header['x-api-key'], apiKey);
  assert.equal(socket.received[0].type, 'connection_ack');
});

test('the mutation selects what subscribers get: an unselected nullable field is null, an unselected non-null field is an error Amplify passes to next', async () => {
  const sub = subscribe('subscription { onCreateNote { id room title body } }');
  await sub.ready();

  // The mutation selects id room title, not body.
  const created = await mutate('mutation { createNote(id: "n1", room: "hall", title: "hello", body: "the body") { id room title } }');
  assert.deepEqual(created.data.createNote, { id: 'n1', room: 'hall', title: 'hello' });
  await sub.settled(0);
  assert.deepEqual(sub.seen.next[0], { data: { onCreateNote: { id: 'n1', room: 'hall', title: 'hello', body: null } } });

  // This one does not select room (String!): the subscriber's field is null, with AppSync's error.
  await mutate('mutation { createNote(id: "n2", room: "hall", title: "again") { id title } }');
  await sub.settled(1);
  assert.equal(sub.seen.error.length, 0, 'Amplify does not end the subscription on a payload with errors');
  const second = sub.seen.next[1];
  assert.deepEqual(second.data, { onCreateNote: null });
  assert.equal(second.errors.length, 1);
  assert.match(second.errors[0].message, /non-null|non-nullable/i);
  assert.match(second.errors[0].message, /room/);

  // And the subscription goes on.
  await mutate('mutation { createNote(id: "n3", room: "hall", title: "third", body: "b") { id room title body } }');
  await sub.settled(2);
  assert.deepEqual(sub.seen.next[2], { data: { onCreateNote: { id: 'n3', room: 'hall', title: 'third', body: 'b' } } });
});

test("Amplify's filter argument, made an enhanced filter by toSubscriptionFilter(ctx.args.filter): mismatching results are not delivered, matching ones are", async () => {
  const query = `subscription OnCreateNote($filter: ModelSubscriptionNoteFilterInput) {
    onCreateNote(filter: $filter) { id room title }
  }`;
  const filter = { and: [{ room: { eq: 'kitchen' } }, { title: { beginsWith: 'hot' } }] };
  const sub = subscribe(query, { filter });
  const all = subscribe('subscription { onCreateNote { id } }');
  await sub.ready();
  await all.ready();
  const create = `mutation Create($id: ID!, $room: String!, $title: String) { createNote(id: $id, room: $room, title: $title) { id room title } }`;
  await mutate(create, { id: 'f1', room: 'kitchen', title: 'cold soup' }); // title mismatches
  await mutate(create, { id: 'f2', room: 'garage', title: 'hot engine' }); // room mismatches
  await mutate(create, { id: 'f3', room: 'kitchen', title: 'hot soup' }); // matches
  // The unfiltered subscriber got all three, in order: the filtered one's first is the third.
  await all.settled(2);
  assert.deepEqual(all.seen.next.map((v) => v.data.onCreateNote.id), ['f1', 'f2', 'f3']);
  await sub.settled(0);
  assert.deepEqual(sub.seen.next[0], { data: { onCreateNote: { id: 'f3', room: 'kitchen', title: 'hot soup' } } });
  assert.equal(sub.seen.next.length, 1);
});

test("a start the subscription resolver refuses (util.unauthorized()) reaches Amplify's error callback; Amplify then drops its socket and, ~5 s later, resubscribes the others", async () => {
  // A subscription on the same field that the resolver accepts, live on the socket.
  const open = subscribe('subscription { onRoomNote(room: "board") { id room } }');
  await open.ready();
  const socket = sockets.at(-1).record;

  const sub = subscribe('subscription { onRoomNote(room: "private-board") { id } }');
  await sub.settled(0);
  assert.equal(sub.seen.next.length, 0);
  assert.equal(sub.seen.error.length, 1);
  const [error] = sub.seen.error[0].errors;
  // Amplify wraps AppSync's error payload as a message: 'Connection failed: <payload as JSON>'.
  assert.match(error.message, /^Connection failed: /);
  const sent = JSON.parse(error.message.slice('Connection failed: '.length));
  assert.deepEqual(sent.errors.map((e) => e.errorType), ['Unauthorized']);
  assert.match(sent.errors[0].message, /Not Authorized to access onRoomNote on type Subscription/);
  // What the local AppSync sent: an error frame for that start's id (the socket stays open on its side).
  const start = socket.sent.findLast((m) => m.type === 'start');
  const frame = socket.received.find((m) => m.id === start.id);
  assert.equal(frame.type, 'error');

  // Amplify reads errorType 'Unauthorized' as expired credentials: it closes the shared socket
  // itself ("Auth error - reconnecting"), under the accepted subscription too...
  await until(() => socket.closed, 'Amplify to close the socket');
  assert.deepEqual(socket.closedBy, { code: 1000, reason: 'Auth error - reconnecting' });
  assert.equal(open.events(), 0, 'the accepted subscription is not told');
  // ...and after its reconnect delay (RECONNECT_DELAY, 5 s) opens a new one and starts the
  // accepted subscription again (a second ack for it); the refused one is not retried.
  const acksOf = (room) => acks.filter((a) => a.query.includes(`onRoomNote(room: "${room}")`)).length;
  await until(() => acksOf('board') === 2, 'the accepted subscription to be started again', 8000);
  const again = sockets.at(-1).record;
  assert.notEqual(again, socket);
  assert.equal(again.sent.filter((m) => m.type === 'start').length, 1);
  await mutate('mutation { createNote(id: "r1", room: "board") { id room } }');
  await open.settled(0);
  assert.deepEqual(open.seen.next[0], { data: { onRoomNote: { id: 'r1', room: 'board' } } });
  assert.equal(sub.events(), 1);
});

test("invalidation (extensions.invalidateSubscriptions) ends the matching Amplify subscription: AppSync's 'Subscription complete.' reaches error, not complete, and no other subscription", async () => {
  const query = 'subscription Group($userId: ID!, $groupId: ID!) { onGroupMessage(userId: $userId, groupId: $groupId) { userId groupId message } }';
  const removed = subscribe(query, { userId: 'u1', groupId: 'g1' });
  const stays = subscribe(query, { userId: 'u2', groupId: 'g1' });
  await removed.ready();
  await stays.ready();
  const socket = sockets.at(-1).record;

  await mutate('mutation { removeUserFromGroup(userId: "u1", groupId: "g1") { userId groupId } }');
  await removed.settled(0);
  assert.equal(removed.seen.complete, 0, 'Amplify does not call complete');
  assert.equal(removed.seen.next.length, 0);
  assert.equal(removed.seen.error.length, 1);
  const [error] = removed.seen.error[0].errors;
  assert.equal(error.message, 'Connection failed: {"errors":[{"message":"Subscription complete."}]}');

  // The socket stays open (no errorType, so not an auth error for Amplify) and the other member's
  // subscription goes on; Amplify sent no new start (it does not resubscribe an errored one).
  await mutate('mutation { createGroupMessage(userId: "u2", groupId: "g1", message: "still here") { userId groupId message } }');
  await stays.settled(0);
  assert.deepEqual(stays.seen.next[0], { data: { onGroupMessage: { userId: 'u2', groupId: 'g1', message: 'still here' } } });
  assert.equal(removed.events(), 1);
  assert.equal(socket.closed, false);
  assert.equal(socket.sent.filter((m) => m.type === 'start').length, 2);
});

test("a wrong API key: the connection is refused and Amplify's error callback says so, without retrying; a mutation with it is rejected", async () => {
  const before = sockets.length;
  const sub = subscribe('subscription { onCreateNote { id } }', undefined, { apiKey: 'da2-wrong' });
  await sub.settled(0);
  assert.equal(sub.seen.error.length, 1);
  assert.equal(sub.seen.next.length, 0);
  const [error] = sub.seen.error[0].errors;
  assert.equal(error.message, 'Connection failed: UnauthorizedException');
  assert.equal(sockets.length, before + 1, 'one socket: a 401 is not retried');
  const socket = sockets.at(-1).record;
  const refusal = socket.received.find((m) => m.type === 'connection_error');
  assert.deepEqual(refusal.payload.errors.map((e) => [e.errorType, e.errorCode]), [['UnauthorizedException', 401]]);

  await assert.rejects(mutate('mutation { createNote(id: "w1", room: "hall") { id } }', undefined, { apiKey: 'da2-wrong' }), (rejected) => {
    assert.deepEqual(rejected.data, {});
    const { response } = rejected.errors[0].originalError;
    assert.equal(response.statusCode, 401);
    assert.deepEqual(JSON.parse(response.body).errors.map((e) => e.errorType), ['UnauthorizedException']);
    // Amplify names an HTTP error after the response's x-amzn-ErrorType header (AppSync's
    // `{ errors }` body has no `code`/`__type`), as against AWS (aws-amplify/amplify-js#12931).
    assert.equal(rejected.errors[0].originalError.name, 'UnauthorizedException');
    return true;
  });
});
