/** The local AppSync against racing and hostile clients (issue #14), frame by frame over real sockets. */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { AppSyncLambdaAuthentication, AppSyncWebsocketsTransport, signAppSyncRequest } from '../src/index.js';
import type { LocalAppSync } from '../src/testing/index.js';
import { cli } from './cli-helpers.js';
import { API_KEY, SUBSCRIPTION, localServer } from './helpers.js';
import { EVENTS, GRAPHQL, apiKeyAuth, rawSocket, startFrame, type Frame, type RawSocket } from './raw-socket.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLEORDER01', secretAccessKey: 'order-SECRET-key' };

/** A GraphQL socket past `connection_ack`. */
async function initialized(t: TestContext, server: LocalAppSync, auth?: Record<string, string>): Promise<RawSocket> {
  const socket = await rawSocket(t, server, GRAPHQL, auth);
  socket.send({ type: 'connection_init' });
  await socket.frame((f) => f.type === 'connection_ack');
  return socket;
}

/** Sends a stop and waits for its complete: frames are handled in order, so every earlier one has been. */
async function drained(socket: RawSocket, id: string): Promise<void> {
  socket.send({ type: 'stop', id });
  await socket.frame((f) => f.id === id && f.type === 'complete');
}

const types = (frames: Frame[], id: string): unknown[] => frames.filter((f) => f.id === id).map((f) => f.type);

describe('defect 1: a stop never overtakes its own start', () => {
  test('API key, raw frames: start and stop in one tick get start_ack then complete, and nothing stays subscribed', async (t) => {
    const server = await localServer(t);
    const socket = await initialized(t, server);
    socket.send(startFrame('s1', SUBSCRIPTION, apiKeyAuth(server)));
    socket.send({ type: 'stop', id: 's1' });
    await socket.frame((f) => f.type === 'complete');
    assert.equal(server.realtime.subscriptions.length, 0);
    assert.equal(server.realtime.publish('onCreateMessage', { id: '1', text: 'after stop' }), 0);
    await drained(socket, 'probe-1');
    assert.deepEqual(types(socket.frames, 's1'), ['start_ack', 'complete']);
  });

  test('IAM, raw frames: a stop waits for its start\'s signature check', async (t) => {
    const server = await localServer(t, { auth: { iam: { credentials: { [CREDENTIALS.accessKeyId]: CREDENTIALS } } } });
    const sign = (path: string, body: string) => signAppSyncRequest({ credentials: CREDENTIALS, region: 'us-east-1', host: server.host, path, body, date: new Date() });
    const socket = await initialized(t, server, await sign('/graphql/connect', '{}'));
    const ids = ['a', 'b', 'c'];
    const starts = await Promise.all(
      ids.map(async (id) => {
        const data = JSON.stringify({ query: SUBSCRIPTION, variables: {} });
        return { id, type: 'start', payload: { data, extensions: { authorization: await sign('/graphql', data) } } };
      }),
    );
    // In one tick, as gql's client sends them: each stop arrives while its start's signature is checked.
    for (const start of starts) socket.send(start);
    for (const id of ids) socket.send({ type: 'stop', id });
    await socket.frame((f) => f.type === 'complete' && f.id === 'c');
    await drained(socket, 'probe-2');
    for (const id of ids) assert.deepEqual(types(socket.frames, id), ['start_ack', 'complete'], `frames for ${id}`);
    assert.equal(server.realtime.subscriptions.length, 0);
  });

  test('this library\'s client: stops sent while their starts are still being authorized leave no subscription', async (t) => {
    // A Lambda authorizer the test holds: the connection passes, every start waits for `release`.
    let release: () => void = () => undefined;
    const held = new Promise<boolean>((resolve) => (release = () => resolve(true)));
    let calls = 0;
    const server = await localServer(t, { auth: { lambda: () => (++calls === 1 ? true : held) } });
    const transport = new AppSyncWebsocketsTransport({ url: server.url, auth: new AppSyncLambdaAuthentication({ token: 'lambda-token' }), retry: false });
    t.after(() => transport.close());
    await transport.connect();
    const observer = { next: () => undefined, error: () => undefined };
    const count = (type: string): number => server.realtime.received.filter((f) => f.message?.type === type).length;
    const stops = [0, 1, 2].map(() => transport.observe(SUBSCRIPTION, observer));
    await server.realtime.waitFor(() => count('start') === 3);
    for (const stop of stops) stop();
    await server.realtime.waitFor(() => count('stop') === 3);
    const kept = transport.observe(SUBSCRIPTION, observer);
    t.after(kept);
    await server.realtime.waitFor(() => count('start') === 4);
    release();
    const last = server.realtime.received.filter((f) => f.message?.type === 'start')[3]?.message?.id;
    // Frames are handled in order: once the fourth start is live, the stops before it were handled.
    await server.realtime.waitFor(() => server.realtime.subscriptions.some((s) => s.id === last));
    assert.deepEqual(server.realtime.subscriptions.map((s) => s.id), [last]);
  });
});

describe('defect 2: no frame ends the server', () => {
  test('GraphQL: a type whose toString is not a function gets an UnsupportedOperation error, and the connection goes on', async (t) => {
    const server = await localServer(t);
    const socket = await initialized(t, server);
    socket.send('{"type":{"toString":1}}');
    const error = await socket.frame((f) => f.type === 'error');
    assert.deepEqual(error, { type: 'error', payload: { errors: [{ errorType: 'UnsupportedOperation', message: 'Unsupported message type: an object ({"toString":1})' }] } });
    socket.send(startFrame('after', SUBSCRIPTION, apiKeyAuth(server)));
    await socket.frame((f) => f.type === 'start_ack' && f.id === 'after');
  });

  test('Events: an unsubscribe whose id is an object gets unsubscribe_error, and the connection goes on', async (t) => {
    const server = await localServer(t);
    const socket = await rawSocket(t, server, EVENTS);
    socket.send('{"type":"unsubscribe","id":{"toString":1}}');
    const error = await socket.frame((f) => f.type === 'unsubscribe_error');
    assert.deepEqual(error, { type: 'unsubscribe_error', errors: [{ errorType: 'UnknownOperationError', message: 'Unknown operation id an object ({"toString":1})' }] });
    socket.send({ type: 'subscribe', id: 'after', channel: '/default/*', authorization: apiKeyAuth(server) });
    await socket.frame((f) => f.type === 'subscribe_success' && f.id === 'after');
  });

  test('a frame that is not a JSON object is answered on both endpoints, without quoting it', async (t) => {
    const server = await localServer(t);
    const graphql = await initialized(t, server);
    const events = await rawSocket(t, server, EVENTS);
    for (const socket of [graphql, events]) {
      socket.send(`not json ${API_KEY}`);
      socket.send('[1,2]');
      socket.ws.send(Buffer.from([1, 2, 3]));
    }
    for (const socket of [graphql, events]) await socket.frame((f) => JSON.stringify(f).includes('a binary frame'));
    const messages = (socket: RawSocket): unknown[] => socket.frames.filter((f) => f.type === 'error').map((f) => JSON.stringify(f));
    const expected = (errors: string) => [
      `Expected a text frame holding a JSON object with a "type", but got ${9 + API_KEY.length} characters that are not JSON.`,
      'Expected a text frame holding a JSON object with a "type", but got an array.',
      'Expected a text frame holding a JSON object with a "type", but got a binary frame.',
    ].map((message) => (errors === 'payload' ? JSON.stringify({ type: 'error', payload: { errors: [{ errorType: 'BadRequestException', message }] } }) : JSON.stringify({ type: 'error', errors: [{ errorType: 'BadRequestException', message }] })));
    assert.deepEqual(messages(graphql), expected('payload'));
    assert.deepEqual(messages(events), expected('top'));
  });
});

describe('defect 3: a start before connection_init', () => {
  test('is refused with an error for its id, subscribes nothing, and the connection can still init', async (t) => {
    const server = await localServer(t);
    const socket = await rawSocket(t, server, GRAPHQL);
    socket.send(startFrame('early', SUBSCRIPTION, apiKeyAuth(server)));
    const error = await socket.frame((f) => f.id === 'early');
    assert.deepEqual(error, {
      type: 'error',
      id: 'early',
      payload: {
        errors: [
          {
            errorType: 'BadRequestException',
            message: 'Expected connection_init before start (id "early"), but the connection has not been initialized: send {"type":"connection_init"} and wait for connection_ack.',
          },
        ],
      },
    });
    assert.equal(server.realtime.subscriptions.length, 0);
    socket.send({ type: 'connection_init' });
    socket.send(startFrame('late', SUBSCRIPTION, apiKeyAuth(server)));
    await socket.frame((f) => f.type === 'start_ack' && f.id === 'late');
    assert.deepEqual(socket.frames.map((f) => f.type), ['error', 'connection_ack', 'start_ack']);
  });

  test('a repeated connection_init gets no second ack (and starts no second keep-alive)', async (t) => {
    const server = await localServer(t);
    const socket = await initialized(t, server);
    socket.send({ type: 'connection_init' });
    await drained(socket, 'probe-3');
    assert.equal(socket.frames.filter((f) => f.type === 'connection_ack').length, 1);
  });
});

describe('defect 4: the record of received frames is bounded', () => {
  test('maxReceivedFrames keeps the last N frames of each endpoint', async (t) => {
    const server = await localServer(t, { maxReceivedFrames: 3 });
    const socket = await initialized(t, server);
    for (let i = 0; i < 5; i++) socket.send({ type: 'stop', id: `s${i}` });
    await drained(socket, 'probe-4');
    assert.deepEqual(server.realtime.received.map((f) => f.message?.id), ['s3', 's4', 'probe-4']);
  });

  test('maxReceivedBytes drops the oldest frames, and keeps a frame larger than the cap as its start, type and id', async (t) => {
    const server = await localServer(t, { maxReceivedBytes: 4096 });
    const socket = await initialized(t, server);
    const big = startFrame('big', `subscription { onCreateMessage { id ${'text '.repeat(4000)} } }`, apiKeyAuth(server));
    socket.send(big);
    await socket.frame((f) => f.id === 'big');
    const kept = server.realtime.received.at(-1);
    assert.equal(kept?.truncated, true);
    assert.equal(kept?.bytes, Buffer.byteLength(JSON.stringify(big)));
    assert.deepEqual(kept?.message, { type: 'start', id: 'big' });
    assert.match(kept?.raw ?? '', new RegExp(`… \\(${kept?.bytes} bytes, not kept\\)$`));
    for (let i = 0; i < 40; i++) socket.send({ type: 'stop', id: `${i}`.padStart(200, 'x') });
    await drained(socket, 'probe-5');
    const total = server.realtime.received.reduce((sum, f) => sum + Buffer.byteLength(f.raw), 0);
    assert.ok(total <= 4096, `${total} bytes kept`);
    assert.equal(server.realtime.received.at(-1)?.message?.id, 'probe-5');
  });

  test('by default, three 6 MB starts leave at most 16 MiB in the record', async (t) => {
    const server = await localServer(t);
    const socket = await initialized(t, server);
    const data = JSON.stringify({ query: SUBSCRIPTION, variables: { pad: 'x'.repeat(6_000_000) } });
    for (const id of ['h1', 'h2', 'h3']) socket.send({ id, type: 'start', payload: { data, extensions: { authorization: apiKeyAuth(server) } } });
    await drained(socket, 'probe-6');
    const total = server.realtime.received.reduce((sum, f) => sum + Buffer.byteLength(f.raw), 0);
    assert.ok(total <= 16 * 1024 * 1024, `${total} bytes kept`);
    assert.ok(server.realtime.received.length >= 2);
  });
});

describe('defect 6: the auth object\'s host', () => {
  const REALTIME_HOST = 'example123.appsync-realtime-api.us-east-1.amazonaws.com';
  const message = (got: string) =>
    `Expected the auth object's host to be "api.example.com" (this API's publicHost), but got "${got}": send the host of the API's HTTP endpoint, not of its real-time endpoint.`;

  test('with publicHost, a handshake naming another host gets connection_error and is closed', async (t) => {
    const server = await localServer(t, { publicHost: 'api.example.com' });
    const socket = await rawSocket(t, server, GRAPHQL, { host: REALTIME_HOST, 'x-api-key': API_KEY });
    socket.send({ type: 'connection_init' });
    const error = await socket.frame((f) => f.type === 'connection_error');
    assert.deepEqual(error, { type: 'connection_error', payload: { errors: [{ errorType: 'UnauthorizedException', message: message(REALTIME_HOST), errorCode: 401 }] } });
    await socket.closed;
  });

  test('with publicHost, each start and Events subscribe is checked too; names ignore case, ports count only on both sides', async (t) => {
    const server = await localServer(t, { publicHost: 'api.example.com:443' });
    const good = { host: 'API.example.com', 'x-api-key': API_KEY };
    const socket = await initialized(t, server, good);
    socket.send(startFrame('wrong', SUBSCRIPTION, { host: REALTIME_HOST, 'x-api-key': API_KEY }));
    socket.send(startFrame('none', SUBSCRIPTION, { 'x-api-key': API_KEY }));
    socket.send(startFrame('right', SUBSCRIPTION, { host: 'api.example.com:443', 'x-api-key': API_KEY }));
    await socket.frame((f) => f.id === 'right');
    assert.deepEqual(socket.frames.slice(1).map((f) => [f.id, f.type, (f.payload as { errors?: { message: string }[] } | undefined)?.errors?.[0]?.message]), [
      ['wrong', 'error', message(REALTIME_HOST).replace('api.example.com', 'api.example.com:443')],
      ['none', 'error', 'Expected the auth object\'s host to be "api.example.com:443" (this API\'s publicHost), but it has no host: add "host": "api.example.com:443" to it.'],
      ['right', 'start_ack', undefined],
    ]);
    const events = await rawSocket(t, server, EVENTS, good);
    events.send({ type: 'subscribe', id: 'e1', channel: '/default/*', authorization: { host: REALTIME_HOST, 'x-api-key': API_KEY } });
    const refused = await events.frame((f) => f.id === 'e1');
    assert.equal(refused.type, 'subscribe_error');
  });

  test('serve --public-host checks it too', async (t) => {
    const serve = cli(t, ['serve', '--port', '0', '--public-host', 'api.example.com']);
    const [, host = ''] = await serve.stdoutMatch(/^HTTP: http:\/\/([^/]+)\/graphql$/m);
    const socket = await rawSocket(t, { host }, GRAPHQL, { host: REALTIME_HOST, 'x-api-key': API_KEY });
    socket.send({ type: 'connection_init' });
    const error = await socket.frame((f) => f.type === 'connection_error');
    assert.equal((error.payload as { errors: { message: string }[] }).errors[0]?.message, message(REALTIME_HOST));
  });

  test('without publicHost (the default), a port-less 127.0.0.1 host as gql-cli sends it is accepted', async (t) => {
    const server = await localServer(t);
    const socket = await initialized(t, server, { host: '127.0.0.1', 'x-api-key': API_KEY });
    socket.send(startFrame('gql', SUBSCRIPTION, { host: '127.0.0.1', 'x-api-key': API_KEY }));
    await socket.frame((f) => f.type === 'start_ack' && f.id === 'gql');
  });
});
