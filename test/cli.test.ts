/**
 * The CLI as users run it: the compiled `main.js` next to this compiled test, as a child process,
 * against a local AppSync started here. Each test has its own server on port 0, so they run
 * concurrently; each child process costs a Node start (~200 ms).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { ExecutionResult } from 'graphql';
import { AppSyncApiKeyAuthentication, AppSyncHttpTransport, AppSyncWebsocketsTransport, TransportServerError } from '../src/index.js';
import { CHAT_SCHEMA, type LocalAppSync, type LocalAppSyncOptions } from '../src/testing/index.js';
import { API_KEY, framesOfType, localServer } from './helpers.js';
import { assertNoSecrets, assertOneErrorLine, cli, jsonLines, type Running } from './cli-helpers.js';


const WRONG_KEY = 'da2-WRONGSECRETKEY-cli-0123456789';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.SECRET-JWT-cli.c2lnbmF0dXJl';
const LAMBDA_TOKEN = 'lambda-SECRET-token-cli-0123';
const ACCESS_KEY_ID = 'AKIACLITEST000000001';
const SECRET_ACCESS_KEY = 'SECRETaccessKEYcli/0123456789abcdefghijklm';
const SECRETS = [API_KEY, WRONG_KEY, JWT, LAMBDA_TOKEN, SECRET_ACCESS_KEY];

const ON_CREATE = 'subscription OnCreate($room: String) { onCreateMessage(room: $room) { id room text } }';
const CREATE = 'mutation Create($room: String!, $text: String!) { createMessage(room: $room, text: $text) { id room text } }';

/** Waits until the CLI's subscription is live on the server (fails fast if the CLI exits). */
async function subscribed(server: LocalAppSync, run: Running): Promise<void> {
  const early = run.done.then((end) => {
    throw new Error(`the CLI exited (${end.code}) before subscribing; stderr: ${end.stderr}`);
  });
  await Promise.race([server.realtime.waitFor(() => server.realtime.subscriptions.length > 0, 10_000), early]);
}

function chatServer(t: TestContext, options: LocalAppSyncOptions = {}): Promise<LocalAppSync> {
  return localServer(t, { schema: CHAT_SCHEMA, ...options });
}


/** Publishes through the schema (as a mutation over HTTP would) and returns the created message. */
async function createMessage(server: LocalAppSync, room: string, text: string): Promise<{ id: string; room: string; text: string }> {
  const result = await server.mutate(CREATE, { room, text });
  return (result.data as { createMessage: { id: string; room: string; text: string } }).createMessage;
}

describe('the CLI', { concurrency: true }, () => {
describe('appsync-websockets subscribe', { concurrency: true }, () => {
  test('--api-key and -V: prints each result as one JSON line, and --count sends stop and exits 0', async (t) => {
    const server = await chatServer(t);
    const run = cli(t, ['subscribe', server.url, ON_CREATE, '--api-key', API_KEY, '-V', 'room=lobby', '--count', '2']);
    await subscribed(server, run);
    await createMessage(server, 'random', 'filtered out by the room argument');
    const first = await createMessage(server, 'lobby', 'one');
    const second = await createMessage(server, 'lobby', 'line\nbreak');
    const end = await run.done;
    assert.equal(end.code, 0, end.stderr);
    assert.deepEqual(jsonLines(end.stdout), [{ data: { onCreateMessage: first } }, { data: { onCreateMessage: second } }]);
    assert.equal(end.stdout.split('\n').length, 3, 'two lines and the final newline');
    assert.equal(framesOfType(server, 'stop').length, 1);
    const start = framesOfType(server, 'start')[0] as { payload: { data: string } };
    assert.deepEqual(JSON.parse(start.payload.data), { query: ON_CREATE, variables: { room: 'lobby' } });
    assert.match(end.stderr, /^connecting to ws:\/\/127\.0\.0\.1:\d+\/graphql\/realtime\nconnected\n/);
    assert.doesNotMatch(end.stderr, /appsync-websockets:/);
    assertNoSecrets(end, SECRETS);
  });

  test('--jwt, a document from @file, --variables and --operation-name', async (t) => {
    const server = await chatServer(t, { auth: { jwt: [JWT] } });
    const dir = await mkdtemp(join(tmpdir(), 'appsync-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'on-create.graphql');
    await writeFile(file, `${ON_CREATE}\nsubscription Other { onCreateMessage { id } }\n`);
    const run = cli(t, ['subscribe', server.url, `@${file}`, '--jwt', JWT, '--variables', '{"room":"lobby"}', '--operation-name', 'OnCreate', '--count', '1']);
    await subscribed(server, run);
    const message = await createMessage(server, 'lobby', 'hi');
    const end = await run.done;
    assert.equal(end.code, 0, end.stderr);
    assert.deepEqual(jsonLines(end.stdout), [{ data: { onCreateMessage: message } }]);
    assert.equal(server.realtime.subscriptions.length, 0);
    assertNoSecrets(end, SECRETS);
  });

  test('--lambda-token, the document on stdin, and the handshake in the query string', async (t) => {
    const server = await chatServer(t, { auth: { lambda: (token) => token === LAMBDA_TOKEN } });
    const run = cli(t, ['subscribe', server.url, '--lambda-token', LAMBDA_TOKEN, '--count', '1', '--handshake-auth', 'query', '--no-retry'], {
      stdin: 'subscription { onCreateMessage { text } }',
    });
    await subscribed(server, run);
    await createMessage(server, 'any', 'from stdin');
    const end = await run.done;
    assert.equal(end.code, 0, end.stderr);
    assert.deepEqual(jsonLines(end.stdout), [{ data: { onCreateMessage: { text: 'from stdin' } } }]);
    assertNoSecrets(end, SECRETS);
  });

  test('IAM by default: credentials from the environment, --region', async (t) => {
    const server = await chatServer(t, { auth: { iam: { credentials: { [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } } } } });
    const run = cli(t, ['subscribe', server.url, ON_CREATE, '--region', 'us-east-1', '--count', '1', '--verbose'], {
      env: { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY },
    });
    await subscribed(server, run);
    const message = await createMessage(server, 'lobby', 'signed');
    const end = await run.done;
    assert.equal(end.code, 0, end.stderr);
    assert.deepEqual(jsonLines(end.stdout), [{ data: { onCreateMessage: message } }]);
    assert.match(end.stderr, /^auth: IAM \(SigV4, region us-east-1\)$/m);
    assertNoSecrets(end, SECRETS);
  });

  test('Ctrl-C (SIGINT) sends stop, waits for complete, closes, and exits 130', async (t) => {
    const server = await chatServer(t);
    const run = cli(t, ['subscribe', server.url, ON_CREATE, '--api-key', API_KEY]);
    await subscribed(server, run);
    run.child.kill('SIGINT');
    const end = await run.done;
    assert.equal(end.code, 130, end.stderr);
    assert.equal(end.signal, null, 'it exits by itself after closing, not by the signal');
    const stops = framesOfType(server, 'stop');
    assert.equal(stops.length, 1);
    assert.equal(stops[0]?.id, framesOfType(server, 'start')[0]?.id);
    await server.realtime.waitFor(() => server.realtime.connections.length === 0);
    assert.equal(end.stdout, '');
    assert.match(end.stderr, /\nstopping \(SIGINT\)\nclosed\n$/);
  });

  test('a wrong API key: exit 3, one line, no secret', async (t) => {
    const server = await chatServer(t);
    const end = await cli(t, ['subscribe', server.url, ON_CREATE, '--api-key', WRONG_KEY]).done;
    assert.equal(end.code, 3, end.stderr);
    assert.equal(end.stdout, '');
    const errors = end.stderr.split('\n').filter((line) => line.startsWith('appsync-websockets:'));
    assert.deepEqual(errors, [
      'appsync-websockets: The server refused the connection: UnauthorizedException: You are not authorized to make this call (errorCode 401). Check the credentials: the API key, token or AWS credentials were rejected or have expired.',
    ]);
    assert.doesNotMatch(end.stderr, /^\s+at /m, 'no stack trace without --verbose');
    assertNoSecrets(end, SECRETS);
  });

  test('a bad URL is a usage error (exit 2); a document the server rejects is a GraphQL error (exit 5)', async (t) => {
    const server = await chatServer(t);
    const [badUrl, rejected] = await Promise.all([
      cli(t, ['subscribe', 'not a url', ON_CREATE, '--api-key', API_KEY]).done,
      cli(t, ['subscribe', server.url, 'subscription { onCreateMessage { nope } }', '--api-key', API_KEY]).done,
    ]);
    assert.equal(badUrl.code, 2);
    assert.equal(badUrl.stdout, '');
    assertOneErrorLine(badUrl, /^appsync-websockets: Expected url to be an absolute URL like https:\/\/<id>\.appsync-api\.<region>\.amazonaws\.com\/graphql, but got "not a url", which is not a valid URL\.$/);
    // Valid GraphQL, but not against the schema: the server rejects the subscription. (A
    // document that does not parse fails before connecting: see cli-units.test.ts.)
    assert.equal(rejected.code, 5, rejected.stderr);
    assert.match(rejected.stderr, /\nappsync-websockets: The server rejected subscription [\w-]+: Validation error of type FieldUndefined: Field 'nope' in type 'Message' is undefined @ 'onCreateMessage\/nope'\.\n$/);
    for (const end of [badUrl, rejected]) assertNoSecrets(end, SECRETS);
  });
});

describe('appsync-websockets query', { concurrency: true }, () => {
  test('runs a mutation and a query over HTTP and prints each result as JSON', async (t) => {
    const server = await chatServer(t);
    const seeded = await createMessage(server, 'lobby', 'seeded');
    const [mutation, query] = await Promise.all([
      cli(t, ['query', server.url, CREATE, '--api-key', API_KEY, '-V', 'room=lobby', '-V', 'text="42"']).done,
      cli(t, ['query', server.url, '--api-key', API_KEY, '-V', `id="${seeded.id}"`], { stdin: 'query Get($id: ID!) { getMessage(id: $id) { id room text } }' }).done,
    ]);
    assert.equal(mutation.code, 0, mutation.stderr);
    const created = (jsonLines(mutation.stdout) as [{ data: { createMessage: { id: string; room: string; text: string } } }])[0].data.createMessage;
    // A value in JSON quotes stays a string, where a bare 42 would be the number 42.
    assert.deepEqual({ room: created.room, text: created.text }, { room: 'lobby', text: '42' });
    assert.equal(mutation.stdout.split('\n').length, 2, 'one line and the final newline');
    assert.equal(query.code, 0, query.stderr);
    assert.deepEqual(jsonLines(query.stdout), [{ data: { getMessage: seeded } }]);
    assert.equal(mutation.stderr, '');
    assertNoSecrets(mutation, SECRETS);
  });

  test('a wrong key (exit 3; with --verbose a stack but no secret), GraphQL errors (exit 5, the answer still on stdout), an unreachable server (exit 4)', async (t) => {
    const server = await chatServer(t);
    const [wrongKey, invalid, unreachable] = await Promise.all([
      cli(t, ['query', server.url, '{ listMessages { id } }', '--api-key', WRONG_KEY, '--verbose']).done,
      cli(t, ['query', server.url, '{ listMessages { id nope } }', '--api-key', API_KEY]).done,
      cli(t, ['query', 'http://127.0.0.1:1/graphql', '{ listMessages { id } }', '--api-key', API_KEY]).done,
    ]);
    assert.equal(wrongKey.code, 3);
    const [first, ...rest] = wrongKey.stderr.trimEnd().split('\n');
    assert.match(first ?? '', /^POST http:\/\/127\.0\.0\.1:\d+\/graphql \(auth: API key\)$/);
    assert.match(rest[0] ?? '', /^appsync-websockets: http:\/\/127\.0\.0\.1:\d+\/graphql answered with HTTP 401: UnauthorizedException: You are not authorized to make this call\. Check the credentials/);
    assert.ok(rest.length > 1 && rest.slice(1).every((line) => /^\s+at /.test(line)), 'then the stack');
    assert.equal(wrongKey.stdout, '');
    assert.equal(invalid.code, 5);
    assertOneErrorLine(invalid, /^appsync-websockets: The server answered with GraphQL errors: Validation error of type FieldUndefined: /);
    const answer = jsonLines(invalid.stdout) as [{ data: unknown; errors: { message: string }[] }];
    assert.equal(answer.length, 1);
    assert.equal(answer[0].data, null);
    assert.match(answer[0].errors[0]?.message ?? '', /^Validation error of type FieldUndefined/);
    assert.equal(unreachable.code, 4);
    assertOneErrorLine(unreachable, /^appsync-websockets: Could not reach http:\/\/127\.0\.0\.1:1\/graphql: /);
    for (const end of [wrongKey, invalid, unreachable]) assertNoSecrets(end, SECRETS);
  });
});

describe('appsync-websockets serve and demo', { concurrency: true }, () => {
  test('serve: prints its URLs, answers queries and subscriptions with the bundled chat schema, and SIGTERM closes it (exit 0)', async (t) => {
    const run = cli(t, ['serve', '--port', '0', '--api-key', API_KEY, '--api-key', 'da2-second-key', '--jwt', JWT]);
    const [, url = ''] = await run.stdoutMatch(/^HTTP: (\S+)\n/m);
    const [, realtimeUrl = ''] = await run.stdoutMatch(/^real-time: (\S+)\n/m);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    assert.equal(realtimeUrl, url.replace(/^http:/, 'ws:') + '/realtime');

    const auth = new AppSyncApiKeyAuthentication({ apiKey: API_KEY });
    const transport = new AppSyncWebsocketsTransport({ url, auth, retry: false });
    t.after(() => transport.close());
    await transport.connect();
    const results = transport.subscribe(ON_CREATE, { variableValues: { room: 'lobby' } });
    const http = new AppSyncHttpTransport({ url, auth });
    // The server runs in another process, so nothing says when the subscription is live: send
    // until a message arrives (the first almost always does).
    const first = results.next();
    let arrived: IteratorResult<ExecutionResult> | undefined;
    for (let attempt = 1; arrived === undefined; attempt++) {
      assert.ok(attempt <= 50, 'no message arrived through the subscription');
      await http.execute(CREATE, { variableValues: { room: 'lobby', text: 'hello' } });
      arrived = await Promise.race([first, delay(100).then(() => undefined)]);
    }
    assert.equal((arrived.value as { data: { onCreateMessage: { text: string } } }).data.onCreateMessage.text, 'hello');
    await assert.rejects(new AppSyncHttpTransport({ url, auth: new AppSyncApiKeyAuthentication({ apiKey: WRONG_KEY }) }).execute('{ listMessages { id } }'), (error) => {
      assert.ok(error instanceof TransportServerError);
      assert.equal(error.statusCode, 401);
      return true;
    });
    await transport.close();

    run.child.kill('SIGTERM');
    const end = await run.done;
    assert.equal(end.code, 0, end.stderr);
    assert.equal(end.stdout, `HTTP: ${url}\nreal-time: ${realtimeUrl}\nevents: ${url.replace(/\/graphql$/, '/event')}\npage: ${url.replace(/graphql$/, '')}\n`);
    assert.match(end.stderr, /^local AppSync listening \(schema: bundled chat schema; auth: 2 API keys, 1 JWT\), Events namespaces: default\. Press Ctrl-C to stop\.\nTry it, each in its own terminal:\n  First set APPSYNC_API_KEY to the --api-key value serve was given \(the commands read it; it is not printed here\): export APPSYNC_API_KEY=…\n(  npx appsync-websockets .*\n){4}The page .* \(add \?apiKey=<key> to its URL\)\.\nstopping \(SIGTERM\)\nstopped\n$/);
    assertNoSecrets(end, SECRETS);
  });

  test('serve --schema: runs the given schema; without auth flags it accepts any auth; SIGINT closes it (exit 130)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const schema = join(dir, 'notes.graphql');
    await writeFile(schema, 'type Note { id: ID! body: String }\ntype Query { getNote(id: ID!): Note }\ntype Mutation { addNote(body: String!): Note }\n');
    const run = cli(t, ['serve', '--port', '0', '--schema', schema]);
    const [, url = ''] = await run.stdoutMatch(/^HTTP: (\S+)\n/m);
    const http = new AppSyncHttpTransport({ url, auth: new AppSyncApiKeyAuthentication({ apiKey: 'anything' }) });
    const added = await http.execute<{ addNote: { id: string; body: string } }>('mutation { addNote(body: "n") { id body } }');
    assert.equal(added.data?.addNote.body, 'n');
    run.child.kill('SIGINT');
    const end = await run.done;
    assert.equal(end.code, 130, end.stderr);
    assert.match(end.stderr, /^local AppSync listening \(schema: .*notes\.graphql; auth: none, every request is accepted\)/);
  });

  test('demo: the local AppSync, a subscription and mutations over HTTP, exit 0', async (t) => {
    const end = await cli(t, ['demo']).done;
    assert.equal(end.code, 0, end.stderr);
    const lines = end.stdout.trimEnd().split('\n');
    assert.equal(lines.filter((line) => line.startsWith('received onCreateMessage ')).length, 3);
    assert.equal(lines.filter((line) => line.startsWith('received an event on /default/lobby: ')).length, 1);
    assert.equal(lines.at(-1), 'demo: received 3 of 3 messages sent to #lobby through the subscription, and the event through /default/lobby; closed cleanly');
    assert.equal(end.stderr, '');
  });
});
});
