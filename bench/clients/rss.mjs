/**
 * Resident memory of one process holding `sockets` connections with `perSocket` live
 * subscriptions each (run with --expose-gc). A subscription counts once its first `data` frame
 * arrived.
 */
import { makeClient } from '../lib/clients.mjs';

const [kind, port, sockets, perSocket] = process.argv.slice(2);
const clients = [];
const rssBefore = process.memoryUsage().rss;
let pending = Number(sockets) * Number(perSocket);
let resolveAll;
const all = new Promise((resolve) => (resolveAll = resolve));
for (let s = 0; s < Number(sockets); s++) {
  const client = await makeClient(kind, Number(port));
  await client.connect();
  clients.push(client);
  for (let i = 0; i < Number(perSocket); i++) {
    let seen = false;
    client.subscribe(() => {
      if (seen) return;
      seen = true;
      if (--pending === 0) resolveAll();
    });
  }
}
await all;
for (let i = 0; i < 3; i++) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  globalThis.gc();
}
const usage = process.memoryUsage();
process.send({ type: 'result', rss: usage.rss, heapUsed: usage.heapUsed, rssBefore }, () => process.exit(0));
