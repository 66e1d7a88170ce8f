/**
 * `watch`: an edit to the template is served at once, over the same connections and
 * subscriptions; a broken edit is reported and the last good version keeps serving; a schema
 * edit is served too. Real files, real fs.watch, the Client over real sockets.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppSyncApiKeyAuthentication, Client } from '../src/index.js';
import { startLocalAppSync, type TemplateReload } from '../src/testing/index.js';

const CHAT = fileURLToPath(new URL('../../examples/chat-app/template.yaml', import.meta.url));

test('watch: edits are served over live connections; a broken edit keeps the last good version; a schema edit is served', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'appsync-watch-'));
  const file = join(dir, 'template.yaml');
  copyFileSync(CHAT, file);
  const outcomes: TemplateReload[] = [];
  let told: (() => void) | undefined;
  const nextReload = () => new Promise<TemplateReload>((resolve) => (told = () => resolve(outcomes[outcomes.length - 1] as TemplateReload)));
  const server = await startLocalAppSync({
    template: file,
    watch: true,
    onReload: (outcome) => {
      outcomes.push(outcome);
      told?.();
    },
  });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? '' }), retry: false });
  t.after(async () => {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const edit = (from: string, to: string) => {
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(from), `control: ${from} is in the template`);
    writeFileSync(file, text.replace(from, to));
  };

  // The mutations select room and priority: the subscription resolver's filter reads them in what the mutation selected.
  const posts = client.subscribe<{ onPost: { text: string } }>('subscription { onPost(room: "lobby") { text } }');
  await posts.started;
  let reloaded = nextReload();
  edit('const item = { text, priority', 'const item = { text: text.toUpperCase(), priority');
  assert.deepEqual(await reloaded, { ok: true, resolvers: 3, schemaChanged: false });
  await client.execute('mutation { post(room: "lobby", text: "after the edit") { id room text priority } }');
  assert.deepEqual((await posts.next()).value, { data: { onPost: { text: 'AFTER THE EDIT' } } }, 'the subscription made before the reload receives what the new code wrote');
  assert.equal(server.realtime.connections.length, 1);

  reloaded = nextReload();
  edit("export const response = (ctx) => ctx.result;", 'export const response = (ctx) => ctx.result;;; export function (');
  const broken = await reloaded;
  assert.equal(broken.ok, false);
  assert.match(broken.ok ? '' : broken.error.message, /template\.yaml:\d+: resource PostResolver: the code does not parse, so AppSync would refuse to deploy it/);
  await client.execute('mutation { post(room: "lobby", text: "still served") { id room text priority } }');
  assert.deepEqual((await posts.next()).value, { data: { onPost: { text: 'STILL SERVED' } } }, 'the last good version keeps serving');

  reloaded = nextReload();
  edit('export const response = (ctx) => ctx.result;;; export function (', 'export const response = (ctx) => ctx.result;');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('          sentAt: AWSDateTime!\n', '          sentAt: AWSDateTime!\n          shout: String\n').replace('const item = { text: text.toUpperCase(), priority', "const item = { text, shout: text.toUpperCase() + '!', priority"));
  assert.deepEqual(await reloaded, { ok: true, resolvers: 3, schemaChanged: true });
  const made = await client.execute<{ post: { text: string; shout: string } }>('mutation { post(room: "lobby", text: "new field") { room text priority shout } }');
  assert.deepEqual(made.data, { post: { room: 'lobby', text: 'new field', priority: 1, shout: 'NEW FIELD!' } });
  assert.deepEqual((await posts.next()).value, { data: { onPost: { text: 'new field' } } });
  const stored = await client.execute<{ messages: { items: { text: string }[] } }>('{ messages(room: "lobby") { items { text } } }');
  assert.equal(stored.data?.messages.items.length, 3, 'the DynamoDB data outlives the reloads');
});
