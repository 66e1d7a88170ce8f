/**
 * Churn: 100 000 subscribe/`break` cycles against the local AppSync, leaving at every point of a
 * subscription's life (before its start is sent, after, once acknowledged), many at once. The
 * client must keep nothing of them (a flat heap) and the server must be back at zero live
 * subscriptions: every start that reached it was stopped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SUBSCRIPTION, localServer, transportFor } from './helpers.js';

const CYCLES = 100_000;
const WARM_UP = 5_000;
const LANES = 100;

test('100 000 subscribe/break cycles: heap flat, the server back to 0 live subscriptions', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const server = await localServer(t, { maxReceivedFrames: 100 });
  const transport = transportFor(t, server);
  await transport.connect();
  const run = async (cycles: number): Promise<void> => {
    let left = cycles;
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        for (let i = 0; left > 0; i++) {
          left--;
          const iterator = transport.subscribe(SUBSCRIPTION);
          // Leave at a different moment each time: at once, after the start is on the wire, or later.
          const when = (lane + i) % 3;
          if (when >= 1) await new Promise((resolve) => setImmediate(resolve));
          if (when === 2) await new Promise((resolve) => setTimeout(resolve, 1));
          await iterator.return?.();
        }
      }),
    );
    await server.realtime.waitFor(() => server.realtime.subscriptions.length === 0, 30_000);
  };
  await run(WARM_UP);
  gc();
  const before = process.memoryUsage().heapUsed;
  await run(CYCLES);
  // Late `complete` frames are absorbed; then nothing of 100 000 subscriptions may remain.
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(server.realtime.subscriptions.length, 0);
  assert.equal(transport.state, 'connected');
  // A leaked subscription costs well over 500 B (record, stream, closures, payload string):
  // 100 000 of them would be 50 MB. GC noise here is a few MB either way.
  assert.ok(grown < 10_000_000, `heap grew by ${grown} bytes over ${CYCLES} cycles`);
  t.diagnostic(`churn: heap ${grown >= 0 ? '+' : ''}${(grown / 1e6).toFixed(2)} MB after ${CYCLES} cycles`);
});
