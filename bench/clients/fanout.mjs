/**
 * The subscribers of the fan-out section: `connections` sockets × `per` subscriptions on a
 * server from lib/fanout-server.mjs (the same raw driver the load test uses,
 * dist/test/fanout-driver.js). Says `subscribed`, waits for `go`, then runs `events` mutations
 * over HTTP one after another, each once the previous one reached every subscriber, and reports
 * each receipt's latency from just before its mutation was sent.
 */
import { Fanout } from '../../dist/test/fanout-driver.js';

const [realtimeUrl, url, host, apiKey, handshake, connections, per, events] = process.argv.slice(2);
const QUERY = 'subscription OnCreate { onCreateMessage { id room text } }';
const MUTATION = 'mutation Create($input: CreateMessageInput!) { createMessage(input: $input) { id room text } }';

const fanout = await Fanout.open({ realtimeUrl, host, apiKey, handshake, connections: Number(connections), subscriptionsPerConnection: Number(per), query: QUERY }, 300_000);
const subscriptions = Number(connections) * Number(per);
process.send({ type: 'subscribed' });
await new Promise((resolve) => process.once('message', resolve));

const latencies = [];
const ids = [];
for (let e = 0; e < Number(events); e++) {
  const id = `event-${e}`;
  const sent = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query: MUTATION, variables: { input: { id, room: 'bench', text: `fan-out ${e}` } } }),
  });
  if (response.status !== 200) throw new Error(`mutation: HTTP ${response.status} ${await response.text()}`);
  await fanout.whenReceived(subscriptions * (e + 1), 300_000);
  ids.push(id);
  for (const at of fanout.arrivals.get(id) ?? []) latencies.push(at - sent);
}
const mismatches = fanout.mismatches(ids);
fanout.close();
// Exit once the message is out: an IPC send is asynchronous.
process.send({ type: 'result', latencies, mismatches: mismatches.length, example: mismatches[0], total: fanout.total }, () => process.exit(0));
