/** The pure protocol modules: frames, URLs, handshake encoding. No sockets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TransportConfigurationError, TransportProtocolError } from '../src/index.js';
import { base64Decode, base64Encode, base64UrlEncode } from '../src/protocol/encoding.js';
import { buildHandshake } from '../src/protocol/handshake.js';
import { keepAliveFromAck, normalizeAckPayload, parseServerMessage, serializeRequest, startMessage } from '../src/protocol/messages.js';
import { redactUrl, regionFromHost, resolveEndpoints } from '../src/protocol/url.js';

test('URL: AppSync host → realtime host, https → wss, host kept for auth', () => {
  const e = resolveEndpoints('https://abc.appsync-api.eu-west-3.amazonaws.com/graphql');
  assert.equal(e.realtimeUrl, 'wss://abc.appsync-realtime-api.eu-west-3.amazonaws.com/graphql');
  assert.equal(e.host, 'abc.appsync-api.eu-west-3.amazonaws.com');
  assert.equal(e.httpUrl, 'https://abc.appsync-api.eu-west-3.amazonaws.com/graphql');
});

test('URL: the path is never rewritten for AppSync hosts; the query string is kept', () => {
  const e = resolveEndpoints('https://x.appsync-api.us-east-1.amazonaws.com/graphql?appsync-api=1');
  assert.equal(e.realtimeUrl, 'wss://x.appsync-realtime-api.us-east-1.amazonaws.com/graphql?appsync-api=1');
});

test('URL: custom domains get /graphql/realtime, China partition hosts are AppSync hosts', () => {
  assert.equal(resolveEndpoints('https://api.example.com/graphql').realtimeUrl, 'wss://api.example.com/graphql/realtime');
  assert.equal(resolveEndpoints('https://api.example.com/graphql').host, 'api.example.com');
  assert.equal(resolveEndpoints('http://127.0.0.1:4000/graphql').realtimeUrl, 'ws://127.0.0.1:4000/graphql/realtime');
  const cn = resolveEndpoints('https://x.appsync-api.cn-north-1.amazonaws.com.cn/graphql');
  assert.equal(cn.realtimeUrl, 'wss://x.appsync-realtime-api.cn-north-1.amazonaws.com.cn/graphql');
});

test('URL: ws:// and wss:// are used as given; the auth host is the API host', () => {
  const e = resolveEndpoints('wss://x.appsync-realtime-api.us-east-1.amazonaws.com/graphql');
  assert.equal(e.realtimeUrl, 'wss://x.appsync-realtime-api.us-east-1.amazonaws.com/graphql');
  assert.equal(e.host, 'x.appsync-api.us-east-1.amazonaws.com');
  const custom = resolveEndpoints('wss://api.example.com/graphql/realtime');
  assert.equal(custom.realtimeUrl, 'wss://api.example.com/graphql/realtime');
  assert.equal(custom.host, 'api.example.com');
  assert.equal(custom.httpUrl, 'https://api.example.com/graphql');
});

test('URL: explicit realtimeUrl wins', () => {
  const e = resolveEndpoints('https://api.example.com/graphql', 'wss://proxy.example.com/rt');
  assert.equal(e.realtimeUrl, 'wss://proxy.example.com/rt');
  assert.equal(e.host, 'api.example.com');
});

test('URL: bad URLs raise TransportConfigurationError that teaches', () => {
  assert.throws(() => resolveEndpoints('not a url'), (e: unknown) => {
    assert.ok(e instanceof TransportConfigurationError);
    assert.equal(e.code, 'CONFIGURATION_ERROR');
    assert.match(e.message, /Expected url to be an absolute URL like https:\/\/<id>\.appsync-api/);
    return true;
  });
  assert.throws(() => resolveEndpoints('ftp://x/graphql'), /use https:\/\/, http:\/\/, wss:\/\/ or ws:\/\/, but got "ftp:"/);
  assert.throws(() => resolveEndpoints(''), /but got an empty string/);
});

test('region from host', () => {
  assert.equal(regionFromHost('x.appsync-api.ap-southeast-2.amazonaws.com'), 'ap-southeast-2');
  assert.equal(regionFromHost('x.appsync-realtime-api.us-west-2.amazonaws.com'), 'us-west-2');
  assert.equal(regionFromHost('api.example.com'), undefined);
});

test('redactUrl hides every query value and user info', () => {
  const url = 'wss://u:p@h.example.com/graphql?header=eyJ4LWFwaS1rZXkiOiJkYTItU0VDUkVUIn0=&payload=e30=';
  const safe = redactUrl(url);
  assert.equal(safe, 'wss://redacted@h.example.com/graphql?header=<redacted>&payload=<redacted>');
});

test('base64 and base64url of UTF-8, and back', () => {
  assert.equal(base64Encode('{}'), 'e30=');
  const text = '{"host":"h","x-api-key":"da2-ü?>"}';
  assert.equal(base64Decode(base64Encode(text)), text);
  const url = base64UrlEncode(text);
  assert.doesNotMatch(url, /[+/=]/);
  assert.equal(base64Decode(url), text);
});

test('handshake: subprotocol style carries base64url auth, no query string', () => {
  const auth = { host: 'h', 'x-api-key': 'k' };
  const h = buildHandshake('subprotocol', 'wss://h/graphql', auth, 'graphql-ws');
  assert.equal(h.url, 'wss://h/graphql');
  assert.equal(h.protocols[0], 'graphql-ws');
  assert.deepEqual(JSON.parse(base64Decode((h.protocols[1] as string).slice('header-'.length))), auth);
});

test('handshake: query style appends header and payload=e30=, also to a URL with a query', () => {
  const auth = { host: 'h', 'x-api-key': 'k>?' };
  const h = buildHandshake('query', 'wss://h/graphql?x=1', auth, 'graphql-ws');
  const url = new URL(h.url);
  assert.equal(url.searchParams.get('x'), '1');
  assert.equal(url.searchParams.get('payload'), 'e30=');
  assert.deepEqual(JSON.parse(base64Decode(url.searchParams.get('header') as string)), auth);
  assert.deepEqual(h.protocols, ['graphql-ws']);
});

test('start message: payload.data is the JSON string of {query, operationName, variables}', () => {
  const data = serializeRequest({ query: 'subscription S { s }', operationName: 'S', variables: { a: 1 } });
  assert.equal(data, '{"query":"subscription S { s }","operationName":"S","variables":{"a":1}}');
  const start = JSON.parse(startMessage('id-1', data, { host: 'h' }));
  assert.deepEqual(start, { id: 'id-1', type: 'start', payload: { data, extensions: { authorization: { host: 'h' } } } });
});

test('server frames: every valid type parses', () => {
  assert.deepEqual(parseServerMessage('{"type":"ka"}'), { type: 'ka' });
  assert.deepEqual(parseServerMessage('{"type":"start_ack","id":"1"}'), { type: 'start_ack', id: '1' });
  assert.deepEqual(parseServerMessage('{"type":"complete","id":"1"}'), { type: 'complete', id: '1' });
  assert.deepEqual(parseServerMessage('{"type":"data","id":"1","payload":{"data":{"a":1}}}'), {
    type: 'data',
    id: '1',
    payload: { data: { a: 1 } },
  });
});

test('server frames: errors as an array, as a single object, with or without id', () => {
  const one = parseServerMessage('{"type":"error","id":"1","payload":{"errors":{"errorType":"MaxSubscriptionsReachedError","message":"Max"}}}');
  assert.deepEqual(one, { type: 'error', id: '1', errors: [{ errorType: 'MaxSubscriptionsReachedError', message: 'Max' }] });
  const many = parseServerMessage('{"type":"error","payload":{"errors":[{"message":"a"},{"message":"b"}]}}');
  assert.deepEqual(many, { type: 'error', id: undefined, errors: [{ message: 'a' }, { message: 'b' }] });
  const conn = parseServerMessage('{"type":"connection_error","payload":{"errors":[{"errorType":"UnauthorizedException","errorCode":401}]}}');
  assert.deepEqual(conn, { type: 'connection_error', errors: [{ errorType: 'UnauthorizedException', errorCode: 401 }] });
});

test('server frames: malformed input raises TransportProtocolError saying what arrived', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['not json', /Expected a JSON object from the server, but got text that is not JSON: "not json"/],
    ['[1,2]', /Expected a JSON object from the server, but got an array \(\[1,2\]\)/],
    ['"x"', /but got a string \("x"\)/],
    ['null', /but got null/],
    ['42', /but got number 42/],
    ['{"id":"1"}', /to have a string "type", but got no type/],
    ['{"type":"data","payload":{}}', /Expected "data" message to have a string "id", but got none/],
    [new Uint8Array([1, 2]), /Expected a text frame holding a JSON object, but got a binary frame/],
  ];
  for (const [frame, message] of cases) {
    assert.throws(() => parseServerMessage(frame), (e: unknown) => {
      assert.ok(e instanceof TransportProtocolError, `class for ${String(frame)}`);
      assert.equal(e.code, 'PROTOCOL_ERROR');
      assert.match(e.message, message);
      return true;
    });
  }
});

test('server frames for the future or for one subscription: an unknown type is returned as unknown; data without an object payload is malformed for its id only', () => {
  assert.deepEqual(parseServerMessage('{"type":"something_new","id":"1"}'), { type: 'unknown', original: 'something_new' });
  for (const [frame, got] of [
    ['{"type":"data","id":"1"}', 'no payload'],
    ['{"type":"data","id":"1","payload":[1]}', 'an array ([1])'],
    ['{"type":"data","id":"1","payload":"x"}', 'a string ("x")'],
  ] as const) {
    const message = parseServerMessage(frame);
    assert.equal(message.type, 'malformed');
    assert.ok(message.type === 'malformed' && message.error instanceof TransportProtocolError);
    assert.equal(
      message.error.message,
      `Expected "data" message for subscription 1 to carry an object "payload" with "data", but got ${got}; the subscription was stopped.`,
    );
  }
});

test('ack payload: object or JSON string; connectionTimeoutMs or connectionTimeout', () => {
  assert.equal(keepAliveFromAck(normalizeAckPayload({ connectionTimeoutMs: 300000 })), 300000);
  assert.equal(keepAliveFromAck(normalizeAckPayload('{"connectionTimeoutMs":1000}')), 1000);
  assert.equal(keepAliveFromAck(normalizeAckPayload({ connectionTimeout: 5000 })), 5000);
  assert.equal(keepAliveFromAck(normalizeAckPayload(undefined)), undefined);
  assert.equal(keepAliveFromAck({ connectionTimeoutMs: -1 }), undefined);
});

test('describeValue: values of frames and options are shown by type, with the value only where it is short and harmless', async () => {
  const { describeValue } = await import('../src/errors.js');
  assert.deepEqual(
    [undefined, 5, true, 10n, () => 'da2-SECRET', Symbol('s'), null, 'x', [1], { a: 1 }].map(describeValue),
    ['undefined', 'number 5', 'boolean true', 'bigint 10', 'function', 'symbol', 'null', 'a string ("x")', 'an array ([1])', 'an object ({"a":1})'],
  );
});
