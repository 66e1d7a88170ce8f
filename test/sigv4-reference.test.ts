/**
 * The signer (aws4fetch's AwsV4Signer, src/auth/sigv4.ts) against the AWS SDK's
 * `@smithy/signature-v4`, which signed until issue #15, called exactly as it was: every input
 * below must give the same headers, byte for byte. botocore's vectors are in iam-signing.test.ts.
 * Inputs that aws4fetch would sign differently must be refused, never signed wrongly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppSyncIAMAuthentication, signAppSyncRequest, type SignAppSyncRequestInput } from '../src/auth/iam.js';
import { sdkSign } from './sdk-signer.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE0123456789', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const TOKEN = 'FwoGZXIvYXdzEXAMPLETOKEN+with/slash=and+plus==';
const HOST = 'abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-3.amazonaws.com';
const DATE = new Date('2026-12-02T01:23:45.678Z');

const base: SignAppSyncRequestInput = { credentials: CREDENTIALS, region: 'eu-west-3', host: HOST, path: '/graphql/connect', body: '{}', date: DATE };

const SAME: Array<[string, Partial<SignAppSyncRequestInput>]> = [
  ['a connect', {}],
  ['a connect with a session token', { credentials: { ...CREDENTIALS, sessionToken: TOKEN } }],
  ['an empty session token (not sent)', { credentials: { ...CREDENTIALS, sessionToken: '' } }],
  ['a start with a Unicode body', { path: '/graphql', body: '{"query":"subscription { s }","variables":{"t":"é ✓ 😀"}}' }],
  ['an empty body', { body: '' }],
  ['Events', { path: '/event', body: '{"channel":"/default/*"}' }],
  ['a local server with a port', { host: '127.0.0.1:4000', region: 'us-east-1' }],
  ['an explicit default port of https', { host: 'api.example.com:443' }],
  ['an explicit default port of http', { host: 'api.example.com:80' }],
  ['an IPv6 host', { host: '[::1]:4000' }],
  ['a China-partition host', { host: 'x.appsync-api.cn-north-1.amazonaws.com.cn', region: 'cn-north-1' }],
  ['an HTTP request', { path: '/graphql', headers: { 'content-type': 'application/json' } }],
  ['a percent-encoded path', { path: '/my%20api/graphql' }],
  ['an encoded slash and reserved characters in the path', { path: "/a%2Fb/!'()*/graphql" }],
  ['a path with a trailing and a double slash', { path: '/api//graphql/' }],
  ['the root path', { path: '/' }],
  ['headers the SDK would skip by default, given to sign', { headers: { 'user-agent': 'x/1', 'cache-control': 'no', 'proxy-a': 'p', 'sec-b': 's', 'content-length': '2' } }],
  ['mixed-case header names, and a name given twice', { headers: { Accept: 'a', ACCEPT: 'b', 'X-Custom': 'c' } }],
  ['values with runs of spaces, tabs, CR/LF and ends', { headers: { 'x-a': '  a   b\t\tc  ', 'x-b': 'l1\r\n l2', 'x-c': '\t', 'x-d': '' } }],
  ['a Latin-1 value', { headers: { 'x-a': 'caf\u00e9 \u00ff' } }],
  ['a given x-amz-content-sha256 (the body hash)', { headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }],
  ['given authorization, date and x-amz-date (dropped or replaced)', { headers: { authorization: 'old', date: 'Mon', 'x-amz-date': '19700101T000000Z', accept: 'x' } }],
  ['a given host header (the host wins)', { headers: { Host: 'other.example.com', accept: 'x' } }],
  ['a given security token header without credentials token', { headers: { 'x-amz-security-token': 'given', accept: 'x' } }],
  ['a date with no milliseconds', { date: new Date('2026-01-02T03:04:05Z') }],
  ['a date before 1970', { date: new Date('1969-07-20T20:17:40Z') }],
  // The Authorization value never goes through `Headers`, which refuses CR, LF, NUL and
  // characters beyond U+00FF (with a TypeError quoting the whole value, signature included).
  ['an access key id with a CR (a Windows line end in an env file)', { credentials: { ...CREDENTIALS, accessKeyId: 'AKIDEXAMPLE0123456789\r' } }],
  ['an access key id beyond Latin-1', { credentials: { ...CREDENTIALS, accessKeyId: 'AKID☃' } }],
  ['a region with a LF', { region: 'eu-west-3\n' }],
  ['a region beyond Latin-1', { region: 'région-☃' }],
  // The last value given for a name wins even when it is undefined or null: then none is signed.
  ['a header given twice, the second undefined', { headers: { accept: 'a', Accept: undefined as unknown as string, 'x-b': 'b' } }],
  // A token of whitespace only is sent, so the SDK signs it (as an empty value).
  ['a session token of spaces only', { credentials: { ...CREDENTIALS, sessionToken: '  ' } }],
  ['a session token of a line end only, and a given token header', { credentials: { ...CREDENTIALS, sessionToken: '\r\n' }, headers: { 'x-amz-security-token': 'given' } }],
  ['a header given twice, the second null', { headers: { 'X-A': 'a', 'x-a': null as unknown as string } }],
];

for (const [name, change] of SAME) {
  test(`aws4fetch signs as the AWS SDK's signer: ${name}`, async () => {
    const input = { ...base, ...change };
    const [ours, sdk] = await Promise.all([signAppSyncRequest(input), sdkSign(input)]);
    assert.deepEqual(ours, sdk);
    assert.deepEqual(Object.keys(ours), Object.keys(sdk), 'the same headers in the same order');
  });
}

test('getHeaders gives the SDK signer\'s AppSync auth object for a session-token connect', async () => {
  const credentials = { ...CREDENTIALS, sessionToken: TOKEN };
  const headers = await new AppSyncIAMAuthentication({ credentials, region: 'eu-west-3', clock: () => DATE }).getHeaders({ host: HOST, path: '/graphql/connect', body: '{}' });
  const sdk = await sdkSign({ ...base, credentials });
  assert.equal(headers.Authorization, sdk.authorization);
  assert.equal(headers['X-Amz-Security-Token'], TOKEN);
  assert.equal(headers['x-amz-date'], '20261202T012345Z');
});

const REFUSED: Array<[string, Partial<SignAppSyncRequestInput>, string]> = [
  [
    'a port with a leading zero (a URL rewrites it)',
    { host: 'api.example.com:0443' },
    'AWS_IAM auth cannot sign host "api.example.com:0443" with path "/graphql/connect": the signer needs them as a URL gives them (a host name in lower case or an IP address, with an optional port such as `127.0.0.1:4000`, and a path that starts with `/` without `.` or `..` segments, a query or a fragment).',
  ],
  [
    'an upper-case host (a URL lower-cases it; the SDK signed it as given)',
    { host: 'API.Example.COM' },
    'AWS_IAM auth cannot sign host "API.Example.COM" with path "/graphql/connect": the signer needs them as a URL gives them (a host name in lower case or an IP address, with an optional port such as `127.0.0.1:4000`, and a path that starts with `/` without `.` or `..` segments, a query or a fragment).',
  ],
  [
    'a non-ASCII host',
    { host: 'exämple.com' },
    'AWS_IAM auth cannot sign host "exämple.com" with path "/graphql/connect": the signer needs them as a URL gives them (a host name in lower case or an IP address, with an optional port such as `127.0.0.1:4000`, and a path that starts with `/` without `.` or `..` segments, a query or a fragment).',
  ],
  [
    'a dot segment',
    { path: '/a/../graphql' },
    'AWS_IAM auth cannot sign host "abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-3.amazonaws.com" with path "/a/../graphql": the signer needs them as a URL gives them (a host name in lower case or an IP address, with an optional port such as `127.0.0.1:4000`, and a path that starts with `/` without `.` or `..` segments, a query or a fragment).',
  ],
  [
    'a query in the path',
    { path: '/graphql?x=1' },
    'AWS_IAM auth cannot sign host "abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-3.amazonaws.com" with path "/graphql?x=1": the signer needs them as a URL gives them (a host name in lower case or an IP address, with an optional port such as `127.0.0.1:4000`, and a path that starts with `/` without `.` or `..` segments, a query or a fragment).',
  ],
  [
    'a no-break space in a value (aws4fetch would collapse it, the SDK keeps it)',
    { headers: { 'x-a': 'a\u00a0b' } },
    'AWS_IAM auth cannot sign the value of header `x-a`: it holds a NUL, a character beyond U+00FF, or whitespace other than spaces and tabs.',
  ],
  [
    'a character beyond U+00FF in a value',
    { headers: { 'x-a': 'snow ☃' } },
    'AWS_IAM auth cannot sign the value of header `x-a`: it holds a NUL, a character beyond U+00FF, or whitespace other than spaces and tabs.',
  ],
  [
    'a body hash with spaces (the SDK hashes it raw, aws4fetch trimmed)',
    { headers: { 'x-amz-content-sha256': ' UNSIGNED-PAYLOAD' } },
    'AWS_IAM auth cannot sign the value of header `x-amz-content-sha256`: it holds a NUL, a character beyond U+00FF, or whitespace other than spaces and tabs (or is empty or has leading, trailing or repeated spaces, which this header, the body hash, may not have).',
  ],
  [
    'a header name that is not a token',
    { headers: { 'x a': 'v' } },
    'AWS_IAM auth cannot sign a header named "x a": a header name is letters, digits and !#$%&\'*+.^_`|~-.',
  ],
  // The SDK takes the value of any x-amz-content-sha256 key as the body hash, even '', undefined
  // or null (signing "undefined"); aws4fetch hashes the body for each of these.
  [
    'an empty body hash',
    { headers: { 'x-amz-content-sha256': '' } },
    'AWS_IAM auth cannot sign the value of header `x-amz-content-sha256`: it holds a NUL, a character beyond U+00FF, or whitespace other than spaces and tabs (or is empty or has leading, trailing or repeated spaces, which this header, the body hash, may not have).',
  ],
  ['an undefined body hash', { headers: { accept: 'x', 'X-Amz-Content-Sha256': undefined as unknown as string } }, 'Expected the header `x-amz-content-sha256` to sign to be a string, but got undefined.'],
  ['a null body hash', { headers: { 'x-amz-content-sha256': null as unknown as string } }, 'Expected the header `x-amz-content-sha256` to sign to be a string, but got object.'],
  ['an empty region (aws4fetch would guess one)', { region: '' }, 'Expected the region to sign for to be a non-empty string without commas, but got an empty string.'],
];

for (const [name, change, message] of REFUSED) {
  test(`an input aws4fetch would sign unlike the SDK is refused: ${name}`, async () => {
    await assert.rejects(signAppSyncRequest({ ...base, ...change }), { name: 'TransportConfigurationError', code: 'CONFIGURATION_ERROR', message });
  });
}

test('without WebCrypto (an http page that is not localhost) signing is a TransportAuthError saying what to do', async (t) => {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
  assert.ok(descriptor?.configurable, 'the test can hide globalThis.crypto');
  Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true, writable: true });
  t.after(() => Object.defineProperty(globalThis, 'crypto', descriptor));
  const auth = new AppSyncIAMAuthentication({ credentials: CREDENTIALS, region: 'eu-west-3' });
  await assert.rejects(auth.getHeaders({ host: HOST, path: '/graphql/connect', body: '{}' }), {
    name: 'TransportAuthError',
    code: 'AUTH_ERROR',
    message:
      'AWS_IAM auth signs with WebCrypto (crypto.subtle), which this page does not have: browsers offer it only in secure contexts. Serve the page over https or from localhost.',
  });
});
