/** The AppSync Events protocol module, pure: channels, bodies, frames, URLs, the rate limiter. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TransportConfigurationError, TransportProtocolError, signAppSyncRequest } from '../src/index.js';
import {
  channelMatches,
  parseEventsMessage,
  publishBody,
  publishMessage,
  serializeEvents,
  subscribeBody,
  subscribeMessage,
  unsubscribeMessage,
  validateChannel,
} from '../src/protocol/events.js';
import { resolveEndpoints } from '../src/protocol/url.js';

function configError(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TransportConfigurationError);
    assert.equal(e.code, 'CONFIGURATION_ERROR');
    assert.equal(e.message, message);
    return true;
  });
}

test('channels: valid ones pass, a missing leading slash is added', () => {
  assert.equal(validateChannel('/default/chat', 'publish'), '/default/chat');
  assert.equal(validateChannel('default/chat/room-1', 'publish'), '/default/chat/room-1');
  assert.equal(validateChannel('/default', 'publish'), '/default');
  assert.equal(validateChannel('/a/b/c/d/e', 'publish'), '/a/b/c/d/e');
  assert.equal(validateChannel('/default/*', 'subscribe'), '/default/*');
  assert.equal(validateChannel('/a/b/c/d/*', 'subscribe'), '/a/b/c/d/*');
  assert.equal(validateChannel(`/${'x'.repeat(50)}`, 'publish'), `/${'x'.repeat(50)}`);
});

test('channels: each rule is named with the bad segment', () => {
  configError(() => validateChannel('', 'publish'), 'Expected the channel to be a path like "/default/chat" (namespace first), but got an empty string.');
  configError(() => validateChannel(42, 'publish'), 'Expected the channel to be a string like "/default/chat", but got number 42.');
  configError(
    () => validateChannel('/a/b/c/d/e/f', 'publish'),
    'Channel "/a/b/c/d/e/f" has 6 segments, but AppSync allows 1 to 5 (the namespace included).',
  );
  configError(
    () => validateChannel('/a/b/c/d/e/*', 'subscribe'),
    'Channel "/a/b/c/d/e/*" has 6 segments, but AppSync allows 1 to 5 (the namespace included, and a trailing * counts as one).',
  );
  configError(
    () => validateChannel('/default/chat room', 'publish'),
    'Segment 2 ("chat room") of channel "/default/chat room" contains " ", but segments may only contain letters, digits and hyphens ([A-Za-z0-9-]).',
  );
  configError(
    () => validateChannel('/default/chat_1', 'publish'),
    'Segment 2 ("chat_1") of channel "/default/chat_1" contains "_", but segments may only contain letters, digits and hyphens ([A-Za-z0-9-]).',
  );
  configError(
    () => validateChannel(`/default/${'x'.repeat(51)}`, 'publish'),
    `Segment 2 ("${'x'.repeat(51)}") of channel "/default/${'x'.repeat(51)}" is 51 characters long, but AppSync allows at most 50 per segment.`,
  );
  configError(
    () => validateChannel('/default/-chat', 'publish'),
    'Segment 2 ("-chat") of channel "/default/-chat" starts with "-", but segments may not start or end with a hyphen.',
  );
  configError(
    () => validateChannel('/default/chat-', 'publish'),
    'Segment 2 ("chat-") of channel "/default/chat-" ends with "-", but segments may not start or end with a hyphen.',
  );
  configError(
    () => validateChannel('/default//chat', 'publish'),
    'Segment 2 of channel "/default//chat" is empty: segments are separated by single slashes, and a channel does not end with "/".',
  );
  configError(
    () => validateChannel('/default/chat/', 'subscribe'),
    'Segment 3 of channel "/default/chat/" is empty: segments are separated by single slashes, and a channel does not end with "/".',
  );
  configError(
    () => validateChannel('/default/*', 'publish'),
    'Segment 2 ("*") of channel "/default/*" is the wildcard *, but events are published to one concrete channel; only subscribe() accepts a trailing /*.',
  );
  configError(
    () => validateChannel('/default/*/chat', 'subscribe'),
    'Segment 2 ("*") of channel "/default/*/chat" is the wildcard *, which may only be the last segment, as in "/default/chat/*".',
  );
  configError(
    () => validateChannel('/*', 'subscribe'),
    'Segment 1 ("*") of channel "/*" is the namespace, which cannot be a wildcard; subscribe to "/<namespace>/*" instead.',
  );
  configError(
    () => validateChannel('/default/chat*', 'subscribe'),
    'Segment 2 ("chat*") of channel "/default/chat*" contains "*", but segments may only contain letters, digits and hyphens ([A-Za-z0-9-]); a wildcard is a whole last segment, as in "/default/*".',
  );
});

test('wildcards: /* matches one or more further segments, nothing else', () => {
  assert.ok(channelMatches('/default/chat', '/default/chat'));
  assert.ok(!channelMatches('/default/chat', '/default/chat/room'));
  assert.ok(channelMatches('/default/chat/*', '/default/chat/room'));
  assert.ok(channelMatches('/default/chat/*', '/default/chat/room/thread'));
  assert.ok(!channelMatches('/default/chat/*', '/default/chat'));
  assert.ok(!channelMatches('/default/chat/*', '/default/chatter/x'));
  assert.ok(channelMatches('/default/*', '/default/a/b/c/d'));
  assert.ok(!channelMatches('/default/*', '/other/a'));
});

test('events: JSON strings; values JSON cannot carry are refused with their index', () => {
  assert.deepEqual(serializeEvents([{ text: 'hi' }, 42, 'x', null, [1]]), ['{"text":"hi"}', '42', '"x"', 'null', '[1]']);
  configError(() => serializeEvents([1, undefined]), 'Event 1 is undefined, which JSON cannot carry; send null or a JSON value instead.');
  configError(() => serializeEvents([]), 'Expected at least one event to publish, but got an empty array.');
  configError(
    () => serializeEvents({ text: 'hi' }),
    'Expected events to be an array of JSON values (one element per event), but got an object ({"text":"hi"}). Wrap a single event: [event].',
  );
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => serializeEvents([cyclic]), (e: unknown) => e instanceof TransportConfigurationError && /^Event 0 cannot be sent as JSON: /.test(e.message));
  assert.throws(() => serializeEvents([1n]), (e: unknown) => e instanceof TransportConfigurationError && /^Event 0 cannot be sent as JSON: /.test(e.message));
});

test('bodies and frames: the exact strings IAM signs and AppSync reads', () => {
  assert.equal(subscribeBody('/default/*'), '{"channel":"/default/*"}');
  assert.equal(publishBody('/default/chat', ['{"text":"hi"}', '42']), '{"channel":"/default/chat","events":["{\\"text\\":\\"hi\\"}","42"]}');
  assert.deepEqual(JSON.parse(subscribeMessage('id-1', '/default/*', { host: 'h', 'x-api-key': 'k' })), {
    type: 'subscribe',
    id: 'id-1',
    channel: '/default/*',
    authorization: { host: 'h', 'x-api-key': 'k' },
  });
  assert.equal(unsubscribeMessage('id-1'), '{"type":"unsubscribe","id":"id-1"}');
  assert.deepEqual(JSON.parse(publishMessage('p-1', '/default/chat', ['42'], { host: 'h' })), {
    type: 'publish',
    id: 'p-1',
    channel: '/default/chat',
    events: ['42'],
    authorization: { host: 'h' },
  });
});

test('the events-subscribe botocore vector: our subscribe body signs to the same signature', async () => {
  const file = new URL('../../test/vectors/appsync-sigv4.json', import.meta.url);
  const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as {
    vectors: Array<{ name: string; credentials: { accessKeyId: string; secretAccessKey: string }; region: string; host: string; path: string; body: string; headersToSign: Record<string, string>; signingDate: string; expected: { authorization: string } }>;
  };
  const cases = { 'events-subscribe': subscribeBody('/default/*'), 'events-connect': '{}' } as const;
  for (const [name, body] of Object.entries(cases)) {
    const vector = vectors.find((v) => v.name === name);
    assert.ok(vector, name);
    assert.equal(body, vector.body, `${name}: body byte for byte`);
    assert.equal(vector.path, '/event');
    const signed = await signAppSyncRequest({ ...vector, headers: vector.headersToSign, date: new Date(vector.signingDate) });
    assert.equal(signed.authorization, vector.expected.authorization, name);
  }
});

test('frames: every server message type parses into the typed union', () => {
  assert.deepEqual(parseEventsMessage('{"type":"connection_ack","connectionTimeoutMs":300000}'), { type: 'connection_ack', connectionTimeoutMs: 300000 });
  assert.deepEqual(parseEventsMessage('{"type":"connection_ack"}'), { type: 'connection_ack', connectionTimeoutMs: undefined });
  assert.deepEqual(parseEventsMessage('{"type":"ka"}'), { type: 'ka' });
  assert.deepEqual(parseEventsMessage('{"type":"subscribe_success","id":"a"}'), { type: 'subscribe_success', id: 'a' });
  assert.deepEqual(parseEventsMessage('{"type":"subscribe_error","id":"a","errors":[{"errorType":"UnauthorizedException","message":"no"}]}'), {
    type: 'subscribe_error',
    id: 'a',
    errors: [{ errorType: 'UnauthorizedException', message: 'no' }],
  });
  // errors as a single object (as GraphQL's MaxSubscriptionsReachedError) is read as an array.
  assert.deepEqual(parseEventsMessage('{"type":"broadcast_error","id":"a","errors":{"message":"x"}}'), {
    type: 'broadcast_error',
    id: 'a',
    errors: [{ message: 'x' }],
  });
  assert.deepEqual(parseEventsMessage('{"type":"data","id":"a","event":"{\\"n\\":1}"}'), { type: 'data', id: 'a', event: '{"n":1}' });
  assert.deepEqual(parseEventsMessage('{"type":"unsubscribe_success","id":"a"}'), { type: 'unsubscribe_success', id: 'a' });
  assert.deepEqual(parseEventsMessage('{"type":"unsubscribe_error","id":"a","errors":[]}'), { type: 'unsubscribe_error', id: 'a', errors: [] });
  assert.deepEqual(parseEventsMessage('{"type":"publish_success","id":"p","successful":[{"identifier":"x","index":0}],"failed":[]}'), {
    type: 'publish_success',
    id: 'p',
    successful: [{ identifier: 'x', index: 0 }],
    failed: [],
  });
  assert.deepEqual(parseEventsMessage('{"type":"publish_error","id":"p","errors":[{"message":"no"}]}'), {
    type: 'publish_error',
    id: 'p',
    errors: [{ message: 'no' }],
  });
  assert.deepEqual(parseEventsMessage('{"type":"connection_error","errors":[{"errorType":"UnauthorizedException","errorCode":401}]}'), {
    type: 'connection_error',
    errors: [{ errorType: 'UnauthorizedException', errorCode: 401 }],
  });
  assert.deepEqual(parseEventsMessage('{"type":"error","errors":[{"message":"bad"}]}'), { type: 'error', id: undefined, errors: [{ message: 'bad' }] });
  assert.deepEqual(parseEventsMessage('{"type":"something_new","id":"a"}'), { type: 'unknown', original: 'something_new' });
});

test('frames: what breaks the protocol is a TransportProtocolError with the reason', () => {
  const protocolError = (frame: unknown, message: string): void => {
    assert.throws(() => parseEventsMessage(frame), (e: unknown) => {
      assert.ok(e instanceof TransportProtocolError);
      assert.equal(e.code, 'PROTOCOL_ERROR');
      assert.equal(e.message, message);
      return true;
    });
  };
  protocolError('{"type":"data","event":"1"}', 'Expected "data" message to have a string "id", but got none.');
  protocolError('{"type":"subscribe_success","id":7}', 'Expected "subscribe_success" message to have a string "id", but got number 7.');
  protocolError(
    '{"type":"publish_success","id":"p","successful":{}}',
    'Expected "publish_success" for publish p to carry an array "successful", but got an object ({}).',
  );
  protocolError('[1]', 'Expected a JSON object from the server, but got an array ([1]).');
});

test('endpoints: Events real-time URLs get /event/realtime on AppSync hosts too; GraphQL keeps its own', () => {
  const appsync = resolveEndpoints('https://abc.appsync-api.eu-west-1.amazonaws.com/event', undefined, 'event');
  assert.deepEqual(appsync, {
    httpUrl: 'https://abc.appsync-api.eu-west-1.amazonaws.com/event',
    realtimeUrl: 'wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/event/realtime',
    host: 'abc.appsync-api.eu-west-1.amazonaws.com',
  });
  assert.deepEqual(resolveEndpoints('wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/event/realtime', undefined, 'event'), appsync);
  assert.deepEqual(resolveEndpoints('https://events.example.com/event', undefined, 'event'), {
    httpUrl: 'https://events.example.com/event',
    realtimeUrl: 'wss://events.example.com/event/realtime',
    host: 'events.example.com',
  });
  assert.equal(resolveEndpoints('http://127.0.0.1:4000/event', undefined, 'event').realtimeUrl, 'ws://127.0.0.1:4000/event/realtime');
  assert.equal(
    resolveEndpoints('https://abc.appsync-api.cn-north-1.amazonaws.com.cn/event', undefined, 'event').realtimeUrl,
    'wss://abc.appsync-realtime-api.cn-north-1.amazonaws.com.cn/event/realtime',
  );
  // GraphQL is unchanged.
  assert.equal(
    resolveEndpoints('https://abc.appsync-api.eu-west-1.amazonaws.com/graphql').realtimeUrl,
    'wss://abc.appsync-realtime-api.eu-west-1.amazonaws.com/graphql',
  );
});
