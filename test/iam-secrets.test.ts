/**
 * IAM auth under attack (review of the aws4fetch signer): credentials that misbehave, secrets
 * that must stay out of every message, the lazy signer chunk, and the local server's verifier.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import {
  AppSyncApiKeyAuthentication,
  AppSyncHttpTransport,
  AppSyncIAMAuthentication,
  TransportConfigurationError,
  TransportConnectionFailed,
  type AppSyncAuthentication,
} from '../src/index.js';
import { errorOf, subscriptionsOnServer } from './helpers.js';

const AKID = 'AKIDREVIEW0000000001';
const SECRET = 'review-SECRET-access-key/with+chars';
const TOKEN = 'review-TOKEN-SECRET+with/slash==';

/** Every string an error shows: its message, its causes' messages, and inspect() of it. */
function shown(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 5 })];
  for (let e = error; e instanceof Error; e = e.cause) parts.push(e.message, String(e));
  return parts.join('\n');
}

function assertNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    // Parts of it too: a message may show a value cut at a line break.
    for (const part of secret.split(/[\r\n]+/)) if (part.length >= 8) assert.ok(!text.includes(part), `a secret (${part.slice(0, 4)}…) is shown: ${text.slice(0, 400)}`);
  }
  assert.ok(!/Signature=[0-9a-f]{64}/.test(text), `a signature is shown: ${text.slice(0, 400)}`);
}

// fetch refuses a header value with a line break inside with a TypeError that quotes the value;
// the transport put that message into its own. Nothing listens on port 9 (discard).
const UNSENDABLE: Array<[string, AppSyncAuthentication, string[]]> = [
  ['a session token with a line break inside', new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 'TOKEN-SECRET-LINE1\nTOKEN-SECRET-LINE2' } }), ['TOKEN-SECRET-LINE1\nTOKEN-SECRET-LINE2', SECRET]],
  ['an access key id with a CR inside (the signature is quoted)', new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { accessKeyId: `AKID\r${AKID}`, secretAccessKey: SECRET } }), [SECRET]],
  ['an API key with a line break inside and at the end', new AppSyncApiKeyAuthentication({ apiKey: 'da2-APIKEY-SECRET\nrest\n' }), ['da2-APIKEY-SECRET\nrest']],
];
for (const [name, auth, secrets] of UNSENDABLE) {
  test(`HTTP: credentials fetch cannot send (${name}) fail with no secret in the error`, async () => {
    const http = new AppSyncHttpTransport({ url: 'http://127.0.0.1:9/graphql', auth });
    const error = await http.execute('query { a }').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TransportConnectionFailed, String(error));
    assertNoSecret(shown(error), secrets);
  });
}

// ---- credentials that misbehave ------------------------------------------------------------

const REQUEST = { host: 'abc.appsync-api.eu-west-3.amazonaws.com', path: '/graphql', body: '{"query":"subscription { s }"}' };
const NOW = new Date('2026-12-02T02:00:00Z');

async function failure(auth: AppSyncIAMAuthentication): Promise<Error> {
  const error = await auth.getHeaders(REQUEST).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof Error, 'it fails');
  return error;
}

test('a provider that throws (quoting the secret): a TransportAuthError naming the error, not quoting it', async () => {
  const auth = new AppSyncIAMAuthentication({
    credentials: async () => {
      throw new Error(`refused ${SECRET} ${TOKEN}`);
    },
  });
  const error = await failure(auth);
  assert.equal(error.name, 'TransportAuthError');
  assertNoSecret(error.message, [SECRET, TOKEN]);
  assertNoSecret(String(error), [SECRET, TOKEN]);
});

test('an AWS SDK provider error is quoted with long secrets cut out', async () => {
  const sdkError = Object.assign(new Error(`Could not load credentials: token ${TOKEN}${TOKEN} secret ${SECRET}`), { name: 'CredentialsProviderError' });
  const error = await failure(new AppSyncIAMAuthentication({ credentials: () => Promise.reject(sdkError) }));
  assert.match(error.message, /AWS SDK: "Could not load credentials/);
  assertNoSecret(error.message, [SECRET, TOKEN]);
});

const MALFORMED: Array<[string, unknown]> = [
  ['null', null],
  ['a string', `${AKID}:${SECRET}`],
  ['no secret', { accessKeyId: AKID }],
  ['an empty secret', { accessKeyId: AKID, secretAccessKey: '' }],
  ['a number key id', { accessKeyId: 7, secretAccessKey: SECRET }],
  ['a number token', { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 12 }],
  ['the secret under a wrong name', { accessKeyId: AKID, SecretAccessKey: SECRET, sessionToken: TOKEN }],
];
for (const [name, value] of MALFORMED) {
  test(`malformed credentials (${name}), as a value and from a provider: a TransportAuthError with no value in it`, async () => {
    for (const credentials of [value, async () => value]) {
      const error = await failure(new AppSyncIAMAuthentication({ region: 'eu-west-3', credentials: credentials as never }));
      assert.equal(error.name, 'TransportAuthError', error.message);
      assertNoSecret(shown(error), [SECRET, TOKEN, `${AKID}:${SECRET}`]);
    }
  });
}

test('expired credentials: a fixed value is refused; a provider is asked again and its fresh ones used; one that stays expired is refused after two calls', async () => {
  const expired = { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN, expiration: new Date(NOW.getTime() - 1) };
  const fresh = { accessKeyId: 'AKIDFRESH00000000001', secretAccessKey: SECRET, sessionToken: TOKEN, expiration: new Date(NOW.getTime() + 60_000) };
  const fixed = await failure(new AppSyncIAMAuthentication({ region: 'eu-west-3', credentials: expired, clock: () => NOW }));
  assert.match(fixed.message, /expired at 2026-12-02T01:59:59\.999Z/);
  assertNoSecret(shown(fixed), [SECRET, TOKEN]);
  let calls = 0;
  const refreshing = new AppSyncIAMAuthentication({ region: 'eu-west-3', credentials: () => (calls++ === 0 ? expired : fresh), clock: () => NOW });
  assert.match((await refreshing.getHeaders(REQUEST)).Authorization ?? '', /Credential=AKIDFRESH00000000001\//);
  assert.equal(calls, 2);
  calls = 0;
  const stale = await failure(new AppSyncIAMAuthentication({ region: 'eu-west-3', credentials: () => (calls++, expired), clock: () => NOW }));
  assert.equal(calls, 2);
  assert.match(stale.message, /It was asked twice/);
  assertNoSecret(shown(stale), [SECRET, TOKEN]);
});

test('concurrent signatures sharing one provider that rotates: each is made with the credentials it got, and verifies', async () => {
  const { verifyAppSyncSignature } = await import('../src/testing/index.js');
  const keys = Array.from({ length: 8 }, (_, i) => ({ accessKeyId: `AKIDROTATE${String(i).padStart(10, '0')}`, secretAccessKey: `${SECRET}-${i}`, sessionToken: `${TOKEN}-${i}` }));
  let next = 0;
  const auth = new AppSyncIAMAuthentication({
    region: 'eu-west-3',
    clock: () => NOW,
    // Each call answers after a different delay, so answers and signatures interleave.
    credentials: () => {
      const key = keys[next++ % keys.length];
      return new Promise((resolve) => setTimeout(() => resolve(key as (typeof keys)[number]), (next * 7) % 5));
    },
  });
  const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify({ query: 'subscription { s }', variables: { i } }));
  const signed = await Promise.all(bodies.map((body) => auth.getHeaders({ ...REQUEST, body })));
  const byId = new Map(keys.map((k) => [k.accessKeyId, k]));
  for (const [i, headers] of signed.entries()) {
    const result = await verifyAppSyncSignature({ headers, path: REQUEST.path, body: bodies[i] as string, credentials: (id) => byId.get(id), now: NOW });
    assert.deepEqual(result.ok, true, JSON.stringify(result));
    const id = /Credential=([^/]+)\//.exec(headers.Authorization ?? '')?.[1] ?? '';
    assert.equal(headers['X-Amz-Security-Token'], byId.get(id)?.sessionToken, 'the token of the same credentials');
  }
  assert.equal(next, 40, 'one call per signature');
});

test('a provider that never answers: the transport gives up after authTimeoutMs with a typed error, and no secret', async () => {
  const { AppSyncWebsocketsTransport } = await import('../src/index.js');
  const transport = new AppSyncWebsocketsTransport({
    url: 'https://abc.appsync-api.eu-west-3.amazonaws.com/graphql',
    auth: new AppSyncIAMAuthentication({ credentials: () => new Promise(() => {}) }),
    authTimeoutMs: 50,
    retry: false,
  });
  const started = Date.now();
  const error = await transport.connect().then(() => undefined, (e: unknown) => e);
  await transport.close();
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'TransportTimeoutError', error.message);
  assert.ok(Date.now() - started < 2000);
});

test('a clock that throws or gives no Date: typed errors where the transports ask for headers', async () => {
  const { headersFrom } = await import('../src/auth/types.js');
  for (const clock of [() => { throw new Error('clock broke'); }, () => 'now' as unknown as Date, () => new Date(NaN)]) {
    for (const credentials of [{ accessKeyId: AKID, secretAccessKey: SECRET }, { accessKeyId: AKID, secretAccessKey: SECRET, expiration: new Date(NOW.getTime() + 1000) }]) {
      const auth = new AppSyncIAMAuthentication({ region: 'eu-west-3', credentials, clock });
      // getHeaders() itself lets a throwing clock's own error through (the check of a credentials'
      // expiry reads the clock outside the signer's try); headersFrom makes it a TransportAuthError.
      const error = await headersFrom(auth, REQUEST).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.match(error.name, /^Transport(Auth|Configuration)Error$/, `${error.name}: ${error.message}`);
    }
  }
});

test('toString(), inspect() and JSON of the auth never show the credentials', () => {
  const auth = new AppSyncIAMAuthentication({ region: 'eu-west-3', credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN } });
  const text = [String(auth), inspect(auth, { depth: 10, showHidden: true }), JSON.stringify(auth), JSON.stringify({ ...auth }), Object.keys(auth).join()].join('\n');
  assertNoSecret(text, [SECRET, TOKEN]);
});

// ---- the lazy signer chunk -------------------------------------------------------------------

/** Runs `body` in a fresh Node whose module loader fails `sigv4.js` the first `fails` times. */
async function withFailingSigner(fails: number, body: string): Promise<unknown> {
  const { execFile } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
  const hooks =
    `let fails = ${fails}, loads = 0; export async function resolve(specifier, context, next) {` +
    " if (/[\\\\/]sigv4\\.js$|^\\.\\/sigv4\\.js$/.test(specifier)) { loads++; globalThis.loads = loads;" +
    " if (fails-- > 0) throw Object.assign(new Error('net::ERR_INTERNET_DISCONNECTED (offline)'), { code: 'ERR_OFFLINE' }); }" +
    ' return next(specifier, context); }';
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));
    const unhandled = [];
    process.on('unhandledRejection', (e) => unhandled.push(String(e)));
    const lib = await import(${JSON.stringify(index)});
    const auth = new lib.AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDLAZY', secretAccessKey: ${JSON.stringify(SECRET)} } });
    const request = { host: 'api.example.com', path: '/graphql', body: '{}' };
    const settle = (p) => p.then((h) => 'signed ' + /Signature=[0-9a-f]{64}$/.test(h.Authorization), (e) => [e.name, e.message, e.cause?.message ?? null]);
    ${body}
    await new Promise((r) => setTimeout(r, 50));
    console.log(JSON.stringify({ result, unhandled }));
  `;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
  });
  return JSON.parse(stdout);
}

const NOT_LOADED = 'AWS_IAM auth could not load its SigV4 signer (`aws4fetch`, loaded at the first signature): a page may be offline or not serve the chunk, or the package lacks its dependencies (reinstall it). It is tried again at the next signature; the original error is in `cause`.';

test('the signer chunk failing to load (offline), twice at once: both a TransportAuthError with the cause, no unhandled rejection; the next signature loads it again', async () => {
  const outcome = await withFailingSigner(1, `
    const first = await Promise.all([settle(auth.getHeaders(request)), settle(auth.getHeaders(request))]);
    const again = await settle(auth.getHeaders(request));
    const result = { first, again };
  `);
  assert.deepEqual(outcome, {
    result: {
      first: [
        ['TransportAuthError', NOT_LOADED, 'net::ERR_INTERNET_DISCONNECTED (offline)'],
        ['TransportAuthError', NOT_LOADED, 'net::ERR_INTERNET_DISCONNECTED (offline)'],
      ],
      again: 'signed true',
    },
    unhandled: [],
  });
});

test('signatures at once before the chunk has loaded share one load of it', async () => {
  const outcome = await withFailingSigner(0, `
    const result = await Promise.all(Array.from({ length: 5 }, () => settle(auth.getHeaders(request))));
  `);
  assert.deepEqual(outcome, { result: Array(5).fill('signed true'), unhandled: [] });
});

test('the signer chunk failing through the transport: connect rejects with the TransportAuthError, no unhandled rejection', async () => {
  const outcome = await withFailingSigner(5, `
    const transport = new lib.AppSyncWebsocketsTransport({ url: 'https://api.example.com/graphql', auth, retry: false });
    const result = await settle(transport.connect().then(() => ({ Authorization: '' })));
    await transport.close();
  `);
  assert.deepEqual(outcome, { result: ['TransportAuthError', NOT_LOADED, 'net::ERR_INTERNET_DISCONNECTED (offline)'], unhandled: [] });
});

// ---- the real local server, over sockets -----------------------------------------------------

const LOCAL_KEY = { accessKeyId: 'ASIAREVIEWLOCAL00001', secretAccessKey: SECRET, sessionToken: TOKEN };

/** IAM auth whose headers for one path pass through `tamper` first (a man in the middle). */
function tampering(path: string, tamper: (headers: Record<string, string>, request: { path: string; body: string }) => Record<string, string>, connect = false): AppSyncAuthentication {
  const iam = new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: LOCAL_KEY });
  return {
    mode: 'AWS_IAM',
    getHeaders: async (request) => {
      const headers = await iam.getHeaders(request);
      // Events sign their connect for /event too, with the body {}.
      return request.path === path && (connect || request.body !== '{}') ? tamper({ ...headers }, request) : headers;
    },
  } as AppSyncAuthentication;
}

const flip = (signature: string): string => signature.replace(/.$/, (c) => (c === '0' ? '1' : '0'));

const TAMPERS: Array<[string, (headers: Record<string, string>) => Record<string, string>]> = [
  ['its last signature digit changed', (h) => ({ ...h, Authorization: flip(h.Authorization ?? '') })],
  ['its date a second later', (h) => ({ ...h, 'x-amz-date': (h['x-amz-date'] ?? '').replace(/(\d)Z$/, (_, d: string) => `${(Number(d) + 1) % 10}Z`) })],
  ['its session token left out', (h) => {
    const { 'X-Amz-Security-Token': _, ...rest } = h;
    return rest;
  }],
  ['a signed header left out of SignedHeaders', (h) => ({ ...h, Authorization: (h.Authorization ?? '').replace(/SignedHeaders=[^;]+;/, 'SignedHeaders=') })],
  ['a signed header value changed', (h) => {
    // The first signed header (accept over WebSockets, content-type over HTTP).
    const first = /SignedHeaders=([^;]+);/.exec(h.Authorization ?? '')?.[1] ?? '';
    const key = Object.keys(h).find((k) => k.toLowerCase() === first) ?? first;
    return { ...h, [key]: `${h[key] ?? ''}; tampered` };
  }],
];

for (const [name, tamper] of TAMPERS) {
  test(`the local server refuses a handshake, a start, an HTTP request and an Events publish with ${name}`, async (t) => {
    const { AppSyncEventsClient, AppSyncWebsocketsTransport, TransportServerError } = await import('../src/index.js');
    const { CHAT_SCHEMA, startLocalAppSync } = await import('../src/testing/index.js');
    const server = await startLocalAppSync({
      schema: CHAT_SCHEMA,
      auth: { iam: { credentials: { [LOCAL_KEY.accessKeyId]: LOCAL_KEY } } },
      events: { namespaces: [{ name: 'default', subscribeAuthModes: ['AWS_IAM'], publishAuthModes: ['AWS_IAM'] }] },
    });
    t.after(() => server.close());
    const SUB = 'subscription { onCreateMessage { id text } }';

    const handshake = new AppSyncWebsocketsTransport({ url: server.url, auth: tampering('/graphql/connect', tamper, true), retry: false });
    t.after(() => handshake.close());
    const refused = await handshake.connect().then(() => 'accepted', (e: unknown) => e);
    assert.ok(refused instanceof TransportServerError, `handshake: ${String(refused)}`);
    assertNoSecret(shown(refused), [SECRET, TOKEN]);

    const start = new AppSyncWebsocketsTransport({ url: server.url, auth: tampering('/graphql', tamper), retry: false });
    t.after(() => start.close());
    await start.connect();
    const startError = await errorOf(start.subscribe(SUB));
    assert.ok(startError instanceof Error && /Unauthorized|signature|token|Signed|not authorized/i.test(startError.message), String(startError));
    assertNoSecret(shown(startError), [SECRET, TOKEN]);
    assert.equal(server.realtime.subscriptions.length, 0, 'no subscription placed');

    const http = new AppSyncHttpTransport({ url: server.url, auth: tampering('/graphql', tamper) });
    const httpError = await http.execute('mutation { createMessage(room: "r", text: "x") { id } }').then(() => 'accepted', (e: unknown) => e);
    assert.ok(httpError instanceof TransportServerError && httpError.statusCode === 401, `HTTP: ${String(httpError)}`);
    assertNoSecret(shown(httpError), [SECRET, TOKEN]);

    const events = new AppSyncEventsClient({ url: server.eventsUrl, auth: tampering('/event', tamper), retry: false });
    t.after(() => events.close());
    await events.connect();
    const publishError = await events.publish('/default/chat', [{ a: 1 }]).then(() => 'accepted', (e: unknown) => e);
    assert.ok(publishError instanceof Error, `a WebSocket publish: ${String(publishError)}`);
    const httpPublishError = await events.publishHttp('/default/chat', [{ a: 1 }]).then(() => 'accepted', (e: unknown) => e);
    assert.ok(httpPublishError instanceof TransportServerError, `an HTTP publish: ${String(httpPublishError)}`);
    assertNoSecret(shown(publishError) + shown(httpPublishError), [SECRET, TOKEN]);
    assert.equal(server.events.publishes.length, 0, 'nothing published');
  });
}

test('a start signature replayed for another subscription, and a connect signature replayed as a start, are refused', async (t) => {
  const { AppSyncWebsocketsTransport } = await import('../src/index.js');
  const { startLocalAppSync } = await import('../src/testing/index.js');
  const server = await startLocalAppSync({ auth: { iam: { credentials: { [LOCAL_KEY.accessKeyId]: LOCAL_KEY } } } });
  t.after(() => server.close());
  let firstStart: Record<string, string> | undefined;
  let connect: Record<string, string> | undefined;
  const replaying = tampering('/graphql', (headers) => (firstStart ??= headers));
  const transport = new AppSyncWebsocketsTransport({ url: server.url, auth: replaying, retry: false });
  t.after(() => transport.close());
  await transport.connect();
  const first = transport.subscribe('subscription { onCreateMessage { id } }');
  await subscriptionsOnServer(server, 1);
  const replayed = await errorOf(transport.subscribe('subscription { onCreateMessage { id text } }'));
  assert.ok(replayed instanceof Error, 'the second start, with the first one\'s signature, is refused');
  assert.equal(server.realtime.subscriptions.length, 1);
  void first.return?.();
  const asStart = tampering('/graphql', (headers) => headers);
  const connectAsStart = new AppSyncWebsocketsTransport({
    url: server.url,
    auth: {
      mode: 'AWS_IAM',
      getHeaders: async (request) => (request.path === '/graphql' && connect ? connect : (connect ??= await asStart.getHeaders(request))),
    } as AppSyncAuthentication,
    retry: false,
  });
  t.after(() => connectAsStart.close());
  await connectAsStart.connect();
  assert.ok((await errorOf(connectAsStart.subscribe('subscription { onCreateMessage { id } }'))) instanceof Error);
});

// ---- the CLI ---------------------------------------------------------------------------------

test('CLI: serve --iam-*, then query, subscribe and events publish with --verbose, right and wrong: no secret key, token or signature on any stream', async (t) => {
  const { cli, assertNoSecrets } = await import('./cli-helpers.js');
  const serveSecret = 'cli-SERVE-SECRET-access-key+/=';
  const serveToken = 'cli-SERVE-SESSION-TOKEN+/==';
  const serve = cli(t, ['serve', '--port', '0', '--iam-access-key-id', 'ASIACLIREVIEW0000001', '--iam-secret-access-key', serveSecret, '--iam-session-token', serveToken]);
  const [, url = ''] = await serve.stdoutMatch(/^HTTP: (\S+)\n/m);
  const [, eventsUrl = ''] = await serve.stdoutMatch(/^events: (\S+)\n/m);
  const env = (secret: string, token: string) => ({ AWS_ACCESS_KEY_ID: 'ASIACLIREVIEW0000001', AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token, AWS_REGION: 'us-east-1' });
  const secrets = [serveSecret, serveToken, 'cli-WRONG-SECRET-0000', 'cli-TOKEN-WITH-LINE1', 'cli-TOKEN-WITH-LINE2'];
  const runs = [
    [['query', url, 'query { __typename }', '--verbose'], env(serveSecret, serveToken), 0],
    [['query', url, 'query { __typename }', '--verbose'], env('cli-WRONG-SECRET-0000', serveToken), undefined],
    // A token pasted with a line break: fetch refuses to send it, quoting it.
    [['query', url, 'query { __typename }', '--verbose'], env(serveSecret, 'cli-TOKEN-WITH-LINE1\ncli-TOKEN-WITH-LINE2'), undefined],
    [['subscribe', url, 'subscription { onCreateMessage { id } }', '--verbose', '--no-retry'], env('cli-WRONG-SECRET-0000', serveToken), undefined],
    [['events', 'publish', eventsUrl, '/default/a', '1', '--http', '--verbose'], env('cli-WRONG-SECRET-0000', serveToken), undefined],
    [['events', 'publish', eventsUrl, '/default/a', '1', '--verbose'], env(serveSecret, 'cli-TOKEN-WITH-LINE1\ncli-TOKEN-WITH-LINE2'), undefined],
  ] as const;
  for (const [args, runEnv, code] of runs) {
    const end = await cli(t, [...args], { env: runEnv }).done;
    if (code !== undefined) assert.equal(end.code, code, end.stderr);
    else assert.notEqual(end.code, 0, `${args.join(' ')} fails`);
    assertNoSecrets(end, secrets);
  }
  serve.child.kill('SIGTERM');
  assertNoSecrets(await serve.done, [serveSecret, serveToken]);
});

test('a clock that throws, and a body that is not a string, are TransportConfigurationErrors naming the option, with no secret', async () => {
  const credentials = { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN };
  const broken = new AppSyncIAMAuthentication({ credentials, region: 'us-east-1', clock: () => { throw new RangeError(`clock with ${SECRET}`); } });
  const rejection = (promise: Promise<unknown>) => promise.then(() => assert.fail('expected a rejection'), (error: unknown) => error);
  const thrown = await rejection(broken.getHeaders({ host: 'example.appsync-api.us-east-1.amazonaws.com', path: '/graphql', body: '{}' }));
  assert.ok(thrown instanceof TransportConfigurationError);
  assert.equal(thrown.message, "AWS_IAM auth's `clock` option threw RangeError; it must return the current Date. The original error is in `cause`.");
  assertNoSecret(thrown.message, [SECRET, TOKEN]);
  const auth = new AppSyncIAMAuthentication({ credentials, region: 'us-east-1' });
  const body = await rejection(auth.getHeaders({ host: 'example.appsync-api.us-east-1.amazonaws.com', path: '/graphql', body: 42 as unknown as string }));
  assert.ok(body instanceof TransportConfigurationError);
  assert.equal(body.message, 'Expected the body to sign to be a string (the exact text sent), but got number.');
});
