/**
 * Per-field auth (issue #19) on a template's API, as AppSync documents it ("Using additional
 * authorization modes", "Amazon Cognito user pools", "AWS_LAMBDA authorization"): the default
 * provider for fields without directives, only the listed modes once a type or field has
 * directives, field directives over type directives, Cognito groups, DefaultAction DENY, a Lambda
 * authorizer's answer, and `ctx.identity` per mode — over HTTP and on `start`, with this
 * library's own clients over real sockets.
 */
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AppSyncApiKeyAuthentication,
  AppSyncIAMAuthentication,
  AppSyncJWTAuthentication,
  AppSyncLambdaAuthentication,
  AppSyncWebsocketsTransport,
  Client,
  TransportConfigurationError,
  TransportQueryError,
  TransportServerError,
  type AppSyncAuthentication,
} from '../src/index.js';
import { startLocalAppSync, type LocalAppSync, type LocalJwks, type LocalJwksByIssuer } from '../src/testing/index.js';
import { assertNoSecrets, cli } from './cli-helpers.js';
import { clientsOf, errorOf, take } from './helpers.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/field-auth/', import.meta.url));
const TEMPLATE = join(FIXTURES, 'template.yaml');
const DENY = join(FIXTURES, 'deny.yaml');

const POOL_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalPool';
const IAM = { accessKeyId: 'AKIDLOCALFIELDAUTH', secretAccessKey: 'field-auth-secret-key' };
/** 2030-01-01: tokens below expire a day later. */
const NOW = new Date('2030-01-01T00:00:00Z');
const EXPIRES = NOW.getTime() / 1000 + 86_400;

/** An unsigned JWT (the local server reads claims; it does not verify signatures). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'local' })}.${part(claims)}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

const cognito = (groups: string[], extra: Record<string, unknown> = {}) =>
  jwt({ iss: POOL_ISSUER, sub: 'sub-ann', aud: 'web-client', token_use: 'id', 'cognito:username': 'ann', 'cognito:groups': groups, exp: EXPIRES, ...extra });
const oidc = (extra: Record<string, unknown> = {}) => jwt({ iss: 'https://id.example.com', sub: 'partner-7', aud: 'partner-app', exp: EXPIRES, ...extra });

interface Served {
  server: LocalAppSync;
  logs: string[];
  client(auth: AppSyncAuthentication): Client;
  apiKey: AppSyncApiKeyAuthentication;
}

async function serve(t: TestContext, template = TEMPLATE): Promise<Served> {
  const logs: string[] = [];
  const server = await startLocalAppSync({
    template,
    now: () => NOW,
    auth: { iam: { credentials: { [IAM.accessKeyId]: { secretAccessKey: IAM.secretAccessKey } } } },
    resolverLog: (line) => logs.push(line),
  });
  const client = clientsOf(t, server);
  return {
    server,
    logs,
    apiKey: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? '' }),
    client,
  };
}

/** The answer of a request that has GraphQL errors: its data and errors as the server sent them. */
async function failed(client: Client, query: string): Promise<{ data: unknown; errors: Record<string, unknown>[] }> {
  const error = await client.execute(query).then(
    () => assert.fail('expected GraphQL errors'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TransportQueryError, String(error));
  return { data: JSON.parse(JSON.stringify(error.data ?? null)) as unknown, errors: error.errors as unknown as Record<string, unknown>[] };
}

async function refused(client: Client, query: string): Promise<TransportServerError> {
  const error = await client.execute(query).then(
    () => assert.fail('expected the request to be refused'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TransportServerError, String(error));
  assert.equal(error.statusCode, 401);
  return error;
}

const unauthorized = (field: string, type: string, path: (string | number)[], line: number, column: number) => ({
  path,
  data: null,
  errorType: 'Unauthorized',
  errorInfo: null,
  locations: [{ line, column, sourceName: null }],
  message: `Not Authorized to access ${field} on type ${type}`,
});

async function whoami(client: Client): Promise<{ authType: string; identity: unknown }> {
  const answer = await client.execute<{ whoami: string }>('{ whoami }');
  return JSON.parse(answer.data?.whoami ?? 'null') as { authType: string; identity: unknown };
}

test('a field without auth directives allows only the default provider; a denied field is null with AppSync\'s error, the rest of the data kept', async (t) => {
  const { client, apiKey } = await serve(t);
  // Profile and Query.me have no directives: only the default mode, the Cognito user pool.
  assert.deepEqual((await client(new AppSyncJWTAuthentication({ jwt: cognito([]) })).execute('{ me { name } }')).data, { me: { name: 'ann' } });
  const answer = await failed(client(apiKey), '{ note { id } me { name } }');
  assert.deepEqual(answer.data, { note: { id: 'n1' }, me: null });
  assert.deepEqual(answer.errors, [unauthorized('me', 'Query', ['me'], 1, 15)]);
});

test('once a type has directives only the listed modes pass, and a field\'s directives replace its type\'s', async (t) => {
  const { client, apiKey } = await serve(t);
  // Note allows every mode; Note.draft only Cognito editors and IAM, not API keys (the type's directives no longer count).
  const keyed = await failed(client(apiKey), '{ note { id text draft } }');
  assert.deepEqual(keyed.data, { note: { id: 'n1', text: 'hello', draft: null } });
  assert.deepEqual(keyed.errors, [unauthorized('draft', 'Note', ['note', 'draft'], 1, 18)]);
  const iam = client(new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: IAM }));
  assert.deepEqual((await iam.execute('{ note { draft } }')).data, { note: { draft: 'unpublished' } });
  // IAM is not listed on Mutation.addNote: the mutation does not run.
  const mutation = await failed(iam, 'mutation { addNote(text: "x") { id } }');
  assert.deepEqual(mutation.data, { addNote: null });
  assert.equal(mutation.errors[0]?.message, 'Not Authorized to access addNote on type Mutation');
  // A mode no directive lists at all: Query.lambdaOnly is @aws_lambda only.
  assert.equal((await failed(client(apiKey), '{ lambdaOnly }')).errors[0]?.message, 'Not Authorized to access lambdaOnly on type Query');
});

test('cognito_groups restricts a Cognito caller to those groups, in @aws_cognito_user_pools and @aws_auth alike', async (t) => {
  const { client } = await serve(t);
  const editor = client(new AppSyncJWTAuthentication({ jwt: cognito(['editors']) }));
  const reader = client(new AppSyncJWTAuthentication({ jwt: cognito(['readers']) }));
  const admin = client(new AppSyncJWTAuthentication({ jwt: cognito(['admins']) }));
  assert.deepEqual((await editor.execute('{ note { draft } }')).data, { note: { draft: 'unpublished' } });
  assert.deepEqual((await failed(reader, '{ note { draft } }')).data, { note: { draft: null } });
  assert.deepEqual((await admin.execute('{ adminReport }')).data, { adminReport: 'all green' });
  const denied = await failed(editor, '{ adminReport }');
  assert.deepEqual(denied.errors, [unauthorized('adminReport', 'Query', ['adminReport'], 1, 3)]);
});

test('OIDC is told apart from the user pool by issuer: an additional provider, so not for fields without directives', async (t) => {
  const { client } = await serve(t);
  const partner = client(new AppSyncJWTAuthentication({ jwt: oidc() }));
  assert.deepEqual((await partner.execute('{ note { id } }')).data, { note: { id: 'n1' } });
  assert.equal((await failed(partner, '{ me { name } }')).errors[0]?.message, 'Not Authorized to access me on type Query');
  assert.equal((await whoami(partner)).authType, 'Open ID Connect Authorization');
  // The wrong audience (OpenIDConnectConfig.ClientId), an expired token, a user pool client that AppIdClientRegex refuses.
  const wrongAudience = await refused(client(new AppSyncJWTAuthentication({ jwt: oidc({ aud: 'someone-else' }) })), '{ note { id } }');
  assert.equal(wrongAudience.errors[0]?.message, 'You are not authorized to make this call.');
  const expired = await refused(client(new AppSyncJWTAuthentication({ jwt: cognito([], { exp: NOW.getTime() / 1000 - 1 }) })), '{ note { id } }');
  assert.equal(expired.errors[0]?.message, 'Token has expired.');
  const wrongClient = await refused(client(new AppSyncJWTAuthentication({ jwt: cognito([], { aud: 'desktop-client' }) })), '{ note { id } }');
  assert.equal(wrongClient.errors[0]?.message, 'You are not authorized to make this call.');
  // Tokens the API's own providers issued were refused there, not handed to the Lambda authorizer: this is its first call.
  const lambda = await whoami(client(new AppSyncLambdaAuthentication({ token: 'allow' })));
  assert.equal((lambda.identity as { resolverContext: { calls: string } }).resolverContext.calls, '1');
});

test('ctx.identity as AppSync fills it for each mode', async (t) => {
  const { client, apiKey } = await serve(t);
  assert.deepEqual(await whoami(client(apiKey)), { authType: 'API Key Authorization', identity: null });
  const token = cognito(['editors', 'admins']);
  assert.deepEqual(await whoami(client(new AppSyncJWTAuthentication({ jwt: token }))), {
    authType: 'User Pool Authorization',
    identity: {
      sub: 'sub-ann',
      issuer: POOL_ISSUER,
      username: 'ann',
      claims: { iss: POOL_ISSUER, sub: 'sub-ann', aud: 'web-client', token_use: 'id', 'cognito:username': 'ann', 'cognito:groups': ['editors', 'admins'], exp: EXPIRES },
      sourceIp: ['127.0.0.1'],
      defaultAuthStrategy: 'ALLOW',
      groups: ['editors', 'admins'],
    },
  });
  assert.deepEqual(await whoami(client(new AppSyncJWTAuthentication({ jwt: oidc() }))), {
    authType: 'Open ID Connect Authorization',
    identity: { sub: 'partner-7', issuer: 'https://id.example.com', claims: { iss: 'https://id.example.com', sub: 'partner-7', aud: 'partner-app', exp: EXPIRES } },
  });
  assert.deepEqual(await whoami(client(new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: IAM }))), {
    authType: 'IAM Authorization',
    identity: {
      accountId: '123456789012',
      cognitoIdentityPoolId: null,
      cognitoIdentityId: null,
      sourceIp: ['127.0.0.1'],
      username: IAM.accessKeyId,
      userArn: `arn:aws:iam::123456789012:user/${IAM.accessKeyId}`,
      cognitoIdentityAuthType: null,
      cognitoIdentityAuthProvider: null,
    },
  });
  const lambda = await whoami(client(new AppSyncLambdaAuthentication({ token: 'allow' })));
  assert.equal(lambda.authType, 'Lambda Authorization');
  const context = (lambda.identity as { resolverContext: Record<string, string> }).resolverContext;
  assert.deepEqual({ ...context, apiId: context.apiId === '' ? '' : 'some api id' }, { tenant: 'acme', calls: '1', apiId: 'some api id', accountId: '123456789012', operationName: 'undefined', query: '{ whoami }', hasHeaders: 'true' });
});

test('a Lambda authorizer\'s deniedFields, in both spellings, make those fields unauthorized', async (t) => {
  const { client } = await serve(t);
  const limited = client(new AppSyncLambdaAuthentication({ token: 'allow-limited' }));
  const answer = await failed(limited, '{ note { id text } lambdaOnly }');
  assert.deepEqual(answer.data, { note: { id: 'n1', text: null }, lambdaOnly: null });
  assert.deepEqual(answer.errors.map((e) => e.message).sort(), ['Not Authorized to access lambdaOnly on type Query', 'Not Authorized to access text on type Note']);
  assert.deepEqual((await client(new AppSyncLambdaAuthentication({ token: 'allow' })).execute('{ lambdaOnly }')).data, { lambdaOnly: 'for the authorizer' });
});

test('a Lambda authorizer\'s answer is cached per token for ttlOverride seconds, and not at all for 0', async (t) => {
  const { client } = await serve(t);
  const calls = async (token: string) => ((await whoami(client(new AppSyncLambdaAuthentication({ token })))).identity as { resolverContext: { calls: string } }).resolverContext.calls;
  // AuthorizerResultTtlInSeconds is 0: each request calls the function again…
  assert.deepEqual([await calls('allow'), await calls('allow')], ['1', '2']);
  // …unless its answer says ttlOverride: 300.
  assert.deepEqual([await calls('allow-cached'), await calls('allow-cached')], ['3', '3']);
});

test('an authorizer that throws, hangs past its Timeout or answers garbage refuses that request only, and the log says why without the token', async (t) => {
  const { client, logs, apiKey } = await serve(t);
  for (const [token, why] of [
    ['throw', 'it threw'],
    ['hang', 'it did not answer within 1000 ms'],
    ['garbage', 'its answer is a number, not an object with isAuthorized'],
    ['deny-me', undefined],
  ] as const) {
    const error = await refused(client(new AppSyncLambdaAuthentication({ token })), '{ note { id } }');
    assert.equal(error.statusCode, 401);
    assert.deepEqual(error.errors, [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }]);
    if (why !== undefined) assert.ok(logs.includes(`[authorizer Authorizer] refused a request: ${why}.`), logs.join('\n'));
  }
  // Neither the tokens nor what the function threw (which quotes its token) reach the log.
  for (const secret of ['garbage', 'deny-me', 'cannot check']) assert.ok(!logs.some((line) => line.includes(secret)), logs.join('\n'));
  assert.deepEqual((await client(apiKey).execute('{ note { id } }')).data, { note: { id: 'n1' } });
});

test('on one connection each start is checked with its own authorization: a field denied for one mode is allowed for another', async (t) => {
  const { server, apiKey } = await serve(t);
  const transport = new AppSyncWebsocketsTransport({ url: server.url, auth: apiKey, retry: false });
  t.after(() => transport.close());
  await transport.connect();
  const editor = new AppSyncJWTAuthentication({ jwt: cognito(['editors']) });
  const reader = new AppSyncJWTAuthentication({ jwt: cognito(['readers']) });
  const fields = () => server.realtime.subscriptions.map((s) => s.field).sort();
  // Starts are answered in the order they were sent: once the one after it is live, the first has its answer.
  const byKey = transport.subscribe('subscription { onNoteForEditors { id text } }');
  const open = transport.subscribe<{ onNote: { id: string } }>('subscription { onNote { id } }');
  await server.realtime.waitFor(() => fields().includes('onNote'));
  assert.deepEqual(fields(), ['onNote']);
  const error = await errorOf(byKey);
  assert.ok(error instanceof TransportQueryError);
  assert.deepEqual(error.errors, [{ errorType: 'Unauthorized', message: 'Not Authorized to access onNoteForEditors on type Subscription' }]);
  // The same field on the same connection: refused for a reader's token, started for an editor's.
  const byReader = transport.subscribe('subscription { onNoteForEditors { id text } }', { auth: reader });
  const byEditor = transport.subscribe<{ onNoteForEditors: { id: string; text: string } }>('subscription { onNoteForEditors { id text } }', { auth: editor });
  await server.realtime.waitFor(() => fields().includes('onNoteForEditors'));
  assert.deepEqual(fields(), ['onNote', 'onNoteForEditors']);
  const readerError = await errorOf(byReader);
  assert.ok(readerError instanceof TransportQueryError);
  assert.equal(readerError.errors[0]?.errorType, 'Unauthorized');
  assert.equal(server.realtime.connections.length, 1);
  await server.mutate('mutation { addNote(text: "hi") { id text draft } }');
  assert.deepEqual((await take(byEditor, 1))[0]?.data, { onNoteForEditors: { id: 'n2', text: 'hi' } });
  assert.deepEqual((await take(open, 1))[0]?.data, { onNote: { id: 'n2' } });
});

test('over WebSocket the authorizer runs at the handshake and at each start, and its deniedFields refuse a subscription', async (t) => {
  const { server, logs } = await serve(t);
  const transport = new AppSyncWebsocketsTransport({ url: server.url, auth: new AppSyncLambdaAuthentication({ token: 'allow' }), retry: false });
  t.after(() => transport.close());
  await transport.connect();
  const queries = () => server.realtime.subscriptions.map((s) => s.query);
  // Starts are answered in order: once the second is live, the first has its answer.
  const denied = transport.subscribe('subscription Denied { onNote { id } }', { auth: new AppSyncLambdaAuthentication({ token: 'allow-no-subscriptions' }) });
  const live = transport.subscribe<{ onNote: { id: string } }>('subscription Live { onNote { id } }');
  await server.realtime.waitFor(() => queries().includes('subscription Live { onNote { id } }'));
  assert.deepEqual(queries(), ['subscription Live { onNote { id } }']);
  const error = await errorOf(denied);
  assert.ok(error instanceof TransportQueryError);
  assert.deepEqual(error.errors, [{ errorType: 'Unauthorized', message: 'Not Authorized to access onNote on type Subscription' }]);
  const refusedStart = await errorOf(transport.subscribe('subscription { onNote { id } }', { auth: new AppSyncLambdaAuthentication({ token: 'throw' }) }));
  assert.ok(refusedStart instanceof TransportQueryError);
  assert.deepEqual(refusedStart.errors, [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }]);
  assert.ok(logs.includes('[authorizer Authorizer] refused a request: it threw.'), logs.join('\n'));
  await server.mutate('mutation { addNote(text: "hi") { id text draft } }');
  assert.deepEqual((await take(live, 1))[0]?.data, { onNote: { id: 'n2' } });
});

test('a mode the API does not have, and a token that is not a JWT, are refused with AppSync\'s 401', async (t) => {
  // deny.yaml has only a Cognito user pool.
  const { client, server } = await serve(t, DENY);
  assert.deepEqual(server.apiKeys, []);
  const keyed = await refused(client(new AppSyncApiKeyAuthentication({ apiKey: 'da2-nosuchmodehere0000000000' })), '{ open }');
  assert.deepEqual(keyed.errors, [{ errorType: 'UnauthorizedException', message: 'Valid authorization header not provided.' }]);
  const garbled = await refused(client(new AppSyncJWTAuthentication({ jwt: 'not.a-jwt' })), '{ open }');
  assert.deepEqual(garbled.errors, [{ errorType: 'UnauthorizedException', message: 'Unable to parse JWT token.' }]);
});

test('DefaultAction DENY: a Cognito caller reads only the fields whose @aws_auth lists one of its groups', async (t) => {
  const { client } = await serve(t, DENY);
  const staffIssuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_StaffPool';
  const staff = client(new AppSyncJWTAuthentication({ jwt: jwt({ iss: staffIssuer, sub: 's', 'cognito:groups': ['staff'], exp: EXPIRES }) }));
  const guest = client(new AppSyncJWTAuthentication({ jwt: jwt({ iss: staffIssuer, sub: 'g', exp: EXPIRES }) }));
  assert.deepEqual((await staff.execute('{ staffOnly }')).data, { staffOnly: '"DENY"' });
  assert.equal((await failed(staff, '{ open }')).errors[0]?.message, 'Not Authorized to access open on type Query');
  assert.equal((await failed(guest, '{ staffOnly }')).errors[0]?.message, 'Not Authorized to access staffOnly on type Query');
});

/** A copy of the fixture with one edit. */
function edited(from: string, to: string): string {
  const text = readFileSync(TEMPLATE, 'utf8');
  assert.ok(text.includes(from), 'control: the edit applies');
  const file = join(mkdtempSync(join(tmpdir(), 'appsync-field-auth-')), 'template.yaml');
  writeFileSync(file, text.replace(from, to));
  return file;
}

async function startError(template: string, parameters: Record<string, string> = {}): Promise<TransportConfigurationError> {
  const error = await startLocalAppSync({ template, parameters }).then(
    (server) => server.close().then(() => assert.fail('expected the template to be refused')),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TransportConfigurationError, String(error));
  return error;
}

test('what AppSync would not deploy is refused at start: DENY beside other providers, a directive argument of the wrong type', async () => {
  const deny = await startError(TEMPLATE, { DefaultAction: 'DENY' });
  assert.match(deny.message, /resource NotesApi: UserPoolConfig\.DefaultAction is DENY with AdditionalAuthenticationProviders; AppSync requires ALLOW/);
  const badGroups = await startError(edited('@aws_auth(cognito_groups: ["admins"])', '@aws_auth(cognito_groups: [1])'));
  assert.equal(badGroups.message, 'The schema\'s @aws_auth on Query.adminReport has an argument AppSync would refuse (Argument "cognito_groups" has invalid value [1]): cognito_groups is a list of group names, e.g. cognito_groups: ["admins"].');
});

test('serve --template says, in the line it prints at start, which issuers it accepts and that JWT signatures are not verified; no secret is printed', async (t) => {
  const serve = cli(t, ['serve', '--port', '0', '--template', TEMPLATE, '--iam-access-key-id', IAM.accessKeyId, '--iam-secret-access-key', IAM.secretAccessKey]);
  await serve.stdoutMatch(/^page: .*$/m);
  serve.child.kill('SIGTERM');
  const end = await serve.done;
  assert.equal(end.code, 0, end.stderr);
  const line = end.stderr.split('\n').find((l) => l.startsWith('local AppSync listening')) ?? '';
  assert.ok(
    line.includes(`JWTs are accepted by issuer (${POOL_ISSUER}, https://id.example.com), client id and expiry; their signatures are NOT verified locally (no JWKS given). Lambda tokens go to the authorizer Authorizer, run locally.`),
    end.stderr,
  );
  assertNoSecrets(end, [IAM.secretAccessKey]);
});

/** An RS256 key pair, its public half as a JWKS, and a signer of claims. */
async function rs256(kid: string): Promise<{ jwks: { keys: Record<string, unknown>[] }; sign(claims: Record<string, unknown>): Promise<string> }> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  const pair = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const publicKey = { ...(await webcrypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [publicKey] },
    async sign(claims) {
      const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const input = `${part({ alg: 'RS256', kid })}.${part(claims)}`;
      const signature = await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, Buffer.from(input));
      return `${input}.${Buffer.from(signature).toString('base64url')}`;
    },
  };
}

/** The fixture served with `auth.jwks`, and a maker of JWT clients closed after the test. */
async function serveWithJwks(t: TestContext, jwks: LocalJwks | LocalJwksByIssuer): Promise<{ server: LocalAppSync; client(token: string): Client }> {
  const server = await startLocalAppSync({ template: TEMPLATE, now: () => NOW, auth: { jwks }, resolverLog: () => {} });
  const clientWith = clientsOf(t, server);
  return { server, client: (jwtToken) => clientWith(new AppSyncJWTAuthentication({ jwt: jwtToken })) };
}

test('with a JWKS given, user pool and OIDC tokens must be signed by one of its keys (RS256, matched by kid)', async (t) => {
  const pool = await rs256('pool-key');
  const impostor = await rs256('pool-key');
  const { server, client } = await serveWithJwks(t, pool.jwks);
  const claims = { iss: POOL_ISSUER, sub: 'sub-ann', aud: 'web-client', 'cognito:username': 'ann', exp: EXPIRES };
  assert.deepEqual((await client(await pool.sign(claims)).execute('{ me { name } }')).data, { me: { name: 'ann' } });
  for (const token of [await impostor.sign(claims), jwt(claims), await pool.sign({ ...claims, exp: NOW.getTime() / 1000 - 1 })]) {
    const error = await refused(client(token), '{ me { name } }');
    assert.equal(error.errors[0]?.errorType, 'UnauthorizedException');
    assert.ok(!error.message.includes(token) && !JSON.stringify(error.errors).includes(token));
  }
  assert.ok(server.authNotes.some((note) => note.endsWith('their signatures are verified with the JWKS given (1 key).')), server.authNotes.join('\n'));
});

test('serve --jwks reads a JWKS file and says the signatures are verified; a file that is not a JWKS is a usage error', async (t) => {
  const { jwks } = await rs256('cli-key');
  const dir = mkdtempSync(join(tmpdir(), 'appsync-jwks-'));
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
  writeFileSync(join(dir, 'not.json'), '{"kes": []}');
  const serve = cli(t, ['serve', '--port', '0', '--template', TEMPLATE, '--jwks', join(dir, 'jwks.json')]);
  await serve.stdoutMatch(/^page: .*$/m);
  serve.child.kill('SIGTERM');
  const end = await serve.done;
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stderr, /^local AppSync listening \(.*; their signatures are verified with the JWKS given \(1 key\)\. /m);
  const bad = await cli(t, ['serve', '--port', '0', '--template', TEMPLATE, '--jwks', join(dir, 'not.json')]).done;
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').pop(), `appsync-websockets: Expected the --jwks file "${join(dir, 'not.json')}" to be a JWKS, {"keys": [{...}, ...]}, but it has no list of keys.`);
});

test("with a JWKS per issuer, each provider's tokens verify only with its own keys: the OIDC provider's key cannot sign a user pool token", async (t) => {
  const pool = await rs256('pool-key');
  const partner = await rs256('partner-key');
  // The partner's key has a kid the pool's set lacks, and the pool's its own: a shared set would take both.
  const { server, client } = await serveWithJwks(t, { byIssuer: { [POOL_ISSUER]: pool.jwks, 'https://id.example.com/': partner.jwks } });
  const claims = { iss: POOL_ISSUER, sub: 'sub-ann', aud: 'web-client', 'cognito:username': 'ann', exp: EXPIRES };
  assert.deepEqual((await client(await pool.sign(claims)).execute('{ me { name } }')).data, { me: { name: 'ann' } });
  const forged = await refused(client(await partner.sign({ ...claims, 'cognito:groups': ['admins'] })), '{ me { name } }');
  assert.equal(forged.errors[0]?.errorType, 'UnauthorizedException');
  // The partner's own tokens verify with its keys.
  const partnerClaims = { iss: 'https://id.example.com', sub: 'partner-7', aud: 'partner-app', exp: EXPIRES };
  assert.deepEqual((await client(await partner.sign(partnerClaims)).execute('{ note { id } }')).data, { note: { id: 'n1' } });
  assert.ok(server.authNotes.some((note) => note.endsWith("their signatures are verified with each issuer's own JWKS (given for 2; other issuers' tokens are refused).")), server.authNotes.join('\n'));
});
