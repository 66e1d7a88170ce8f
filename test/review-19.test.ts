/**
 * Adversarial review of issue #19 (local real-time that behaves like AppSync's): each test is a
 * defect found by attacking the new code, reproduced over real sockets on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppSyncApiKeyAuthentication, AppSyncEventsClient, AppSyncLambdaAuthentication, Client, type AppSyncAuthentication } from '../src/index.js';
import { clientsOf, errorOf } from './helpers.js';
import { EVENTS, GRAPHQL, rawSocket } from './raw-socket.js';
import { CHAT_SCHEMA, startLocalAppSync, type LocalAppSync, type LocalAppSyncOptions } from '../src/testing/index.js';
import { evaluationFailure } from '../src/testing/appsync-js/sandbox.js';

const TEMPLATE = fileURLToPath(new URL('../../test/fixtures/review-19/template.yaml', import.meta.url));
const EVENTS_TEMPLATE = fileURLToPath(new URL('../../test/fixtures/review-19/events.yaml', import.meta.url));
const FILTERS_TEMPLATE = fileURLToPath(new URL('../../test/fixtures/enhanced-filters/template.yaml', import.meta.url));
const TWO_APIS_TEMPLATE = fileURLToPath(new URL('../../test/fixtures/review-19/two-apis.yaml', import.meta.url));

/** A JWT with these claims and a signature nothing checks (no JWKS given). */
function unsignedJwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k1' }): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

interface Served {
  server: LocalAppSync;
  client(auth?: AppSyncAuthentication): Client;
}

async function serve(t: TestContext, options: LocalAppSyncOptions = {}): Promise<Served> {
  const server = await startLocalAppSync({ template: TEMPLATE, lintFrom: false, resolverLog: () => {}, ...options });
  const clientWith = clientsOf(t, server);
  return {
    server,
    client: (auth = new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? '' })) => clientWith(auth),
  };
}

test('a subscriber selecting a field its mode may not read gets it as null with Unauthorized, not the value the mutation carried', async (t) => {
  const { server, client } = await serve(t);
  const byKey = client();
  const byLambda = client(new AppSyncLambdaAuthentication({ token: 'allow' }));
  // Over HTTP an API key may not read Team.secret (@aws_lambda only).
  await assert.rejects(byKey.execute('{ team { id secret } }'), (e: { errors?: { message: string }[] }) => e.errors?.[0]?.message === 'Not Authorized to access secret on type Team');
  const keySub = byKey.subscribe('subscription { onTeam { id secret } }');
  const lambdaSub = byLambda.subscribe('subscription { onTeam { id secret } }');
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 2);
  // A Lambda caller may select it in the mutation; the API-key subscriber still may not read it.
  assert.deepEqual((await byLambda.execute('mutation { addTeam(id: "t3") { id secret } }')).data, { addTeam: { id: 't3', secret: 'classified' } });
  assert.deepEqual((await keySub.next()).value, {
    data: { onTeam: { id: 't3', secret: null } },
    errors: [{ path: ['onTeam', 'secret'], data: null, errorType: 'Unauthorized', errorInfo: null, locations: [{ line: 1, column: 28, sourceName: null }], message: 'Not Authorized to access secret on type Team' }],
  });
  assert.deepEqual((await lambdaSub.next()).value, { data: { onTeam: { id: 't3', secret: 'classified' } } });
});

test("a field named like Object.prototype's members (constructor, toString, valueOf, hasOwnProperty) that has no value is null, over HTTP and to subscribers", async (t) => {
  const { server, client } = await serve(t);
  const c = client();
  const selection = '{ id constructor toString valueOf hasOwnProperty }';
  const absent = { constructor: null, toString: null, valueOf: null, hasOwnProperty: null };
  assert.deepEqual((await c.execute(`{ team ${selection} }`)).data, { team: { id: 't1', ...absent } });
  const sub = c.subscribe(`subscription { onTeam ${selection} }`);
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  await c.execute('mutation { addTeam(id: "t2") { id } }');
  assert.deepEqual((await sub.next()).value, { data: { onTeam: { id: 't2', ...absent } } });
});

test('a user pool or OIDC token whose exp, iat or auth_time is not a number is refused, not taken as never expiring', async (t) => {
  const now = new Date('2030-01-01T00:00:00Z');
  const server = await startLocalAppSync({
    schema: CHAT_SCHEMA,
    now: () => now,
    auth: { userPools: [{ userPoolId: 'us-east-1_Review' }], openIdConnect: [{ issuer: 'https://id.example.com', iatTtlMs: 60_000 }] },
  });
  t.after(() => server.close());
  const pool = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Review';
  const fresh = now.getTime() / 1000 + 3600;
  const ask = async (claims: Record<string, unknown>): Promise<number> => {
    const response = await fetch(`http://${server.host}/graphql`, { method: 'POST', headers: { authorization: unsignedJwt(claims), 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ listMessages { id } }' }) });
    await response.text();
    return response.status;
  };
  assert.equal(await ask({ iss: pool, sub: 'ann', exp: fresh }), 200);
  // "1" is 1970: a string exp must not be read as no expiry at all.
  assert.equal(await ask({ iss: pool, sub: 'ann', exp: '1' }), 401);
  assert.equal(await ask({ iss: pool, sub: 'ann', exp: { toString: 1 } }), 401);
  assert.equal(await ask({ iss: 'https://id.example.com', sub: 'ann', exp: fresh, iat: now.getTime() / 1000 }), 200);
  assert.equal(await ask({ iss: 'https://id.example.com', sub: 'ann', exp: fresh, iat: '1' }), 401);
  assert.equal(await ask({ iss: 'https://id.example.com', sub: 'ann', exp: String(fresh) }), 401);
});

test('the selection rule merges what fragments and aliases select of one field at every depth, lists included', async (t) => {
  const { server, client } = await serve(t);
  const c = client();
  const sub = c.subscribe('subscription { onTeam { id lead { name email profile { bio site } } members { name email profile { bio site } } } }');
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  await c.execute(`mutation { addTeam(id: "t4") { id ...A ...B first: members { name profile { bio } } second: members { email profile { site } } } }
    fragment A on Team { lead { name profile { bio } } }
    fragment B on Team { lead { email profile { site } } }`);
  const person = (name: string) => ({ name, email: `${name}@example.com`, profile: { bio: `${name}'s bio`, site: `${name}.example.com` } });
  assert.deepEqual((await sub.next()).value, { data: { onTeam: { id: 't4', lead: person('ann'), members: [person('bob'), person('cy')] } } });
});

test('an Events namespace open only to OPENID_CONNECT refuses a token of the user pool (another provider), and takes the OIDC provider\'s', async (t) => {
  const now = new Date('2030-01-01T00:00:00Z');
  const server = await startLocalAppSync({
    now: () => now,
    auth: { userPools: [{ userPoolId: 'us-east-1_Review' }], openIdConnect: [{ issuer: 'https://id.example.com' }] },
    events: { namespaces: [{ name: 'partners', publishAuthModes: ['OPENID_CONNECT'] }] },
  });
  t.after(() => server.close());
  const exp = now.getTime() / 1000 + 3600;
  const publish = async (iss: string): Promise<number> => {
    const response = await fetch(server.eventsUrl, { method: 'POST', headers: { authorization: unsignedJwt({ iss, sub: 'ann', exp }), 'content-type': 'application/json' }, body: JSON.stringify({ channel: '/partners/a', events: ['{"n":1}'] }) });
    await response.text();
    return response.status;
  };
  assert.equal(await publish('https://id.example.com'), 200);
  assert.equal(await publish('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Review'), 401);
});

test("a Lambda data source that never answers fails after its function's Timeout, and the connection's other frames go on", async (t) => {
  const { server, client } = await serve(t);
  const c = client();
  const slow = c.subscribe('subscription { onSlow { id } }');
  const live = c.subscribe<{ onTeam: { id: string } }>('subscription { onTeam { id } }');
  // Frames of one connection are handled in order: the second start waits for the first's resolver.
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1, 8000);
  const error = (await errorOf(slow)) as { errors?: { errorType?: unknown; message?: unknown }[] };
  assert.deepEqual(error.errors, [{ errorType: 'Lambda:Unhandled', message: 'Task timed out after 1.00 seconds' }]);
  await c.execute('mutation { addTeam(id: "t5") { id } }');
  assert.deepEqual((await live.next()).value, { data: { onTeam: { id: 't5' } } });
});

test('with a JWKS, a token whose header is JSON null (or not JSON) is refused with a 401, not a dropped connection', async (t) => {
  const now = new Date('2030-01-01T00:00:00Z');
  const server = await startLocalAppSync({
    schema: CHAT_SCHEMA,
    now: () => now,
    auth: { userPools: [{ userPoolId: 'us-east-1_Review' }], jwks: { keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' }] } },
  });
  t.after(() => server.close());
  const claims = Buffer.from(JSON.stringify({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Review', sub: 'ann', exp: now.getTime() / 1000 + 3600 })).toString('base64url');
  for (const header of ['null', '[]', '"RS256"', '{"alg":"none"}', '{"alg":"RS256","kid":{"a":1}}']) {
    const token = `${Buffer.from(header).toString('base64url')}.${claims}.${Buffer.from('sig').toString('base64url')}`;
    const response = await fetch(`http://${server.host}/graphql`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ listMessages { id } }' }) });
    assert.equal(response.status, 401, header);
    assert.deepEqual(await response.json(), { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] }, header);
  }
});

test("a Lambda's answer that JSON cannot carry (a BigInt, a cycle, a throwing getter) fails that publish with a typed error; the server goes on", async (t) => {
  const server = await startLocalAppSync({ template: EVENTS_TEMPLATE, lintFrom: false, resolverLog: () => {} });
  t.after(() => server.close());
  const publish = async (channel: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(server.eventsUrl, { method: 'POST', headers: { 'x-api-key': server.apiKeys[0] ?? '', 'content-type': 'application/json' }, body: JSON.stringify({ channel, events: ['{"n":1}'] }) });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  for (const kind of ['bigint', 'cycle', 'throwing']) {
    const { status, body } = await publish(`/ns/${kind}`);
    assert.equal(status, 500, kind);
    const [error] = (body as { errors: { errorType: string; message: string }[] }).errors;
    assert.equal(error?.errorType, 'Lambda:Unhandled', kind);
    assert.match(error?.message ?? '', /^The Lambda function's answer is not JSON/, kind);
    assert.ok(!JSON.stringify(body).includes('secret-in-getter'), kind);
  }
  assert.equal((await publish('/ns/fine')).status, 200);
});

test('a filter with a huge unknown operator or a non-string fieldName is refused with a bounded message', async (t) => {
  const server = await startLocalAppSync({ template: FILTERS_TEMPLATE, lintFrom: false, resolverLog: () => {} });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? '' }), retry: false });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  const refusal = async (filter: unknown): Promise<string> => {
    const error = (await errorOf(client.subscribe('subscription ($filter: AWSJSON!) { onItemFiltered(filter: $filter) { id } }', { variableValues: { filter: JSON.stringify(filter) } }))) as { errors?: { message: string }[] };
    return error.errors?.[0]?.message ?? '';
  };
  const huge = 'x'.repeat(200_000);
  const operator = await refusal({ filterGroup: [{ filters: [{ fieldName: 'id', operator: huge, value: 'a' }] }] });
  assert.match(operator, /^The resolver of Subscription\.onItemFiltered set a subscription filter that is not one: Expected filterGroup\[0\]\.filters\[0\]\.operator to be one of eq, /);
  assert.ok(operator.length < 1000, `${operator.length} characters`);
  const fieldName = await refusal({ filterGroup: [{ filters: [{ fieldName: [huge], operator: 'eq', value: 'a' }] }] });
  assert.match(fieldName, /filters\[0\]\.fieldName to be a field name/);
  assert.ok(fieldName.length < 1000, `${fieldName.length} characters`);
});

test('a publish whose sender closes while onPublish runs is still broadcast and recorded in publishes', async (t) => {
  const server = await startLocalAppSync({ template: EVENTS_TEMPLATE, lintFrom: false, resolverLog: () => {} });
  t.after(() => server.close());
  const auth = { host: server.host, 'x-api-key': server.apiKeys[0] ?? '' };
  const subscriber = await rawSocket(t, server, EVENTS, auth);
  subscriber.send({ type: 'connection_init' });
  subscriber.send({ type: 'subscribe', id: 'sub1', channel: '/slow/*', authorization: auth });
  await subscriber.frame((f) => f.type === 'subscribe_success');
  const publisher = await rawSocket(t, server, EVENTS, auth);
  publisher.send({ type: 'publish', id: 'pub1', channel: '/slow/a', events: ['{"n":1}'], authorization: auth });
  await server.events.waitFor(() => server.events.received.some((f) => f.message?.id === 'pub1'));
  publisher.ws.terminate();
  assert.deepEqual((await subscriber.frame((f) => f.type === 'data')).event, '{"n":1}');
  await server.events.waitFor(() => server.events.publishes.length === 1, 2000);
  assert.deepEqual(server.events.publishes.map((p) => [p.channel, p.events]), [['/slow/a', ['{"n":1}']]]);
});

test("auth checks given to startLocalAppSync that throw or never answer refuse that request (AppSync waits 10 s for an authorizer), never drop it or hold it", async (t) => {
  const throwing = await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { jwt: () => { throw new Error('cannot check secret-token'); } } });
  t.after(() => throwing.close());
  const hanging = await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { lambda: () => new Promise<boolean>(() => {}) } });
  t.after(() => hanging.close());
  const ask = async (server: LocalAppSync): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`http://${server.host}/graphql`, { method: 'POST', headers: { authorization: 'secret-token', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ listMessages { id } }' }) });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const refused = { status: 401, body: { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] } };
  assert.deepEqual(await ask(throwing), refused);
  const started = Date.now();
  assert.deepEqual(await ask(hanging), refused);
  assert.ok(Date.now() - started < 11_000);
});

test("each API of a template accepts only its own auth modes: the Events API's key is refused by a GraphQL API without API_KEY", async (t) => {
  const now = new Date('2030-01-01T00:00:00Z');
  const server = await startLocalAppSync({ template: TWO_APIS_TEMPLATE, lintFrom: false, resolverLog: () => {}, now: () => now });
  t.after(() => server.close());
  const key = server.apiKeys[0] ?? '';
  const query = async (headers: Record<string, string>): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`http://${server.host}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ open }' }) });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  assert.deepEqual(await query({ 'x-api-key': key }), { status: 401, body: { errors: [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }] } });
  const pool = unsignedJwt({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Review', sub: 'ann', exp: now.getTime() / 1000 + 3600 });
  assert.deepEqual(await query({ authorization: pool }), { status: 200, body: { data: { open: 'for user pool tokens' } } });
  // Over WebSocket too: the key opens no GraphQL connection.
  const socket = await rawSocket(t, server, GRAPHQL, { host: server.host, 'x-api-key': key });
  socket.send({ type: 'connection_init' });
  assert.equal((await socket.frame((f) => f.type === 'connection_error' || f.type === 'connection_ack')).type, 'connection_error');
  // The Events API takes its key, and not the user pool's token.
  const publish = async (headers: Record<string, string>): Promise<number> => {
    const response = await fetch(server.eventsUrl, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ channel: '/default/a', events: ['1'] }) });
    await response.text();
    return response.status;
  };
  assert.equal(await publish({ 'x-api-key': key }), 200);
  assert.equal(await publish({ authorization: pool }), 401);
});

test("an Events auth object with a header that is not a string (x-forwarded-for: 1) is read without it, not failed as the handler's InternalFailure", async (t) => {
  const server = await startLocalAppSync({ template: EVENTS_TEMPLATE, lintFrom: false, resolverLog: () => {} });
  t.after(() => server.close());
  const auth = { host: server.host, 'x-api-key': server.apiKeys[0] ?? '' };
  const socket = await rawSocket(t, server, EVENTS, auth);
  socket.send({ type: 'connection_init' });
  socket.send({ type: 'publish', id: 'p1', channel: '/ns/fine', events: ['{"n":1}'], authorization: { ...auth, 'x-forwarded-for': 1 } });
  const answer = await socket.frame((f) => f.id === 'p1');
  assert.equal(answer.type, 'publish_success', JSON.stringify(answer));
});

test('an onReload callback that throws is reported, and later reloads still run and are told', async (t) => {
  const reported: unknown[] = [];
  const onUncaught = (e: unknown): void => void reported.push(e);
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  t.after(() => {
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
  });
  let told = 0;
  const { server } = await serve(t, {
    onReload: () => {
      told++;
      throw new Error('the hook broke');
    },
  });
  assert.equal((await server.reload()).ok, true);
  assert.equal((await server.reload()).ok, true, 'the second reload ran');
  assert.equal(told, 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(reported.map(String), ['Error: the hook broke', 'Error: the hook broke']);
});

test("a resolver's or handler's thrown message is quoted up to 1,000 characters, saying how long it was", () => {
  const huge = evaluationFailure({ status: 'thrown', name: 'Error', message: 'x'.repeat(100_000), errors: [] }, 'request', 'BigResolver', 1000);
  assert.ok(huge.length < 1_100, `${huge.length} characters`);
  assert.match(huge, /^Error: x+… \(100007 characters\)$/);
  assert.equal(evaluationFailure({ status: 'missing' }, 'response', 'R', 1000), 'R exports no response function.');
});

test("an Events handshake is authorized once: the Lambda authorizer is asked once for the connection, ConnectionAuthModes checked on that answer", async (t) => {
  let asked = 0;
  const server = await startLocalAppSync({
    auth: { lambda: (token) => (asked++, token === 'allow') },
    events: { connectionAuthModes: ['AWS_LAMBDA'] },
  });
  t.after(() => server.close());
  const client = new AppSyncEventsClient({ url: server.eventsUrl, auth: new AppSyncLambdaAuthentication({ token: 'allow' }), retry: false });
  t.after(() => client.close());
  await client.connect();
  assert.equal(asked, 1);
});
