/**
 * A hostile server against the client: 100 000 frames from a fixed seed, over many connections,
 * mixing what AppSync sends with what no server should (not JSON, binary, wrong shapes, huge and
 * deeply nested values, unknown ids and types, errors in every shape, closes). Whatever arrives,
 * the client must fail only with typed, bounded, secret-free errors, never hang, never leave a
 * rejection unhandled or an exception uncaught, and always recover or end cleanly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { AppSyncApiKeyAuthentication, AppSyncWebsocketsTransport, isTransportError } from '../src/index.js';
import { API_KEY, SUBSCRIPTION, seededRandom as random } from './helpers.js';

const SEED = 0x13_2026;
const FRAMES = 100_000;
const TRANSPORTS = 4;
const SUBSCRIPTIONS_PER_TRANSPORT = 12;
const BURST = 40;
const MAX_MESSAGE = 2_000;


type Frame = { data: string | Buffer; fatal?: boolean; close?: number };

function hostileFrames(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const deep = (n: number): string => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  const ERRORS: unknown[] = [
    [{ errorType: 'Boom', message: 'boom' }],
    { errorType: 'MaxSubscriptionsReachedError', message: 'Max number of 100 subscriptions reached' },
    'just a string',
    42,
    null,
    [{ message: { toString: 1 } }],
    Array.from({ length: 500 }, (_, i) => ({ errorType: 'Many', message: `e${i}` })),
    [{ message: 'x'.repeat(50_000) }],
    [{ message: 'Subscription complete.' }],
  ];
  return (ids: readonly string[]): Frame => {
    const id = ids.length > 0 && next() < 0.9 ? pick(ids) : pick(['unknown-id', '', 'x'.repeat(5000)]);
    const roll = next();
    // Mostly what AppSync sends, so that connections live long enough to matter.
    if (roll < 0.35) return { data: JSON.stringify({ type: 'data', id, payload: { data: { onCreateMessage: { id: String(next()) } } } }) };
    if (roll < 0.45) return { data: '{"type":"ka"}' };
    if (roll < 0.5) return { data: JSON.stringify({ type: 'start_ack', id }) };
    if (roll < 0.53) return { data: JSON.stringify({ type: 'complete', id }) };
    if (roll < 0.58) return { data: JSON.stringify({ type: 'error', id, payload: { errors: pick(ERRORS) } }) };
    if (roll < 0.61) return { data: JSON.stringify({ type: 'error', payload: { errors: pick(ERRORS) } }) };
    if (roll < 0.64) return { data: JSON.stringify({ type: pick(['surprise', 'connection_ack', 'START', 'start', 'stop']), id, payload: pick(ERRORS) }) };
    if (roll < 0.7) return { data: JSON.stringify({ type: 'data', id, payload: pick(['x', 1, null, [1], true]) }) };
    if (roll < 0.72) return { data: `{"type":"data","id":${JSON.stringify(id)},"payload":{"data":${deep(pick([10, 100, 1000]))}}}` };
    if (roll < 0.722) return { data: `{"type":"error","id":${JSON.stringify(id)},"payload":{"errors":[${deep(20_000)}]}}` };
    if (roll < 0.725) return { data: JSON.stringify({ type: 'data', id, payload: { data: { big: 'y'.repeat(200_000) } } }) };
    if (roll < 0.78) return { data: JSON.stringify({ type: 'data', id: { toString: 1 }, payload: {} }) };
    // What ends a connection: rare, so most frames reach a live one.
    if (roll < 0.9955) return { data: JSON.stringify({ type: 'data', id, payload: { data: null, errors: pick(ERRORS) } }) };
    return pick<Frame>([
      { data: 'not json', fatal: true },
      { data: '[1,2]', fatal: true },
      { data: 'null', fatal: true },
      { data: '{"type":{"toString":1}}', fatal: true },
      { data: '{"type":"start_ack"}', fatal: true },
      { data: Buffer.from([1, 2, 3]), fatal: true },
      { data: JSON.stringify({ type: 'connection_error', payload: { errors: pick(ERRORS) } }), fatal: true },
      { data: '', close: pick([1000, 1001, 1011, 4000, 4500]) },
    ]);
  };
}

test('100 000 hostile frames (fixed seed): typed, bounded, secret-free failures only; no hang, no unhandled rejection, no crash', async (t) => {
  const problems: unknown[] = [];
  const onProblem = (error: unknown): void => void problems.push(error);
  process.on('unhandledRejection', onProblem);
  process.on('uncaughtException', onProblem);
  t.after(() => {
    process.off('unhandledRejection', onProblem);
    process.off('uncaughtException', onProblem);
  });

  const next = random(SEED);
  const frame = hostileFrames(next);
  let sent = 0;
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'graphql-ws' });
  await new Promise((resolve) => wss.once('listening', resolve));
  t.after(() => new Promise((resolve) => wss.close(resolve)));
  wss.on('connection', (ws: WebSocket) => {
    const ids: string[] = [];
    let dead = false;
    const burst = (): void => {
      for (let i = 0; i < BURST && !dead && sent < FRAMES; i++) {
        const f = frame(ids);
        sent++;
        if (f.close !== undefined) {
          dead = true;
          ws.close(f.close, 'fuzz');
          return;
        }
        ws.send(f.data);
        if (f.fatal) dead = true;
      }
    };
    ws.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; id?: string };
      if (message.type === 'connection_init') ws.send('{"type":"connection_ack","payload":{"connectionTimeoutMs":300000}}');
      if (message.type === 'start' && message.id !== undefined) {
        ids.push(message.id);
        burst();
      }
      if (message.type === 'stop' && message.id !== undefined && next() < 0.5) ws.send(JSON.stringify({ type: 'complete', id: message.id }));
    });
  });
  const { port } = wss.address() as { port: number };

  const errors: unknown[] = [];
  const settled = { iterators: 0, observers: 0 };
  const transports: AppSyncWebsocketsTransport[] = [];
  const newTransport = async (): Promise<AppSyncWebsocketsTransport> => {
    const transport = new AppSyncWebsocketsTransport({
      url: `ws://127.0.0.1:${port}/graphql`,
      auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
      retry: { baseDelayMs: 1, maxDelayMs: 4 },
      ackTimeoutMs: 2000,
      closeTimeoutMs: 20,
    });
    transports.push(transport);
    await transport.connect();
    return transport;
  };
  /** Keeps subscriptions open on one transport (a new one after a final failure) until the server is done. */
  const driver = async (): Promise<void> => {
    let transport = await newTransport();
    const lanes = Array.from({ length: SUBSCRIPTIONS_PER_TRANSPORT }, async (_, lane) => {
      while (sent < FRAMES) {
        if (transport.state === 'closed') transport = await newTransport().catch((e: unknown) => (errors.push(e), transport));
        if (transport.state === 'closed') continue;
        if (lane % 2 === 0) {
          try {
            for await (const _ of transport.subscribe(SUBSCRIPTION, { maxBufferedResults: 50 })) {
              if (sent >= FRAMES) break;
            }
          } catch (error) {
            errors.push(error);
          }
          settled.iterators++;
        } else {
          await new Promise<void>((resolve) => {
            const stop = transport.observe(SUBSCRIPTION, {
              next: () => {
                if (sent >= FRAMES) stop();
              },
              error: (error) => (errors.push(error), resolve()),
              complete: resolve,
            });
            // A stop() from next() ends it without a callback: poll for the end of the run.
            const poll = setInterval(() => {
              if (sent >= FRAMES) {
                clearInterval(poll);
                stop();
                resolve();
              }
            }, 20);
          });
          settled.observers++;
        }
      }
    });
    await Promise.all(lanes);
  };
  await Promise.all(Array.from({ length: TRANSPORTS }, driver));
  await Promise.all(transports.map((transport) => transport.close()));

  assert.ok(sent >= FRAMES, `${sent} frames sent`);
  assert.deepEqual(problems, [], 'no unhandled rejection, no uncaught exception');
  assert.ok(errors.length > 100, `${errors.length} failures seen`);
  for (const error of errors) {
    assert.ok(isTransportError(error), `not a TransportError: ${String(error)}`);
    assert.ok(error.message.length <= MAX_MESSAGE, `a message of ${error.message.length} characters: ${error.message.slice(0, 200)}`);
    assert.ok(!error.message.includes(API_KEY), 'no secret');
  }
  assert.ok(settled.iterators > 0 && settled.observers > 0);
  t.diagnostic(`client fuzz: ${sent} frames, ${errors.length} failures, ${settled.iterators} iterators and ${settled.observers} observers ended, ${transports.length} transports`);
  for (const transport of transports) assert.equal(transport.state, 'closed');
});
