/**
 * The first hour with the CLI: the session `serve` prints works as pasted (real processes, a
 * real shell), and mistakes with the endpoint or the default auth come back with a hint that
 * says what it looks like and what to try.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test, type TestContext } from 'node:test';
import { TransportAuthError, TransportConnectionFailed, TransportServerError } from '../src/index.js';
import { CliError, EXIT, exitCodeFor } from '../src/cli/exit-codes.js';
import { firstSessionLines, shellQuote } from '../src/cli/first-session.js';
import { explain, type HintContext } from '../src/cli/hints.js';
import { buildAppSyncSchema } from '../src/schema/appsync-sdl.js';
import { CHAT_SCHEMA } from '../src/testing/index.js';
import { CLI, childEnv, cli } from './cli-helpers.js';

const LOCAL = 'http://127.0.0.1:4000';

function hinted(error: Error, context: HintContext): { message: string; exitCode: number } {
  const explained = explain(error, context);
  assert.ok(explained instanceof CliError, `expected a hint for ${error.message}`);
  assert.equal(explained.cause, error);
  return { message: explained.message, exitCode: explained.exitCode };
}

describe('hints for endpoint and auth mix-ups', () => {
  test('the Events URL given to subscribe or query is a usage error naming the GraphQL URL', () => {
    const refused = new TransportServerError('The server refused the connection: SubProtocolNotSupportedError: aws-appsync-event-ws subprotocol is required (errorCode 400).', { statusCode: 400 });
    const { message, exitCode } = hinted(refused, { api: 'graphql', url: `${LOCAL}/event`, iam: false });
    assert.equal(
      message,
      `${refused.message} Hint: ${LOCAL}/event looks like the AppSync Events endpoint (/event), but \`subscribe\` and \`query\` take the GraphQL endpoint: try ${LOCAL}/graphql, or use \`events subscribe\` and \`events publish\` with this URL.`,
    );
    assert.equal(exitCode, EXIT.USAGE);
  });

  test('the GraphQL URL given to events is a usage error naming the Events URL', () => {
    const refused = new TransportServerError('SubProtocolNotSupportedError: graphql-ws subprotocol is required', { statusCode: 400 });
    const { message, exitCode } = hinted(refused, { api: 'events', url: 'https://abc.appsync-api.eu-west-1.amazonaws.com/graphql/', iam: false });
    assert.match(message, /looks like the GraphQL endpoint \(\/graphql\), but `events subscribe` and `events publish` take the Events endpoint: try https:\/\/abc\.appsync-api\.eu-west-1\.amazonaws\.com\/event,/);
    assert.equal(exitCode, EXIT.USAGE);
  });

  test('https:// against a plain-HTTP server: says so and offers the http:// URL, exit code kept', () => {
    const tls = new TransportConnectionFailed('Could not open a WebSocket: code 1006', { cause: Object.assign(new Error('write EPROTO …:SSL routines:ssl3_get_record:wrong version number'), { code: 'EPROTO' }) });
    const { message, exitCode } = hinted(tls, { api: 'graphql', url: 'https://127.0.0.1:4000/graphql', iam: false });
    assert.equal(message, `${tls.message} Hint: the server at 127.0.0.1:4000 answered in plain text, not TLS: it looks like an http:// server (as the local \`serve\` is). Try http://127.0.0.1:4000/graphql.`);
    assert.equal(exitCode, exitCodeFor(tls));
  });

  test('a 404 from a URL without /graphql or /event names the path to add', () => {
    const missing = new TransportServerError('http://127.0.0.1:4000/ answered with HTTP 404: No route for POST /.', { statusCode: 404 });
    assert.match(hinted(missing, { api: 'graphql', url: LOCAL, iam: false }).message, /Hint: AppSync serves GraphQL at \/graphql, and http:\/\/127\.0\.0\.1:4000 does not end with it: try http:\/\/127\.0\.0\.1:4000\/graphql\.$/);
    const refused = new TransportConnectionFailed('refused with HTTP 404', { statusCode: 404 });
    assert.match(hinted(refused, { api: 'events', url: `${LOCAL}/`, iam: false }).message, /try http:\/\/127\.0\.0\.1:4000\/event\.$/);
  });

  test('IAM by default without a region names --region and the auth flags; with an auth flag there is no hint', () => {
    const region = new TransportAuthError('AWS_IAM auth needs the API\'s region to sign, but found none for host "127.0.0.1:4000".');
    const { message, exitCode } = hinted(region, { api: 'graphql', url: `${LOCAL}/graphql`, iam: true });
    assert.match(message, /Hint: with no --api-key, --jwt or --lambda-token the CLI signs with IAM, which needs a region: pass --region <region> \(for example --region us-east-1\), or an auth flag: a local `serve` started without auth flags accepts any, e.g\. --api-key da2-local\.$/);
    assert.equal(exitCode, EXIT.AUTH);
    assert.equal(explain(region, { api: 'graphql', url: `${LOCAL}/graphql`, iam: false }), region);
  });

  test('a failure with a URL of the right shape comes back as it was', () => {
    const denied = new TransportServerError('HTTP 401', { statusCode: 401 });
    assert.equal(explain(denied, { api: 'graphql', url: `${LOCAL}/graphql`, iam: false }), denied);
  });
});

describe('what serve prints for a first session', () => {
  const server = { url: `${LOCAL}/graphql`, eventsUrl: `${LOCAL}/event`, host: '127.0.0.1:4000' };
  const none = { apiKeys: [], jwts: [], lambdaTokens: [], iamAccessKeyId: undefined };

  test('the chat schema: a subscription and the mutation it receives, events lines, an accepted auth flag', () => {
    assert.deepEqual(firstSessionLines(server, buildAppSyncSchema(CHAT_SCHEMA), none), [
      'Try it, each in its own terminal:',
      `  npx appsync-websockets subscribe ${LOCAL}/graphql 'subscription { onCreateMessage { id room text createdAt } }' --api-key da2-local`,
      `  npx appsync-websockets query ${LOCAL}/graphql 'mutation { createMessage(room: "lobby", text: "hello") { id room text createdAt } }' --api-key da2-local`,
      `  npx appsync-websockets events subscribe ${LOCAL}/event '/default/*' --api-key da2-local`,
      `  npx appsync-websockets events publish ${LOCAL}/event /default/chat '{"text":"hello"}' --api-key da2-local`,
      'The page http://127.0.0.1:4000/ is a live chat on this server.',
    ]);
  });

  test('another schema: its own subscription field, and the page says it needs the chat shape', () => {
    const schema = buildAppSyncSchema('type Query { a: Int } type Tick { n: Int! at: AWSDateTime } type Subscription { onTick(every: Int): Tick } type Mutation { tick: Tick }');
    const lines = firstSessionLines(server, schema, { ...none, jwts: ['eyJ.SECRET.b'] }, 'chat');
    assert.equal(lines[1], '  First set APPSYNC_JWT to the --jwt value serve was given (the commands read it; it is not printed here): export APPSYNC_JWT=…');
    assert.equal(lines[2], `  npx appsync-websockets subscribe ${LOCAL}/graphql 'subscription { onTick { n at } }'`);
    assert.equal(lines[3], `  npx appsync-websockets query ${LOCAL}/graphql '{ __typename }'`);
    assert.equal(lines[4], `  npx appsync-websockets events subscribe ${LOCAL}/event '/chat/*'`);
    assert.ok(!lines.join('\n').includes('SECRET'), 'no secret is printed');
    assert.match(lines.at(-1) ?? '', /needs the bundled chat schema \(or one with createMessage\(room, text\) and onCreateMessage\)/);
  });

  test('IAM: the access key id and a placeholder for the secret, never the secret', () => {
    const lines = firstSessionLines(server, buildAppSyncSchema(CHAT_SCHEMA), { ...none, iamAccessKeyId: 'AKIALOCAL' });
    assert.match(lines[1] ?? '', /export AWS_SECRET_ACCESS_KEY=…$/);
    assert.match(lines[2] ?? '', /^  AWS_ACCESS_KEY_ID=AKIALOCAL npx appsync-websockets subscribe .* --region us-east-1$/);
  });

  test('IAM with a session token: the setup line asks for AWS_SESSION_TOKEN too (temporary credentials are refused without it)', () => {
    const lines = firstSessionLines(server, buildAppSyncSchema(CHAT_SCHEMA), { ...none, iamAccessKeyId: 'AKIALOCAL', iamSessionToken: true });
    assert.match(lines[1] ?? '', /export AWS_SECRET_ACCESS_KEY=… AWS_SESSION_TOKEN=…$/);
  });

  test('shell quoting survives quotes', () => {
    assert.equal(shellQuote("da2-it's"), `'da2-it'\\''s'`);
    assert.equal(shellQuote('da2-plain'), 'da2-plain');
  });
});

/** A child process with its output collected and a wait for a line matching `pattern`. */
function spawnShell(t: TestContext, line: string, env: NodeJS.ProcessEnv) {
  // `exec`: the shell becomes the CLI, so signals and the kill below reach it.
  const child = spawn('sh', ['-c', `exec ${line}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  for (const name of ['stdout', 'stderr'] as const) {
    child[name].setEncoding('utf8').on('data', (chunk: string) => {
      output[name] += chunk;
      for (const w of [...waiters]) w();
    });
  }
  const done = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr'): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(output[stream]);
        if (match !== null) {
          waiters.delete(check);
          resolve(match);
        }
      };
      waiters.add(check);
      check();
      void done.then((code) => {
        if (waiters.delete(check)) reject(new Error(`\`${line}\` exited ${code} before printing ${pattern}: ${output.stdout}${output.stderr}`));
      });
    });
  return { child, output, done, waitFor };
}

test('the first session works exactly as serve prints it (serve, subscribe, query, events, in a shell)', async (t) => {
  // `npx appsync-websockets` runs this build: a shim first on PATH drops the package name.
  const bin = await mkdtemp(join(tmpdir(), 'appsync-websockets-npx-'));
  t.after(() => rm(bin, { recursive: true, force: true }));
  await writeFile(join(bin, 'npx'), `#!/bin/sh\nshift\nexec ${shellQuote(process.execPath)} ${shellQuote(CLI)} "$@"\n`);
  await chmod(join(bin, 'npx'), 0o755);
  const env = { ...childEnv(), PATH: `${bin}:${process.env.PATH ?? ''}` };

  const serve = spawnShell(t, `npx appsync-websockets serve --port 0`, env);
  await serve.waitFor(/^The page .*$/m, 'stderr');
  const printed = (command: string): string => {
    const match = new RegExp(`^  (npx appsync-websockets ${command} .*)$`, 'm').exec(serve.output.stderr);
    assert.ok(match, `serve printed no ${command} line: ${serve.output.stderr}`);
    return match[1] ?? '';
  };

  // GraphQL: the printed subscription receives what the printed mutation creates.
  const subscribe = spawnShell(t, `${printed('subscribe')} --count 1`, env);
  await subscribe.waitFor(/subscription started/, 'stderr');
  const query = spawnShell(t, printed('query'), env);
  assert.equal(await query.done, 0, query.output.stderr);
  assert.match(query.output.stdout, /"createMessage":\{"id":"[^"]+","room":"lobby","text":"hello","createdAt":"[^"]+"\}/);
  // "subscription started" is said at start_ack: the one mutation sent after it arrives.
  assert.equal(await subscribe.done, 0, subscribe.output.stderr);
  assert.match(subscribe.output.stdout, /^\{"data":\{"onCreateMessage":\{"id":"[^"]+","room":"lobby","text":"hello","createdAt":"[^"]+"\}\}\}\n$/);

  // Events: the printed subscriber receives what the printed publish sends.
  const events = spawnShell(t, `${printed('events subscribe')} --count 1`, env);
  await events.waitFor(/subscribed to \/default\/\*/, 'stderr');
  // Said at subscribe_success: the one publish sent after it arrives.
  const publish = spawnShell(t, printed('events publish'), env);
  assert.equal(await publish.done, 0, publish.output.stderr);
  assert.equal(await events.done, 0, events.output.stderr);
  assert.equal(events.output.stdout, '{"text":"hello"}\n');
  serve.child.kill('SIGTERM');
  assert.equal(await serve.done, 0);
});

test('serve --template: the api key line, a first session that names the key made for the template, and the app answering the CLI', async (t) => {
  const template = fileURLToPath(new URL('../../examples/chat-app/template.yaml', import.meta.url));
  const serve = spawnShell(t, `${shellQuote(process.execPath)} ${shellQuote(CLI)} serve --port 0 --template ${shellQuote(template)}`, childEnv());
  await serve.waitFor(/^The page .*$/m, 'stderr');
  const key = /^api key: (da2-[a-z0-9]{26})$/m.exec(serve.output.stdout)?.[1];
  assert.ok(key, serve.output.stdout);
  assert.match(serve.output.stderr, /not emulated \(no local meaning\): TableRole \(AWS::IAM::Role\)/);
  assert.ok(serve.output.stderr.includes(`  First set APPSYNC_API_KEY to the key serve made for the template's AWS::AppSync::ApiKey (the "api key:" line; the commands read it): export APPSYNC_API_KEY=${key}\n`), serve.output.stderr);
  const url = /^HTTP: (\S+)$/m.exec(serve.output.stdout)?.[1] ?? '';
  const env = { ...childEnv(), APPSYNC_API_KEY: key };
  const node = `${shellQuote(process.execPath)} ${shellQuote(CLI)}`;
  const subscribe = spawnShell(t, `${node} subscribe ${url} 'subscription { onPost(room: "lobby") { room text } }' --count 1`, env);
  await subscribe.waitFor(/subscription started/, 'stderr');
  const post = spawnShell(t, `${node} query ${url} 'mutation { post(room: "lobby", text: "hi") { room text priority } }'`, env);
  assert.equal(await post.done, 0, post.output.stderr);
  assert.equal(await subscribe.done, 0, subscribe.output.stderr);
  assert.equal(subscribe.output.stdout, '{"data":{"onPost":{"room":"lobby","text":"hi"}}}\n');
  serve.child.kill('SIGTERM');
  assert.equal(await serve.done, 0);
});

test("serve --template with an Events API: the printed events lines use the template's first namespace, and work", async (t) => {
  const template = fileURLToPath(new URL('../../test/fixtures/events-handlers/template.yaml', import.meta.url));
  const serve = spawnShell(t, `${shellQuote(process.execPath)} ${shellQuote(CLI)} serve --port 0 --template ${shellQuote(template)}`, childEnv());
  await serve.waitFor(/^The page .*$/m, 'stderr');
  const key = /^api key: (da2-[a-z0-9]{26})$/m.exec(serve.output.stdout)?.[1];
  assert.ok(key, serve.output.stdout);
  const printed = (command: string): string => {
    const match = new RegExp(`^  npx appsync-websockets (${command} .*)$`, 'm').exec(serve.output.stderr);
    assert.ok(match, `serve printed no ${command} line: ${serve.output.stderr}`);
    return `${shellQuote(process.execPath)} ${shellQuote(CLI)} ${match[1] ?? ''}`;
  };
  const env = { ...childEnv(), APPSYNC_API_KEY: key };
  const events = spawnShell(t, `${printed('events subscribe')} --count 1`, env);
  await events.waitFor(/subscribed to \/chat\/\*/, 'stderr');
  const publish = spawnShell(t, printed('events publish'), env);
  assert.equal(await publish.done, 0, publish.output.stderr);
  assert.equal(await events.done, 0, events.output.stderr);
  assert.match(events.output.stdout, /^\{"text":"HELLO",/);
  serve.child.kill('SIGTERM');
  assert.equal(await serve.done, 0);
});

test('serve: the template-only flags without --template, --data-dir with --dynamodb-endpoint, and a --dynamodb-endpoint without AWS credentials are usage errors', async (t) => {
  for (const [args, pattern] of [
    [['--data-dir', 'data'], /Expected --data-dir with --template/],
    [['--dynamodb-endpoint', 'http://127.0.0.1:8000'], /Expected --dynamodb-endpoint with --template/],
    [['--parameter', 'Stage=dev'], /Expected --parameter with --template/],
    [['--lambda', 'Fn=handler.mjs#handler'], /Expected --lambda with --template/],
    [['--template', 'template.yaml', '--data-dir', 'data', '--dynamodb-endpoint', 'http://127.0.0.1:8000'], /Expected --data-dir or --dynamodb-endpoint, not both/],
    // No AWS credentials in the child's environment: the SDK's own error would name no way out.
    [['--template', fileURLToPath(new URL('../../examples/chat-app/template.yaml', import.meta.url)), '--dynamodb-endpoint', 'http://127.0.0.1:9'], /--dynamodb-endpoint\) are signed with the AWS SDK's credential chain, which found no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/],
  ] as const) {
    const end = await cli(t, ['serve', '--port', '0', ...args]).done;
    assert.equal(end.code, EXIT.USAGE, end.stderr);
    assert.match(end.stderr, pattern);
  }
});
