/**
 * Heap bytes per idle subscription (run with --expose-gc). One subscription first (so the socket
 * and the client's own structures exist), then `n` more on the same socket; each is counted once
 * its first `data` frame arrived (so it is acknowledged and live). heapUsed after full GCs,
 * before and after, divided by n.
 */
import { makeClient } from '../lib/clients.mjs';

const [kind, port, n] = process.argv.slice(2);
const count = Number(n);
const client = await makeClient(kind, Number(port));
const keep = [];

function subscribeMany(k) {
  return new Promise((resolve) => {
    let pending = k;
    for (let i = 0; i < k; i++) {
      let seen = false;
      keep.push(
        client.subscribe(() => {
          if (seen) return;
          seen = true;
          if (--pending === 0) resolve();
        }),
      );
    }
  });
}

async function settledHeap() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    globalThis.gc();
  }
  return process.memoryUsage().heapUsed;
}

await client.connect();
await subscribeMany(1);
const before = await settledHeap();
await subscribeMany(count);
const after = await settledHeap();
process.send({ type: 'result', bytesPerSubscription: (after - before) / count, subscriptions: keep.length }, () => process.exit(0));
