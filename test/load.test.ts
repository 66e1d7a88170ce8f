/**
 * The local AppSync under load (issue #14): many sockets with 10 subscriptions each, mutations
 * fanned out to all of them. Asserts completeness only: every subscriber gets every event,
 * once, in order. `npm run bench` runs the full 2 000 × 10 and measures it; here 200 × 10 keeps
 * the suite quick on two shared cores.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHAT_SCHEMA } from '../src/testing/index.js';
import { Fanout } from './fanout-driver.js';
import { API_KEY, localServer } from './helpers.js';

const CONNECTIONS = 200;
const PER_CONNECTION = 10;
const EVENTS = 3;

test(`${CONNECTIONS} sockets × ${PER_CONNECTION} subscriptions: each of ${EVENTS} mutations reaches every subscriber exactly once, in order`, async (t) => {
  const server = await localServer(t, { schema: CHAT_SCHEMA });
  const fanout = await Fanout.open({
    realtimeUrl: server.realtimeUrl,
    host: server.host,
    apiKey: API_KEY,
    connections: CONNECTIONS,
    subscriptionsPerConnection: PER_CONNECTION,
    query: 'subscription { onCreateMessage { id room text } }',
    handshake: 'subprotocol',
  });
  t.after(() => fanout.close());
  assert.equal(server.realtime.subscriptions.length, CONNECTIONS * PER_CONNECTION);
  const ids: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const result = await server.mutate('mutation ($text: String!) { createMessage(room: "load", text: $text) { id room text } }', { text: `event ${i}` });
    ids.push((result.data?.createMessage as { id: string }).id);
  }
  await fanout.whenReceived(CONNECTIONS * PER_CONNECTION * EVENTS);
  assert.deepEqual(fanout.mismatches(ids).slice(0, 5), []);
  // Nothing more is on its way: a last event arrives alone, after every earlier one.
  const last = await server.mutate('mutation { createMessage(room: "load", text: "last") { id room text } }');
  ids.push((last.data?.createMessage as { id: string }).id);
  await fanout.whenReceived(CONNECTIONS * PER_CONNECTION * ids.length);
  assert.equal(fanout.total, CONNECTIONS * PER_CONNECTION * ids.length);
  assert.deepEqual(fanout.mismatches(ids).slice(0, 5), []);
});
