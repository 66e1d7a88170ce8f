/**
 * A template's Events API on the local AppSync (test/fixtures/events-handlers): namespaces with
 * their auth modes, `onPublish`/`onSubscribe` code in the APPSYNC_JS sandbox (transform, drop,
 * per-event errors, refusals, ctx.info / ctx.identity / ctx.stash), a DynamoDB integration read
 * back through the template's GraphQL API, and hostile handlers and templates. Driven by this
 * library's AppSyncEventsClient and Client over real sockets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AppSyncApiKeyAuthentication,
  AppSyncEventsClient,
  AppSyncJWTAuthentication,
  AppSyncLambdaAuthentication,
  Client,
  TransportConfigurationError,
  type AppSyncAuthentication,
} from '../src/index.js';
import { startLocalAppSync, type LocalAppSync, type LocalAppSyncOptions, type TemplateReload } from '../src/testing/index.js';
import { cli } from './cli-helpers.js';

const TEMPLATE = fileURLToPath(new URL('../../test/fixtures/events-handlers/template.yaml', import.meta.url));
const LINT = fileURLToPath(new URL('../../lint/', import.meta.url));
const LAMBDA_TOKEN = 'let-me-in';
/** An unsigned JWT of user ann: the local server accepts listed tokens and reads their claims. */
const ANN = ['{"alg":"none"}', '{"sub":"ann-sub","cognito:username":"ann"}', ''].map((part) => Buffer.from(part).toString('base64url')).join('.');

async function serve(t: TestContext, template = TEMPLATE, extra: LocalAppSyncOptions = {}): Promise<LocalAppSync> {
  // AWS's deploy check runs on every handler (the hostile ones opt out).
  const server = await startLocalAppSync({ template, lintFrom: LINT, resolverLog: () => {}, auth: { jwt: [ANN], lambda: async (token) => token === LAMBDA_TOKEN }, ...extra });
  t.after(() => server.close());
  return server;
}

async function eventsClient(t: TestContext, server: LocalAppSync, auth: AppSyncAuthentication = new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? '' })): Promise<AppSyncEventsClient> {
  const client = new AppSyncEventsClient({ url: server.eventsUrl, auth, retry: false });
  t.after(() => client.close());
  await client.connect();
  return client;
}

function subscribed(server: LocalAppSync, count: number): Promise<void> {
  return server.events.waitFor(() => server.events.subscriptions.length === count);
}

/** The errors a refused subscribe or publish rejects with. */
async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a refusal'),
    (e: { errors?: unknown }) => e.errors,
  );
}

function writeTemplate(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'appsync-events-')), 'template.yaml');
  writeFileSync(file, text);
  return file;
}

test('an Events-only template loads and serves its namespaces; a template without any API is refused', async (t) => {
  const eventsOnly = readFileSync(TEMPLATE, 'utf8').split('\n  Api:\n')[0] ?? '';
  const server = await serve(t, writeTemplate(eventsOnly));
  assert.equal(server.schema, undefined);
  assert.deepEqual(server.events.namespaceNames, ['chat', 'store', 'locked']);
  const client = await eventsClient(t, server);
  const events = client.subscribe('/chat/room');
  await subscribed(server, 1);
  await client.publish('/chat/room', [{ text: 'hi' }]);
  assert.equal(((await events.next()).value as { text: string }).text, 'HI');
  await events.return?.();

  const none = writeTemplate('Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties: { KeySchema: [] }\n');
  await assert.rejects(startLocalAppSync({ template: none }), (e: Error) => e instanceof TransportConfigurationError && e.message === `${none}: has no AWS::AppSync::GraphQLApi and no AWS::AppSync::Api (Events) resource: the local AppSync runs one GraphQL API, one Events API, or both.`);
});

test('onPublish transforms events with ctx.info and ctx.identity; over WebSocket and HTTP alike', async (t) => {
  const server = await serve(t);
  const reader = await eventsClient(t, server);
  const ann = await eventsClient(t, server, new AppSyncJWTAuthentication({ jwt: ANN }));
  const events = reader.subscribe<Record<string, unknown>>('/chat/*');
  await subscribed(server, 1);

  const result = await ann.publish('/chat/lobby/main', [{ text: 'hello' }]);
  assert.equal(result.successful.length, 1);
  assert.deepEqual(result.failed, []);
  assert.deepEqual((await events.next()).value, { text: 'HELLO', path: '/chat/lobby/main', segments: ['chat', 'lobby', 'main'], namespace: 'chat', operation: 'PUBLISH', user: 'ann' });

  // API keys give no identity (ctx.identity is null), and POST /event runs the same handler.
  await reader.publishHttp('/chat/lobby', [{ text: 'over http' }]);
  assert.deepEqual((await events.next()).value, { text: 'OVER HTTP', path: '/chat/lobby', segments: ['chat', 'lobby'], namespace: 'chat', operation: 'PUBLISH', user: null });

  // The test hook publishes as is: AppSync has no server-side publish, so no handler runs.
  server.events.publish('/chat/lobby', [{ text: 'raw' }]);
  assert.deepEqual((await events.next()).value, { text: 'raw' });
});

test('onPublish drops events it returns as null or leaves out ([] or null), and lists events with an error in failed', async (t) => {
  const server = await serve(t);
  const client = await eventsClient(t, server);
  const lobby = client.subscribe<{ text: string }>('/chat/lobby');
  const quiet = client.subscribe('/chat/*', { onEventError: () => {} });
  await subscribed(server, 2);

  const result = await client.publish('/chat/lobby', [{ text: 'a' }, { drop: true }, { nope: 1 }, { text: 'b' }]);
  assert.deepEqual(result.successful.map((e) => e.index), [0, 1, 3]);
  assert.equal(result.failed.length, 1);
  assert.deepEqual({ ...result.failed[0], identifier: undefined }, { identifier: undefined, index: 2, code: 400, message: 'Message required' });
  assert.match(String(result.failed[0]?.identifier), /^[0-9a-f-]{36}$/);
  // Only a and b were broadcast, in order; the wildcard subscription saw the same.
  assert.equal((await lobby.next()).value?.text, 'A');
  assert.equal((await lobby.next()).value?.text, 'B');
  assert.equal(((await quiet.next()).value as { text: string }).text, 'A');
  assert.equal(((await quiet.next()).value as { text: string }).text, 'B');

  // [] and null drop everything; the publisher is told the events were accepted.
  for (const room of ['quiet', 'void']) {
    const dropped = await client.publish(`/chat/${room}`, [{ text: 'x' }, { text: 'y' }]);
    assert.deepEqual(dropped.successful.map((e) => e.index), [0, 1], room);
    assert.deepEqual(dropped.failed, [], room);
  }
  await client.publish('/chat/lobby', [{ text: 'after' }]);
  assert.equal(((await quiet.next()).value as { text: string }).text, 'AFTER', 'nothing from /chat/quiet or /chat/void came first');
});

test("onSubscribe refuses with util.unauthorized() and util.error, with AppSync's subscribe_error; ctx.identity decides the inbox", async (t) => {
  const server = await serve(t);
  const client = await eventsClient(t, server);
  const ann = await eventsClient(t, server, new AppSyncJWTAuthentication({ jwt: ANN }));
  assert.deepEqual(await refusal(client.subscribe('/chat/private/x').next()), [{ errorType: 'Unauthorized', message: 'Not Authorized: the onSubscribe handler of namespace chat refused /chat/private/x (util.unauthorized()).' }]);
  assert.deepEqual(await refusal(client.subscribe('/chat/closed').next()), [{ errorType: 'RoomClosed', message: 'The room is closed.' }]);
  assert.deepEqual(await refusal(client.subscribe('/chat/inbox/ann').next()), [{ errorType: 'Unauthorized', message: 'Not Authorized: the onSubscribe handler of namespace chat refused /chat/inbox/ann (util.unauthorized()).' }]);
  assert.deepEqual(await refusal(ann.subscribe('/chat/inbox/bob').next()), [{ errorType: 'Unauthorized', message: 'Not Authorized: the onSubscribe handler of namespace chat refused /chat/inbox/bob (util.unauthorized()).' }]);
  assert.equal(server.events.subscriptions.length, 0, 'a refused subscribe holds nothing');

  const inbox = ann.subscribe<{ text: string }>('/chat/inbox/ann');
  await subscribed(server, 1);
  await client.publish('/chat/inbox/ann', [{ text: 'for ann' }]);
  assert.equal((await inbox.next()).value?.text, 'FOR ANN');
});

test('a DynamoDB integration: onPublish.request writes the events, response reads ctx.result and ctx.stash; GraphQL reads them back', async (t) => {
  const server = await serve(t);
  const client = await eventsClient(t, server);
  const events = client.subscribe<Record<string, unknown>>('/store/*');
  await subscribed(server, 1);
  const result = await client.publish('/store/notes', [{ text: 'one' }, { text: 'two' }]);
  assert.equal(result.successful.length, 2);
  assert.deepEqual((await events.next()).value, { text: 'one', stored: true, path: '/store/notes' });
  assert.deepEqual((await events.next()).value, { text: 'two', stored: true, path: '/store/notes' });

  const graphql = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[1] ?? '' }), retry: false });
  t.after(() => graphql.close());
  const id = result.successful.find((e) => e.index === 1)?.identifier ?? '';
  const read = await graphql.execute<{ stored: unknown }>('query ($id: ID!) { stored(id: $id) { id channel text } }', { variableValues: { id } });
  assert.deepEqual(read.data, { stored: { id, channel: '/store/notes', text: 'two' } });

  // runtime.earlyReturn in request: broadcast as returned, nothing written.
  const draft = await client.publish('/store/drafts', [{ text: 'draft' }]);
  assert.deepEqual((await events.next()).value, { text: 'draft' });
  const unread = await graphql.execute('query ($id: ID!) { stored(id: $id) { id } }', { variableValues: { id: draft.successful[0]?.identifier } });
  assert.deepEqual(unread.data, { stored: null });
});

test("namespace auth modes: locked takes publishes only from the Lambda authorizer and subscriptions only with an API key", async (t) => {
  const server = await serve(t);
  const keyed = await eventsClient(t, server);
  const lambda = await eventsClient(t, server, new AppSyncLambdaAuthentication({ token: LAMBDA_TOKEN }));
  assert.deepEqual(await refusal(keyed.publish('/locked/a', [1])), [{ errorType: 'UnauthorizedException', message: "You are not authorized to publish to namespace 'locked' with API_KEY." }]);
  assert.deepEqual(await refusal(lambda.subscribe('/locked/a').next()), [{ errorType: 'UnauthorizedException', message: "You are not authorized to subscribe to namespace 'locked' with AWS_LAMBDA." }]);
  const events = keyed.subscribe('/locked/a');
  await subscribed(server, 1);
  await lambda.publish('/locked/a', [{ n: 1 }]);
  assert.deepEqual((await events.next()).value, { n: 1 });

  // A Lambda-authorized publisher's ctx.identity is { handlerContext }, as the Events context reference gives it.
  const chat = keyed.subscribe<{ user: unknown }>('/chat/lambda');
  await subscribed(server, 2);
  await lambda.publish('/chat/lambda', [{ text: 'x' }]);
  assert.equal((await chat.next()).value?.user, 'a Lambda-authorized caller');
});

/** The hostile server's CPU limit: the endless loops end there; generous, so that on a loaded machine the other handlers stay well inside it. */
const HOSTILE_LIMIT_MS = 500;

const HOSTILE = `Resources:
  Events:
    Type: AWS::AppSync::Api
    Properties:
      Name: hostile
      EventConfig:
        AuthProviders: [{ AuthType: API_KEY }]
        ConnectionAuthModes: [{ AuthType: API_KEY }]
        DefaultPublishAuthModes: [{ AuthType: API_KEY }]
        DefaultSubscribeAuthModes: [{ AuthType: API_KEY }]
  Key:
    Type: AWS::AppSync::ApiKey
    Properties: { ApiId: !GetAtt Events.ApiId }
  Bad:
    Type: AWS::AppSync::ChannelNamespace
    Properties:
      ApiId: !GetAtt Events.ApiId
      Name: bad
      CodeHandlers: |
        export function onPublish(ctx) {
          const kind = ctx.info.channel.segments[1];
          if (kind === 'throw') throw new Error('boom');
          if (kind === 'loop') while (true) {}
          if (kind === 'garbage') return 'nope';
          if (kind === 'noid') return [{ payload: 1 }];
          if (kind === 'twice') return [ctx.events[0], ctx.events[0]];
          if (kind === 'huge') return ctx.events.map(({ id }) => ({ id, payload: 'x'.repeat(300000) }));
          if (kind === 'fail') util.error('Not possible!');
          if (kind === 'deny') util.unauthorized();
          return ctx.events;
        }
        export function onSubscribe(ctx) {
          if (ctx.info.channel.segments[1] === 'loop') while (true) {}
          if (ctx.info.channel.segments[1] === 'throw') throw new TypeError('bad subscribe');
        }
`;

test('hostile handlers: a throw, an endless loop (the CPU limit), garbage, unknown or repeated ids, huge payloads — typed errors, and the server goes on', async (t) => {
  const server = await serve(t, writeTemplate(HOSTILE), { evaluationTimeoutMs: HOSTILE_LIMIT_MS, lintFrom: false });
  const client = await eventsClient(t, server);
  const code = (message: string) => [{ errorType: 'Code', message }];
  assert.deepEqual(await refusal(client.publish('/bad/throw', [1])), code('Error: boom'));
  assert.deepEqual(await refusal(client.publish('/bad/loop', [1])), code(`The onPublish handler of Bad ran longer than ${HOSTILE_LIMIT_MS} ms (the local AppSync's CPU time limit per evaluation) and was stopped.`));
  assert.deepEqual(await refusal(client.publish('/bad/garbage', [1])), code('onPublish must return an array of events ({ id, payload }) or null, but it returned a string.'));
  assert.deepEqual(await refusal(client.publish('/bad/noid', [1])), code("onPublish returned an event (index 0) whose id undefined is none of the incoming events' ids; return events from ctx.events."));
  assert.match(JSON.stringify(await refusal(client.publish('/bad/twice', [1]))), /onPublish returned the event [0-9a-f-]{36} twice; each incoming event may be returned once\./);
  assert.deepEqual(await refusal(client.publish('/bad/fail', [1])), [{ message: 'Not possible!' }]);
  assert.deepEqual(await refusal(client.publish('/bad/deny', [1])), [{ errorType: 'UnauthorizedException', message: 'Not Authorized: the onPublish handler of namespace bad refused /bad/deny (util.unauthorized()).' }]);
  const huge = await client.publish('/bad/huge', [1]);
  assert.deepEqual(huge.successful, []);
  assert.deepEqual(huge.failed.map(({ index, code: c, message }) => ({ index, code: c, message })), [{ index: 0, code: 400, message: 'The event onPublish returned exceeds the maximum size of 245760 bytes.' }]);
  assert.deepEqual(await refusal(client.subscribe('/bad/loop').next()), code(`The onSubscribe handler of Bad ran longer than ${HOSTILE_LIMIT_MS} ms (the local AppSync's CPU time limit per evaluation) and was stopped.`));
  assert.deepEqual(await refusal(client.subscribe('/bad/throw').next()), code('TypeError: bad subscribe'));

  // Over HTTP the statuses are AWS's documented ones (util.error 403, util.unauthorized 401), 500 for a failed handler.
  const post = (channel: string) => fetch(server.eventsUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': server.apiKeys[0] ?? '' }, body: JSON.stringify({ channel, events: ['1'] }) }).then((r) => r.status);
  assert.deepEqual(await Promise.all(['/bad/fail', '/bad/deny', '/bad/loop', '/bad/ok'].map(post)), [403, 401, 500, 200]);

  const events = client.subscribe('/bad/ok');
  await subscribed(server, 1);
  await client.publish('/bad/ok', [{ still: 'serving' }]);
  assert.deepEqual((await events.next()).value, { still: 'serving' });
});

test("the deploy check covers handler code: AppSync's eslint rules refuse a while loop in a namespace's CodeHandlers", async () => {
  const file = writeTemplate(HOSTILE);
  const line = HOSTILE.split('\n').findIndex((l) => l.includes("kind === 'loop'")) + 1;
  await assert.rejects(startLocalAppSync({ template: file, lintFrom: LINT, resolverLog: () => {} }), (e: Error) => {
    assert.equal(e.message, `${file}:${line}: resource Bad: AppSync would refuse to deploy this code: While statements are not supported. (@aws-appsync/no-while, column 24) (and 2 more).`);
    return true;
  });
});

test('malformed Events templates are refused, naming the resource and what to fix', async () => {
  const base = HOSTILE.split('  Bad:\n')[0] ?? '';
  const cases: [string, string][] = [
    [base.replace(/      EventConfig:[\s\S]*?(?=  Key:)/, ''), 'resource Events: has no EventConfig: an Events API needs AuthProviders, ConnectionAuthModes, DefaultPublishAuthModes and DefaultSubscribeAuthModes.'],
    [base.replace('DefaultPublishAuthModes: [{ AuthType: API_KEY }]', 'DefaultPublishAuthModes: [{ AuthType: AWS_IAM }]'), "resource Events: EventConfig.DefaultPublishAuthModes lists AWS_IAM, which is none of the API's AuthProviders (API_KEY)."],
    [`${base}  Ns:\n    Type: AWS::AppSync::ChannelNamespace\n    Properties: { ApiId: !GetAtt Events.ApiId, Name: -bad }\n`, 'resource Ns: Name "-bad" is no namespace name: 1 to 50 characters of [A-Za-z0-9-], not starting or ending with "-".'],
    [`${base}  Ns:\n    Type: AWS::AppSync::ChannelNamespace\n    Properties:\n      ApiId: !GetAtt Events.ApiId\n      Name: ns\n      CodeHandlers: 'export const onPublish = (ctx) => ctx.events'\n      HandlerConfigs: { OnPublish: { Behavior: CODE, Integration: { DataSourceName: nowhere } } }\n`, 'resource Ns: DataSourceName "nowhere" names no AWS::AppSync::DataSource of this template (its data sources: none).'],
    [`${base}  Ns:\n    Type: AWS::AppSync::ChannelNamespace\n    Properties:\n      ApiId: !GetAtt Events.ApiId\n      Name: ns\n      HandlerConfigs: { OnSubscribe: { Behavior: SOMETIMES, Integration: { DataSourceName: x } } }\n`, 'resource Ns: HandlerConfigs.OnSubscribe.Behavior must be CODE or DIRECT, but it is "SOMETIMES".'],
    [`${base}  None:\n    Type: AWS::AppSync::DataSource\n    Properties: { ApiId: !GetAtt Events.ApiId, Name: none, Type: NONE }\n  Ns:\n    Type: AWS::AppSync::ChannelNamespace\n    Properties:\n      ApiId: !GetAtt Events.ApiId\n      Name: ns\n      CodeHandlers: 'export const onPublish = { request: (ctx) => ({}) }'\n      HandlerConfigs: { OnPublish: { Behavior: CODE, Integration: { DataSourceName: none } } }\n`, 'resource Ns: exports onPublish with request but no response; a handler with a data source is { request(ctx), response(ctx) }.'],
  ];
  for (const [text, expected] of cases) {
    const file = writeTemplate(text);
    await assert.rejects(startLocalAppSync({ template: file, lintFrom: false, resolverLog: () => {} }), (e: Error) => {
      assert.ok(e instanceof TransportConfigurationError, String(e));
      assert.equal(e.message.replace(/^[^:]*template\.yaml(:\d+)?: /, ''), expected);
      return true;
    });
  }
});

test('DIRECT Lambda integration: the Lambda gets the context and answers { events } for a publish, { error } | null for a subscribe', async (t) => {
  const base = HOSTILE.split('  Bad:\n')[0] ?? '';
  const template = `${base}  DirectFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/direct
      Code:
        ZipFile: |
          exports.handler = async (event) => {
            if (event.info.operation === 'SUBSCRIBE') return event.info.channel.segments[1] === 'no' ? { error: 'Not for you' } : null;
            return { events: event.events.map((e) => ({ id: e.id, payload: { ...e.payload, by: 'lambda', path: event.info.channel.path } })) };
          };
  Direct:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Events.ApiId
      Name: direct
      Type: AWS_LAMBDA
      LambdaConfig: { LambdaFunctionArn: !GetAtt DirectFunction.Arn }
  Ns:
    Type: AWS::AppSync::ChannelNamespace
    Properties:
      ApiId: !GetAtt Events.ApiId
      Name: ns
      HandlerConfigs:
        OnPublish: { Behavior: DIRECT, Integration: { DataSourceName: direct, LambdaConfig: { InvokeType: REQUEST_RESPONSE } } }
        OnSubscribe: { Behavior: DIRECT, Integration: { DataSourceName: direct } }
`;
  const server = await serve(t, writeTemplate(template));
  const client = await eventsClient(t, server);
  assert.deepEqual(await refusal(client.subscribe('/ns/no').next()), [{ errorType: 'Unauthorized', message: 'Not for you' }]);
  const events = client.subscribe('/ns/yes');
  await subscribed(server, 1);
  await client.publish('/ns/yes', [{ n: 1 }]);
  assert.deepEqual((await events.next()).value, { n: 1, by: 'lambda', path: '/ns/yes' });
});

test('watch: an edit to a handler, or a new namespace, is served over the live connection; a broken edit keeps the last good version', async (t) => {
  const file = writeTemplate(readFileSync(TEMPLATE, 'utf8').split('\n  Api:\n')[0] ?? '');
  const outcomes: TemplateReload[] = [];
  let told: (() => void) | undefined;
  const nextReload = () => new Promise<TemplateReload>((resolve) => (told = () => resolve(outcomes[outcomes.length - 1] as TemplateReload)));
  const server = await serve(t, file, { watch: true, onReload: (outcome) => (outcomes.push(outcome), told?.()) });
  const client = await eventsClient(t, server);
  const edit = (from: string, to: string) => {
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(from), `control: ${from} is in the template`);
    writeFileSync(file, text.replace(from, to));
  };
  const events = client.subscribe<{ text: string }>('/chat/room');
  await subscribed(server, 1);

  let reloaded = nextReload();
  edit('text: payload.text.toUpperCase(),', 'text: `${payload.text}!`,');
  assert.deepEqual(await reloaded, { ok: true, resolvers: 0, schemaChanged: false, namespaces: 3 });
  await client.publish('/chat/room', [{ text: 'edited' }]);
  assert.equal((await events.next()).value?.text, 'edited!');

  reloaded = nextReload();
  edit('export function onPublish(ctx) {', 'export function onPublish(ctx) {{');
  const broken = await reloaded;
  assert.equal(broken.ok, false);
  assert.match(broken.ok ? '' : broken.error.message, /resource Chat: the code does not parse, so AppSync would refuse to deploy it/);
  await client.publish('/chat/room', [{ text: 'still' }]);
  assert.equal((await events.next()).value?.text, 'still!');

  reloaded = nextReload();
  edit('export function onPublish(ctx) {{', 'export function onPublish(ctx) {');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, `${text}  Extra:\n    Type: AWS::AppSync::ChannelNamespace\n    Properties: { ApiId: !GetAtt Events.ApiId, Name: extra }\n`);
  const added = await reloaded;
  assert.equal(added.ok && added.namespaces, 4, 'the reload counts the new namespace');
  assert.deepEqual(server.events.namespaceNames, ['chat', 'store', 'locked', 'extra']);
  const extra = client.subscribe('/extra/a');
  await subscribed(server, 2);
  await client.publish('/extra/a', [{ fresh: true }]);
  assert.deepEqual((await extra.next()).value, { fresh: true });
});

test('serve --template with an Events-only template prints the Events URL and its API key; clients use them', async (t) => {
  const file = writeTemplate(readFileSync(TEMPLATE, 'utf8').split('\n  Api:\n')[0] ?? '');
  const run = cli(t, ['serve', '--template', file, '--port', '0', '--watch']);
  const [, eventsUrl = ''] = await run.stdoutMatch(/^events: (\S+)\n/m);
  const [, apiKey = ''] = await run.stdoutMatch(/^api key: (\S+)\n/m);
  assert.match(eventsUrl, /^http:\/\/127\.0\.0\.1:\d+\/event$/);
  const client = new AppSyncEventsClient({ url: eventsUrl, auth: new AppSyncApiKeyAuthentication({ apiKey }), retry: false });
  t.after(() => client.close());
  await client.connect();
  const events = client.subscribe<{ text: string }>('/chat/cli');
  // Frames on one socket are handled in order: this publish comes after the subscription.
  await client.publish('/chat/cli', [{ text: 'from the cli server' }]);
  assert.equal((await events.next()).value?.text, 'FROM THE CLI SERVER');
  await client.close();
  run.child.kill('SIGTERM');
  const end = await run.done;
  assert.equal(end.code, 0, end.stderr);
  assert.match(end.stderr, /Events namespaces: chat, store, locked\. Press Ctrl-C to stop\./);
  // No GraphQL API: no GraphQL lines, and the first session is the Events one.
  assert.doesNotMatch(end.stdout, /^(HTTP|real-time|page): /m);
  assert.match(end.stderr, /events subscribe http:\/\/127\.0\.0\.1:\d+\/event '\/chat\/\*'/);
  assert.doesNotMatch(end.stderr, / query | subscribe http:\/\/127\.0\.0\.1:\d+\/graphql /);
});

test("EventConfig: ConnectionAuthModes refuses other modes' handshakes; DefaultPublishAuthModes applies to a namespace without its own", async (t) => {
  const template = `Resources:
  Events:
    Type: AWS::AppSync::Api
    Properties:
      Name: modes
      EventConfig:
        AuthProviders:
          - AuthType: API_KEY
          - AuthType: AWS_LAMBDA
            LambdaAuthorizerConfig: { AuthorizerUri: arn:aws:lambda:us-east-1:123456789012:function:authorizer }
        ConnectionAuthModes: [{ AuthType: API_KEY }]
        DefaultPublishAuthModes: [{ AuthType: AWS_LAMBDA }]
        DefaultSubscribeAuthModes: [{ AuthType: API_KEY }]
  Key:
    Type: AWS::AppSync::ApiKey
    Properties: { ApiId: !GetAtt Events.ApiId }
  Ns:
    Type: AWS::AppSync::ChannelNamespace
    Properties: { ApiId: !GetAtt Events.ApiId, Name: ns }
`;
  const server = await serve(t, writeTemplate(template));
  const lambda = new AppSyncEventsClient({ url: server.eventsUrl, auth: new AppSyncLambdaAuthentication({ token: LAMBDA_TOKEN }), retry: false });
  t.after(() => lambda.close());
  await assert.rejects(lambda.connect(), (e: Error) => {
    assert.match(`${e.message} ${JSON.stringify(e)}`, /You are not authorized to connect with AWS_LAMBDA: this API's connection auth modes are API_KEY\./);
    return true;
  });
  const keyed = await eventsClient(t, server);
  assert.deepEqual(await refusal(keyed.publish('/ns/a', [1])), [{ errorType: 'UnauthorizedException', message: "You are not authorized to publish to namespace 'ns' with API_KEY." }]);
  // Over HTTP there is no connection: the Lambda token may publish.
  const events = keyed.subscribe('/ns/a');
  await subscribed(server, 1);
  await lambda.publishHttp('/ns/a', [{ over: 'http' }]);
  assert.deepEqual((await events.next()).value, { over: 'http' });
});

test('CodeS3Location: handler code in its own file is read, and --watch reloads on an edit to that file', async (t) => {
  const base = HOSTILE.split('  Bad:\n')[0] ?? '';
  const file = writeTemplate(`${base}  Ns:\n    Type: AWS::AppSync::ChannelNamespace\n    Properties: { ApiId: !GetAtt Events.ApiId, Name: ns, CodeS3Location: handlers.js }\n`);
  const code = join(file, '..', 'handlers.js');
  writeFileSync(code, "export const onPublish = (ctx) => ctx.events.map(({ id, payload }) => ({ id, payload: { version: 1, payload } }));\n");
  let told: ((outcome: TemplateReload) => void) | undefined;
  const server = await serve(t, file, { watch: true, onReload: (outcome) => told?.(outcome) });
  const client = await eventsClient(t, server);
  const events = client.subscribe('/ns/a');
  await subscribed(server, 1);
  await client.publish('/ns/a', ['x']);
  assert.deepEqual((await events.next()).value, { version: 1, payload: 'x' });
  const reloaded = new Promise<TemplateReload>((resolve) => (told = resolve));
  writeFileSync(code, readFileSync(code, 'utf8').replace('version: 1', 'version: 2'));
  assert.equal((await reloaded).ok, true);
  await client.publish('/ns/a', ['y']);
  assert.deepEqual((await events.next()).value, { version: 2, payload: 'y' });
});

test("an Events API's Lambda authorizer from the template runs locally: its handlerContext is the handlers' ctx.identity.handlerContext", async (t) => {
  const template = `Resources:
  Events:
    Type: AWS::AppSync::Api
    Properties:
      Name: authorized
      EventConfig:
        AuthProviders:
          - AuthType: AWS_LAMBDA
            LambdaAuthorizerConfig: { AuthorizerUri: !GetAtt Authorizer.Arn }
        ConnectionAuthModes: [{ AuthType: AWS_LAMBDA }]
        DefaultPublishAuthModes: [{ AuthType: AWS_LAMBDA }]
        DefaultSubscribeAuthModes: [{ AuthType: AWS_LAMBDA }]
  Authorizer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/authorizer
      Code:
        ZipFile: |
          exports.handler = async (event) => ({ isAuthorized: event.authorizationToken.startsWith('user-'), handlerContext: { user: event.authorizationToken.slice(5) } });
  Room:
    Type: AWS::AppSync::ChannelNamespace
    Properties:
      ApiId: !GetAtt Events.ApiId
      Name: room
      CodeHandlers: |
        export function onPublish(ctx) {
          return ctx.events.map(({ id, payload }) => ({ id, payload: { ...payload, by: ctx.identity.handlerContext.user } }));
        }
        export function onSubscribe(ctx) {
          if (ctx.identity.handlerContext.user !== ctx.info.channel.segments[1]) util.unauthorized();
        }
`;
  // No auth.lambda given: the template's authorizer decides.
  const server = await startLocalAppSync({ template: writeTemplate(template), lintFrom: false, resolverLog: () => {} });
  t.after(() => server.close());
  const ann = await eventsClient(t, server, new AppSyncLambdaAuthentication({ token: 'user-ann' }));
  assert.deepEqual(await refusal(ann.subscribe('/room/bob').next()), [{ errorType: 'Unauthorized', message: 'Not Authorized: the onSubscribe handler of namespace room refused /room/bob (util.unauthorized()).' }]);
  const own = ann.subscribe<{ text: string; by: string }>('/room/ann');
  await subscribed(server, 1);
  await ann.publish('/room/ann', [{ text: 'hi' }]);
  assert.deepEqual((await own.next()).value, { text: 'hi', by: 'ann' });
  const stranger = new AppSyncEventsClient({ url: server.eventsUrl, auth: new AppSyncLambdaAuthentication({ token: 'nobody' }), retry: false });
  t.after(() => stranger.close());
  await assert.rejects(stranger.connect());
});

test("an Events API's own AuthProviders configure its tokens: its user pool's (by issuer, CognitoConfig) are accepted, another issuer's refused", async (t) => {
  const template = `Resources:
  Events:
    Type: AWS::AppSync::Api
    Properties:
      Name: pool-only
      EventConfig:
        AuthProviders:
          - AuthType: AMAZON_COGNITO_USER_POOLS
            CognitoConfig: { UserPoolId: eu-west-1_EventsPool, AwsRegion: eu-west-1, AppIdClientRegex: '^events-web$' }
        ConnectionAuthModes: [{ AuthType: AMAZON_COGNITO_USER_POOLS }]
        DefaultPublishAuthModes: [{ AuthType: AMAZON_COGNITO_USER_POOLS }]
        DefaultSubscribeAuthModes: [{ AuthType: AMAZON_COGNITO_USER_POOLS }]
  Room:
    Type: AWS::AppSync::ChannelNamespace
    Properties:
      ApiId: !GetAtt Events.ApiId
      Name: room
      CodeHandlers: |
        export function onPublish(ctx) {
          return ctx.events.map(({ id, payload }) => ({ id, payload: { ...payload, by: ctx.identity.username } }));
        }
`;
  // No auth option: the template's CognitoConfig decides.
  const server = await startLocalAppSync({ template: writeTemplate(template), lintFrom: false, resolverLog: () => {} });
  t.after(() => server.close());
  const token = (claims: Record<string, unknown>) => ['{"alg":"none"}', JSON.stringify(claims), ''].map((part) => Buffer.from(part).toString('base64url')).join('.');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const own = { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EventsPool', sub: 'sub-eve', 'cognito:username': 'eve', aud: 'events-web', exp };
  const eve = await eventsClient(t, server, new AppSyncJWTAuthentication({ jwt: token(own) }));
  const room = eve.subscribe<{ text: string; by: string }>('/room/a');
  await subscribed(server, 1);
  await eve.publish('/room/a', [{ text: 'hi' }]);
  assert.deepEqual((await room.next()).value, { text: 'hi', by: 'eve' });
  for (const claims of [{ ...own, iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }, { ...own, aud: 'other-client' }]) {
    const stranger = new AppSyncEventsClient({ url: server.eventsUrl, auth: new AppSyncJWTAuthentication({ jwt: token(claims) }), retry: false });
    t.after(() => stranger.close());
    await assert.rejects(stranger.connect());
  }
  assert.ok(server.authNotes.some((note) => note.includes('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EventsPool')), server.authNotes.join('\n'));
});
