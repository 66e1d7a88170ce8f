/**
 * Wall time from "connect" to the first `data` frame in the subscriber's hands: open the socket,
 * handshake, `start`, `start_ack`, one `data` (the server sends it right after `start_ack`).
 * Cycle 1 is cold (lazy imports, JIT); cycles 2..n reuse the process and reconnect each time.
 */
import { makeClient } from '../lib/clients.mjs';

const [kind, port, cycles] = process.argv.slice(2);
const client = await makeClient(kind, Number(port));
const times = [];
for (let i = 0; i < Number(cycles); i++) {
  const t0 = performance.now();
  await client.connect();
  await new Promise((resolve) => {
    const unsubscribe = client.subscribe(() => {
      times.push(performance.now() - t0);
      unsubscribe();
      resolve();
    });
  });
  await client.close();
}
process.send({ type: 'result', times }, () => process.exit(0));
