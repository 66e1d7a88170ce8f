/**
 * A hostile-frame fuzz of the local AppSync (issue #14): 100 000 frames from a fixed seed, over
 * real sockets, to the GraphQL and Events endpoints of a `serve` process with every auth mode
 * on. The process must survive, every connection must still answer, and every frame must meet a
 * rule of the protocol (no InternalFailure), answered with bounded AppSync-shaped frames.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from './cli-helpers.js';
import { API_KEY, SUBSCRIPTION, seededRandom as random } from './helpers.js';
import { EVENTS, GRAPHQL, rawSocket, type RawSocket } from './raw-socket.js';

const SEED = 0x14_2026;
const FRAMES = 100_000;
const CONNECTIONS_PER_ENDPOINT = 4;
/** Longest answer allowed: errors are bounded, and no fuzzed frame is large. */
const MAX_ANSWER_BYTES = 4096;
const IAM = { accessKeyId: 'AKIDEXAMPLEFUZZ01', secretAccessKey: 'fuzz-SECRET-key' };


type Frame = string | Uint8Array;

function fuzzer(next: () => number, host: string): (endpoint: 'graphql' | 'events') => Frame {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  /** Choices are built on demand: building every alternative of every choice would cost more than the server's work. */
  const oneOf = (makers: readonly (() => unknown)[]): unknown => pick(makers)();
  const texts = Array.from({ length: 64 }, () => Array.from({ length: Math.floor(next() * 60) }, () => String.fromCharCode(32 + Math.floor(next() * 95))).join(''));
  const text = (): string => pick(texts);
  const ODD: readonly unknown[] = [null, 0, -1, 1e308, true, '', [], {}, { toString: 1 }, { valueOf: 1, toString: 1 }, ['a'], 'x'.repeat(300), '__proto__', { a: { b: { c: [] } } }];
  const odd = (): unknown => (next() < 0.8 ? pick(ODD) : text());
  const IDS = ['a', 'b', 'c', 'd', 'e-1', 'f_2', 'g+3', 'h'];
  const id = (): unknown => (next() < 0.7 ? pick(IDS) : odd());
  const iam = `AWS4-HMAC-SHA256 Credential=${IAM.accessKeyId}/20260101/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
  const auth = (): unknown =>
    oneOf([
      () => ({ host, 'x-api-key': API_KEY }),
      () => ({ host, 'x-api-key': 'da2-wrong' }),
      () => ({ host, Authorization: 'jwt-ok' }),
      () => ({ host, Authorization: 'lambda-ok' }),
      () => ({ host, Authorization: iam, 'x-amz-date': pick(['20260101T000000Z', 'yesterday', '']) }),
      () => ({ host, Authorization: pick(['AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256 Credential=/', text()]) }),
      () => ({ host: odd(), 'x-api-key': odd(), Authorization: odd() }),
      odd,
    ]);
  const QUERIES = [SUBSCRIPTION, 'subscription { onCreateMessage(room: "A") { id room text } }', 'query { listMessages { id } }', 'subscription { nope }', 'subscription {', ''];
  const query = (): unknown => (next() < 0.8 ? pick(QUERIES) : next() < 0.5 ? `subscription ${text()}` : odd());
  const data = (): unknown =>
    next() < 0.7 ? JSON.stringify({ query: query(), variables: oneOf([() => ({}), () => ({ room: 'A' }), () => null, odd]), operationName: pick([undefined, 'X', 7]) }) : oneOf([text, () => '{}', () => 'null', odd]);
  const CHANNELS = ['/default/*', '/default/room', '/default/a/b/c/d', '/nope/x', '/default/*/x', 'default', '/-bad'];
  const channel = (): unknown => (next() < 0.8 ? pick(CHANNELS) : odd());
  const EVENT_LISTS = [['{"a":1}'], ['"x"', '1', 'null'], [], ['not json'], Array(6).fill('1')];
  const events = (): unknown => (next() < 0.8 ? pick(EVENT_LISTS) : odd());
  const graphqlFrame = (): unknown =>
    oneOf([
      () => ({ type: 'connection_init', payload: oneOf([() => ({}), () => undefined, odd]) }),
      () => ({ type: 'start', id: id(), payload: oneOf([() => ({ data: data(), extensions: { authorization: auth() } }), () => ({ data: data() }), () => ({ extensions: odd() }), odd]) }),
      () => ({ type: 'start', id: id(), payload: { data: data(), extensions: { authorization: auth() } } }),
      () => ({ type: 'stop', id: id() }),
      () => ({ type: pick(['ka', 'data', 'complete', 'connection_ack', 'START']), id: id(), payload: odd() }),
      () => ({ type: odd(), id: id() }),
    ]);
  const eventsFrame = (): unknown =>
    oneOf([
      () => ({ type: 'connection_init' }),
      () => ({ type: 'subscribe', id: id(), channel: channel(), authorization: auth() }),
      () => ({ type: 'unsubscribe', id: id() }),
      () => ({ type: 'publish', id: id(), channel: channel(), events: events(), authorization: auth() }),
      () => ({ type: pick(['ka', 'data', 'subscribe_success']), id: id(), channel: odd() }),
      () => ({ type: odd(), id: id(), events: odd() }),
    ]);
  const RAW = ['[]', 'null', '1', '"s"', '{', '{"type":', '[[[[[[[[[[]]]]]]]]]]', '{"type":"start"'.repeat(3), '{"__proto__":{"type":"start"},"constructor":{"prototype":{}}}', '{"type":"connection_init","__proto__":null}'];
  return (endpoint) => {
    const roll = next();
    if (roll < 0.03) return new Uint8Array([Math.floor(next() * 256), 0, 255]);
    if (roll < 0.1) return next() < 0.7 ? pick(RAW) : text();
    return JSON.stringify(endpoint === 'graphql' ? graphqlFrame() : eventsFrame());
  };
}

test('100 000 hostile frames (fixed seed) to both endpoints of serve: the process survives, answers every connection, and meets each frame with a rule', async (t) => {
  const serve = cli(t, [
    'serve', '--port', '0',
    '--api-key', API_KEY, '--jwt', 'jwt-ok', '--lambda-token', 'lambda-ok',
    '--iam-access-key-id', IAM.accessKeyId, '--iam-secret-access-key', IAM.secretAccessKey,
  ]);
  const [, host = ''] = await serve.stdoutMatch(/^HTTP: http:\/\/([^/]+)\/graphql$/m);
  const server = { host };
  const sockets: { endpoint: 'graphql' | 'events'; socket: RawSocket }[] = [];
  for (let i = 0; i < CONNECTIONS_PER_ENDPOINT; i++) {
    sockets.push({ endpoint: 'graphql', socket: await rawSocket(t, server, GRAPHQL) });
    sockets.push({ endpoint: 'events', socket: await rawSocket(t, server, EVENTS) });
  }
  const frame = fuzzer(random(SEED), host);
  const perSocket = FRAMES / sockets.length;
  for (let sent = 0; sent < perSocket; sent++) {
    for (const { endpoint, socket } of sockets) socket.ws.send(frame(endpoint));
  }
  // Each connection handles its frames in order: the probe's answer comes after every fuzzed frame's.
  for (const { socket } of sockets) socket.send({ type: 'stop', id: 'probe' });
  await Promise.all(sockets.map(({ socket }) => socket.frame((f) => f.id === 'probe', 30_000)));

  assert.equal(serve.child.exitCode, null, 'serve is still running');
  const answers = sockets.flatMap(({ socket }) => socket.frames);
  assert.ok(answers.length > FRAMES / 2, `${answers.length} answers`);
  const unforeseen: unknown[] = [];
  for (const answer of answers) {
    const text = JSON.stringify(answer);
    assert.equal(typeof answer.type, 'string', text);
    assert.ok(Buffer.byteLength(text) <= MAX_ANSWER_BYTES, `an answer of ${Buffer.byteLength(text)} bytes`);
    assert.ok(!text.includes(IAM.secretAccessKey));
    if (text.includes('"InternalFailure"')) unforeseen.push(answer);
  }
  assert.deepEqual(unforeseen.slice(0, 3), [], `${unforeseen.length} frames met no rule of the protocol`);
  serve.child.kill('SIGTERM');
  const end = await serve.done;
  assert.equal(end.code, 0);
  // Nothing but serve's own notes (its start-up lines and ready-to-paste commands): no stack trace, no warning.
  const notes = /^(local AppSync listening .*|Try it, each in its own terminal:|  (First set|npx appsync-websockets) .*|The page .*|stopping \(SIGTERM\)|stopped|)$/;
  assert.deepEqual(end.stderr.split('\n').filter((line) => !notes.test(line)), []);
});
