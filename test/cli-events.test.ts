/**
 * `events subscribe`, `events publish` and the Events part of `serve` and `demo`: the compiled
 * CLI (`main.js` next to this compiled test) as child processes, against a local AppSync with an
 * Events API started here (port 0, API-key auth). Processes run concurrently; help and usage
 * details run in-process.
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, test, type TestContext } from 'node:test';
import { AppSyncApiKeyAuthentication, AppSyncEventsClient } from '../src/index.js';
import { registerEvents } from '../src/cli/commands/events.js';
import type { CliIo } from '../src/cli/output.js';
import { runCli } from '../src/cli/program.js';
import type { LocalAppSync, LocalAppSyncOptions } from '../src/testing/index.js';
import { API_KEY, localServer } from './helpers.js';
import { assertNoSecrets, assertOneErrorLine, cli as runChild, jsonLines, type Running } from './cli-helpers.js';

const WRONG_KEY = 'da2-WRONGSECRETKEY-events-0123456789';
const SECRETS = [API_KEY, WRONG_KEY];

/** Starts the CLI with extra environment variables. */
function cli(t: TestContext, args: string[], env: Record<string, string> = {}): Running {
  return runChild(t, args, { env });
}

/** A local AppSync with API-key auth and the Events namespaces `default` and `chat`. */
function eventsServer(t: TestContext, options: LocalAppSyncOptions = {}): Promise<LocalAppSync> {
  return localServer(t, { events: { namespaces: ['default', 'chat'] }, ...options });
}

/** Waits until `count` Events subscriptions are live on the server (fails fast if a CLI exits). */
async function subscribed(server: LocalAppSync, count: number, ...runs: Running[]): Promise<void> {
  const early = runs.map((run) =>
    run.done.then((end) => {
      throw new Error(`the CLI exited (${end.code}) before subscribing; stderr: ${end.stderr}`);
    }),
  );
  await Promise.race([server.events.waitFor(() => server.events.subscriptions.length >= count, 10_000), ...early]);
}




/** `{successful, failed}` with the given successful indexes and nothing failed. */
function assertPublished(stdout: string, indexes: number[]): void {
  const [result, ...rest] = jsonLines(stdout) as [{ successful: { identifier: string; index: number }[]; failed: unknown[] }];
  assert.equal(rest.length, 0, 'one line');
  assert.deepEqual(result.successful.map((s) => s.index), indexes);
  assert.ok(result.successful.every((s) => typeof s.identifier === 'string' && s.identifier !== ''));
  assert.deepEqual(result.failed, []);
}

/** Received Events frames of a type. */
function framesOfType(server: LocalAppSync, type: string): Record<string, unknown>[] {
  return server.events.received.filter((f) => f.message?.type === type).map((f) => f.message as Record<string, unknown>);
}

describe('appsync-websockets events', { concurrency: true }, () => {
  test('subscribe: each event one JSON line; --count unsubscribes and exits 0; the key from APPSYNC_API_KEY', async (t) => {
    const server = await eventsServer(t);
    const exact = cli(t, ['events', 'subscribe', server.eventsUrl, '/chat/room1', '--count', '3'], { APPSYNC_API_KEY: API_KEY });
    const wildcard = cli(t, ['events', 'subscribe', server.eventsUrl, 'chat/*', '--api-key', API_KEY, '--count', '2', '--handshake-auth', 'query', '--no-retry']);
    await subscribed(server, 2, exact, wildcard);
    server.events.publish('/chat/room2', [{ only: 'the wildcard' }]);
    server.events.publish('/chat/room1', [{ text: 'hi' }, 'line\nbreak', 42, null]);
    const [one, all] = await Promise.all([exact.done, wildcard.done]);
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(jsonLines(one.stdout), [{ text: 'hi' }, 'line\nbreak', 42]);
    assert.equal(one.stdout.split('\n').length, 4, 'three lines and the final newline');
    assert.match(one.stderr, /^connecting to ws:\/\/127\.0\.0\.1:\d+\/event\/realtime\nconnected\nsubscribed to \/chat\/room1; waiting for events\nclosed\n$/);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(jsonLines(all.stdout), [{ only: 'the wildcard' }, { text: 'hi' }]);
    const channels = framesOfType(server, 'subscribe').map((f) => f.channel).sort();
    assert.deepEqual(channels, ['/chat/*', '/chat/room1']);
    assert.equal(framesOfType(server, 'unsubscribe').length, 2);
    await server.events.waitFor(() => server.events.connections.length === 0);
    for (const end of [one, all]) assertNoSecrets(end, SECRETS);
  });

  test('publish over the WebSocket (default) and over --http reaches a subscriber', async (t) => {
    const server = await eventsServer(t);
    const subscriber = cli(t, ['events', 'subscribe', server.eventsUrl, '/default/*', '--api-key', API_KEY, '--count', '8']);
    await subscribed(server, 1, subscriber);
    const [ws, http] = await Promise.all([
      // 7 events: two publishes of up to 5, indexes counting all of them.
      cli(t, ['events', 'publish', server.eventsUrl, '/default/a', '{"n":1}', '2', '"three"', '[4]', 'true', 'null', '{"n":7}', '--api-key', API_KEY]).done,
      cli(t, ['events', 'publish', server.eventsUrl, 'default/b/c', '{"via":"http"}', '--http'], { APPSYNC_API_KEY: API_KEY }).done,
    ]);
    assert.equal(ws.code, 0, ws.stderr);
    assertPublished(ws.stdout, [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(ws.stderr, '', 'quiet without --verbose');
    assert.equal(http.code, 0, http.stderr);
    assertPublished(http.stdout, [0]);
    assert.equal(http.stderr, '');
    const received = await subscriber.done;
    assert.equal(received.code, 0, received.stderr);
    const events = jsonLines(received.stdout);
    // Each publisher's events in its order; the two publishers may interleave.
    assert.deepEqual(events.filter((e) => JSON.stringify(e) !== '{"via":"http"}'), [{ n: 1 }, 2, 'three', [4], true, null, { n: 7 }]);
    assert.deepEqual(events.filter((e) => JSON.stringify(e) === '{"via":"http"}'), [{ via: 'http' }]);
    assert.deepEqual(
      server.events.publishes.map((p) => `${p.via} ${p.channel} ${p.events.length}`).sort(),
      ['http /default/b/c 1', 'websocket /default/a 2', 'websocket /default/a 5'],
    );
    for (const end of [ws, http, received]) assertNoSecrets(end, SECRETS);
  });

  test('errors: bad channel and bad JSON (2), wrong key (3), refused channel and failed events (5); one line, no secret', async (t) => {
    const server = await eventsServer(t, { events: { namespaces: ['default'], maxEventBytes: 64 } });
    const url = server.eventsUrl;
    const [badChannel, badWildcard, badJson, wrongKeyWs, wrongKeyHttp, wrongKeySubscribe, unknownNamespace, unknownNamespaceHttp, tooBig] = await Promise.all([
      cli(t, ['events', 'subscribe', url, '/default/room_1', '--api-key', API_KEY]).done,
      cli(t, ['events', 'publish', url, '/default/*', '1', '--api-key', API_KEY]).done,
      cli(t, ['events', 'publish', url, '/default/a', '{"ok":1}', `{"key":"${API_KEY}"`, '--api-key', API_KEY]).done,
      cli(t, ['events', 'publish', url, '/default/a', '1', '--api-key', WRONG_KEY]).done,
      cli(t, ['events', 'publish', url, '/default/a', '1', '--api-key', WRONG_KEY, '--http']).done,
      cli(t, ['events', 'subscribe', url, '/default/a', '--api-key', WRONG_KEY]).done,
      cli(t, ['events', 'subscribe', url, '/nope/a', '--api-key', API_KEY]).done,
      cli(t, ['events', 'publish', url, '/nope/a', '1', '--api-key', API_KEY, '--http']).done,
      cli(t, ['events', 'publish', url, '/default/a', '"small"', JSON.stringify('x'.repeat(100)), '--api-key', API_KEY]).done,
    ]);

    assert.equal(badChannel.code, 2);
    assertOneErrorLine(badChannel, /Segment 2 \("room_1"\) of channel "\/default\/room_1" contains "_", but segments may only contain letters, digits and hyphens/);
    assert.equal(badWildcard.code, 2);
    assertOneErrorLine(badWildcard, /Segment 2 \("\*"\) of channel "\/default\/\*" is the wildcard \*, but events are published to one concrete channel/);
    assert.equal(badJson.code, 2);
    assertOneErrorLine(badJson, /^appsync-websockets: Expected event argument 2 of 2 to be a JSON value .*, but it is not valid JSON/);

    for (const end of [wrongKeyWs, wrongKeyHttp, wrongKeySubscribe]) {
      assert.equal(end.code, 3, end.stderr);
      assert.equal(end.stdout, '');
    }
    assertOneErrorLine(wrongKeyWs, /The server refused the connection: UnauthorizedException: .*Check the credentials/);
    assertOneErrorLine(wrongKeyHttp, /^appsync-websockets: http:\/\/127\.0\.0\.1:\d+\/event .*the publish of 1 event to \/default\/a .*HTTP 401: UnauthorizedException/);
    const subscribeErrors = wrongKeySubscribe.stderr.split('\n').filter((line) => line.startsWith('appsync-websockets:'));
    assert.equal(subscribeErrors.length, 1, wrongKeySubscribe.stderr);
    assert.match(subscribeErrors[0] ?? '', /The server refused the connection: UnauthorizedException/);

    assert.equal(unknownNamespace.code, 5, unknownNamespace.stderr);
    assert.match(unknownNamespace.stderr, /\nclosed\nappsync-websockets: The server refused the subscription [\w-]+ \(\/nope\/a\): BadRequestException: Namespace 'nope' does not exist\.+\n$/);
    assert.equal(unknownNamespaceHttp.code, 5, unknownNamespaceHttp.stderr);
    assertOneErrorLine(unknownNamespaceHttp, /with HTTP 400: BadRequestException: Namespace 'nope' does not exist/);

    // Some events failed: the result is still printed, then exit 5.
    assert.equal(tooBig.code, 5, tooBig.stderr);
    const [result] = jsonLines(tooBig.stdout) as [{ successful: { index: number }[]; failed: { index: number }[] }];
    assert.deepEqual(result.successful.map((s) => s.index), [0]);
    assert.deepEqual(result.failed.map((f) => f.index), [1]);
    assertOneErrorLine(tooBig, /^appsync-websockets: 1 of 2 events failed: event 1: Event exceeds the maximum size of 64 bytes\. \(code 400\)\.$/);

    assert.equal(server.events.publishes.length, 1, 'only the publish with good arguments and a good key reached the server');
    for (const end of [badChannel, badWildcard, badJson, wrongKeyWs, wrongKeyHttp, wrongKeySubscribe, unknownNamespace, unknownNamespaceHttp, tooBig]) {
      assertNoSecrets(end, SECRETS);
      assert.doesNotMatch(end.stderr, /^\s+at /m, 'no stack trace without --verbose');
    }
  });

  test('subscribe: Ctrl-C (SIGINT) unsubscribes, closes and exits 130; SIGTERM exits 0', async (t) => {
    const server = await eventsServer(t);
    const interrupted = cli(t, ['events', 'subscribe', server.eventsUrl, '/default/a', '--api-key', API_KEY]);
    const terminated = cli(t, ['events', 'subscribe', server.eventsUrl, '/default/b', '--api-key', API_KEY]);
    await subscribed(server, 2, interrupted, terminated);
    interrupted.child.kill('SIGINT');
    terminated.child.kill('SIGTERM');
    const [sigint, sigterm] = await Promise.all([interrupted.done, terminated.done]);
    assert.equal(sigint.code, 130, sigint.stderr);
    assert.equal(sigint.signal, null, 'it exits by itself after closing, not by the signal');
    assert.match(sigint.stderr, /\nstopping \(SIGINT\)\nclosed\n$/);
    assert.equal(sigterm.code, 0, sigterm.stderr);
    assert.match(sigterm.stderr, /\nstopping \(SIGTERM\)\nclosed\n$/);
    assert.deepEqual(
      framesOfType(server, 'unsubscribe').map((f) => f.id).sort(),
      framesOfType(server, 'subscribe').map((f) => f.id).sort(),
    );
    await server.events.waitFor(() => server.events.connections.length === 0);
  });

  test('serve: prints the events URL, with --events-namespace; events publish reaches a library subscriber', async (t) => {
    const run = cli(t, ['serve', '--port', '0', '--api-key', API_KEY, '--events-namespace', 'chat']);
    const [, eventsUrl = ''] = await run.stdoutMatch(/^events: (\S+)\n/m);
    assert.match(eventsUrl, /^http:\/\/127\.0\.0\.1:\d+\/event$/);
    const client = new AppSyncEventsClient({ url: eventsUrl, auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }), retry: false });
    t.after(() => client.close());
    await client.connect();
    const events = client.subscribe('/chat/*');
    // Frames on one socket are handled in order: this publish comes after the subscription.
    await client.publish('/chat/first', ['live']);
    assert.deepEqual(await events.next(), { done: false, value: 'live' });
    const published = await cli(t, ['events', 'publish', eventsUrl, '/chat/room1', '{"from":"the CLI"}', '--http', '--api-key', API_KEY]).done;
    assert.equal(published.code, 0, published.stderr);
    assert.deepEqual(await events.next(), { done: false, value: { from: 'the CLI' } });
    // Only the namespaces asked for.
    const refused = await cli(t, ['events', 'publish', eventsUrl, '/default/a', '1', '--http', '--api-key', API_KEY]).done;
    assert.equal(refused.code, 5, refused.stderr);
    await client.close();
    run.child.kill('SIGTERM');
    const end = await run.done;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /^HTTP: http:\/\/127\.0\.0\.1:\d+\/graphql\nreal-time: ws:\/\/127\.0\.0\.1:\d+\/graphql\/realtime\nevents: http:\/\/127\.0\.0\.1:\d+\/event\npage: http:\/\/127\.0\.0\.1:\d+\/\n$/);
    assert.match(end.stderr, /^local AppSync listening \(schema: bundled chat schema; auth: 1 API key\), Events namespaces: chat\. Press Ctrl-C to stop\.\n/);
    assertNoSecrets(end, SECRETS);
    assertNoSecrets(published, SECRETS);
  });

  test('demo: also publishes one event through AppSync Events and exits 0', async (t) => {
    const end = await cli(t, ['demo']).done;
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /^received an event on \/default\/lobby: \{"text":"hello from AppSync Events"\}$/m);
    assert.equal(end.stderr, '');
  });
});

describe('appsync-websockets events, in-process', { concurrency: true }, () => {
  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const io: CliIo = { stdout, stderr, stdin: Object.assign(Readable.from([]), { isTTY: false }), env: {} };
    const code = await runCli(args, { commands: [registerEvents], io, version: '9.9.9' });
    return { code, stdout: out, stderr: err };
  }

  test('--help for both commands: usage, flags, exit codes', async () => {
    const [subscribe, publish, group] = await Promise.all([
      run(['events', 'subscribe', '--help']),
      run(['events', 'publish', '--help']),
      run(['events', '--help']),
    ]);
    assert.equal(subscribe.code, 0);
    assert.match(subscribe.stdout, /^Usage: appsync-websockets events subscribe \[options\] <url> <channel>/);
    for (const flag of ['--api-key', '--jwt', '--lambda-token', '--region', '--profile', '--count', '--handshake-auth', '--realtime-url', '--no-retry', '--verbose']) {
      assert.ok(subscribe.stdout.includes(flag), `subscribe --help lacks ${flag}`);
    }
    assert.equal(publish.code, 0);
    assert.match(publish.stdout, /^Usage: appsync-websockets events publish \[options\] <url> <channel> <event\.\.\.>/);
    assert.match(publish.stdout, /--http/);
    for (const help of [subscribe, publish, group]) assert.match(help.stdout, /Exit codes:\n {2}0 /);
    assert.match(group.stdout, /subscribe \[options\] <url> <channel>/);
    assert.match(group.stdout, /publish \[options\] <url> <channel> <event\.\.\.>/);
  });

  test('usage errors before anything is sent: missing events, --http with WebSocket flags, two auth modes', async () => {
    const url = 'http://127.0.0.1:1/event';
    const [noEvents, httpWithRealtime, twoModes, badCount] = await Promise.all([
      run(['events', 'publish', url, '/default/a']),
      run(['events', 'publish', url, '/default/a', '1', '--http', '--realtime-url', 'ws://127.0.0.1:1/event/realtime', '--api-key', 'k']),
      run(['events', 'publish', url, '/default/a', '1', '--api-key', 'k', '--jwt', 'j']),
      run(['events', 'subscribe', url, '/default/a', '--count', '0', '--api-key', 'k']),
    ]);
    for (const end of [noEvents, httpWithRealtime, twoModes, badCount]) {
      assert.equal(end.code, 2, end.stderr);
      assert.equal(end.stdout, '');
      assert.equal(end.stderr.trimEnd().split('\n').length, 1, end.stderr);
    }
    assert.match(noEvents.stderr, /missing required argument 'event'/);
    assert.match(httpWithRealtime.stderr, /--realtime-url is for the WebSocket, but --http publishes over HTTP/);
    assert.match(twoModes.stderr, /Expected one auth mode, but got --api-key and --jwt/);
    assert.match(badCount.stderr, /--count <n>.*Expected a whole number >= 1/);
  });
});
