/**
 * The same AppSyncLink under Apollo Client 3 (the root has Apollo 4): the library is installed,
 * as an app would have it, into a scratch app whose `@apollo/client` is the 3.x of
 * test/fixtures/apollo3 (installed from its own lock by `npm test`'s pretest), and a script run
 * there subscribes, mutates, survives a drop and unsubscribes against the local AppSync.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const FIXTURE = join(ROOT, 'test/fixtures/apollo3/node_modules');
/** The library's runtime dependencies, taken from the root install. */
const DEPENDENCIES = ['ws', 'graphql', 'aws4fetch', '@smithy', '@aws-sdk', '@aws-crypto', 'commander', 'tslib'];

const SCRIPT = `
import { ApolloClient, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { AppSyncLink } from 'appsync-websockets/apollo';
import { AppSyncApiKeyAuthentication } from 'appsync-websockets';
import { CHAT_SCHEMA, startLocalAppSync } from 'appsync-websockets/testing';
import { createRequire } from 'node:module';
const version = createRequire(import.meta.url)('@apollo/client/package.json').version;
const server = await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { apiKeys: ['da2-apollo3'] } });
let resubscribed = 0;
const link = new AppSyncLink({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: 'da2-apollo3' }), retry: { baseDelayMs: 1, maxDelayMs: 2 }, onResubscribed: () => resubscribed++ });
const apollo = new ApolloClient({ link, cache: new InMemoryCache() });
const texts = [];
const errors = [];
const until = async (check) => { for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10)); if (!check()) throw new Error('timed out'); };
const subscription = apollo.subscribe({ query: gql\`subscription { onCreateMessage(room: "r") { id text } }\` }).subscribe({
  next: (result) => texts.push(result.data.onCreateMessage.text),
  error: (error) => errors.push(String(error)),
});
const mutate = (text) => apollo.mutate({ mutation: gql\`mutation($text: String!) { createMessage(room: "r", text: $text) { id room text } }\`, variables: { text } });
await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
await until(() => link.client.sockets[0]?.transport.state === 'connected');
await mutate('one');
await until(() => texts.length === 1);
server.realtime.dropConnections();
await until(() => resubscribed === 1);
await mutate('two');
await until(() => texts.length === 2);
subscription.unsubscribe();
await server.realtime.waitFor(() => server.realtime.subscriptions.length === 0);
const stops = server.realtime.received.filter((f) => f.message?.type === 'stop').length;
await link.client.close();
await server.close();
console.log(JSON.stringify({ version, texts, errors, stops }));
`;

test('Apollo Client 3 + AppSyncLink: subscribe, mutate, survive a drop, unsubscribe sends stop', async (t) => {
  const app = mkdtempSync(join(tmpdir(), 'appsync-websockets-apollo3-'));
  t.after(() => rmSync(app, { recursive: true, force: true }));
  const modules = join(app, 'node_modules');
  const lib = join(modules, 'appsync-websockets');
  mkdirSync(lib, { recursive: true });
  // A copy, not a link: the library must resolve @apollo/client from the app, as when installed.
  writeFileSync(join(lib, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  cpSync(join(ROOT, 'dist/src'), join(lib, 'dist/src'), { recursive: true });
  for (const name of DEPENDENCIES) {
    try {
      symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
    } catch {
      // Not installed at the root (an optional one): nothing to link.
    }
  }
  symlinkSync(join(FIXTURE, '@apollo'), join(modules, '@apollo'));
  writeFileSync(join(app, 'package.json'), '{"type":"module"}');
  writeFileSync(join(app, 'run.mjs'), SCRIPT);
  const stdout = await new Promise<string>((resolvePromise, reject) => {
    execFile(process.execPath, ['run.mjs'], { cwd: app, timeout: 60_000 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolvePromise(out)));
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { version: string; texts: string[]; errors: string[]; stops: number };
  assert.match(result.version, /^3\./);
  assert.deepEqual(result.texts, ['one', 'two']);
  assert.deepEqual(result.errors, []);
  assert.equal(result.stops, 1);
});
