/**
 * Client CPU per delivered `data` frame. Subscribes `subs` times on one socket; the server then
 * blasts frames round-robin. CPU (user + system, process.cpuUsage) is counted from the
 * `warmup`-th delivered frame to the `warmup + frames`-th, so connecting, subscribing and JIT
 * warm-up are left out. A frame counts when the subscriber's callback has it.
 */
import { makeClient } from '../lib/clients.mjs';

const [kind, port, subs, warmup, frames] = process.argv.slice(2);
const nSubs = Number(subs);
const nWarmup = Number(warmup);
const total = nWarmup + Number(frames);

const client = await makeClient(kind, Number(port));
await client.connect();
let count = 0;
let cpu0;
let wall0;
let sink = 0;
const onData = (result) => {
  sink += result.data === undefined ? 0 : 1;
  count++;
  if (count === nWarmup) {
    cpu0 = process.cpuUsage();
    wall0 = performance.now();
  } else if (count === total) {
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - wall0;
    process.send({ type: 'result', cpuUs: cpu.user + cpu.system, wallMs, frames: total - nWarmup, sink }, () => process.exit(0));
  }
};
for (let i = 0; i < nSubs; i++) client.subscribe(onData);
