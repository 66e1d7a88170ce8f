/**
 * React 19 + Apollo Client 4 + AppSyncLink in headless Chromium: a page bundled with esbuild
 * (the `browser` condition, as an app's bundler would) renders what `useSubscription` receives
 * from the local AppSync, survives a server-side drop, and is photographed.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CHAT_SCHEMA, startLocalAppSync } from '../../src/testing/index.js';
import { API_KEY } from '../helpers.js';
import { launchChromium } from './chromium.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

const APP = `
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApolloClient, InMemoryCache, gql } from '@apollo/client';
import { ApolloProvider, useSubscription } from '@apollo/client/react';
import { AppSyncLink } from './dist/src/apollo/index.js';
import { AppSyncApiKeyAuthentication } from './dist/src/index.js';

const params = new URLSearchParams(location.search);
const link = new AppSyncLink({ url: params.get('url'), auth: new AppSyncApiKeyAuthentication({ apiKey: params.get('apiKey') }), retry: { baseDelayMs: 10, maxDelayMs: 20 } });
link.client.on('connected', ({ reconnect }) => { document.body.dataset.connected = reconnect ? 'again' : 'yes'; });
const client = new ApolloClient({ link, cache: new InMemoryCache() });
const ON_CREATE = gql\`subscription { onCreateMessage(room: "react") { id text } }\`;

function Messages() {
  const [texts, setTexts] = useState([]);
  useSubscription(ON_CREATE, { onData: ({ data }) => setTexts((t) => [...t, data.data.onCreateMessage.text]) });
  return h('ul', { id: 'messages' }, texts.map((text, i) => h('li', { key: i }, text)));
}
createRoot(document.getElementById('root')).render(h(ApolloProvider, { client }, h('h1', null, 'AppSync + Apollo 4 + React 19'), h(Messages)));
`;

test('React 19 + Apollo Client 4 + AppSyncLink in Chromium: useSubscription renders mutation results, before and after a drop; screenshot', async (t) => {
  const bundle = await build({
    stdin: { contents: APP, resolveDir: ROOT, sourcefile: 'react-app.jsx', loader: 'jsx' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const page = createServer((req, res) => {
    if (req.url?.startsWith('/app.js')) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><div id="root"></div><script type="module" src="/app.js"></script>');
  });
  await new Promise<void>((done) => page.listen(0, '127.0.0.1', done));
  const server = await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { apiKeys: [API_KEY] } });
  const browser = await launchChromium();
  t.after(async () => {
    await browser.close();
    await server.close();
    page.close();
  });
  const tab = await browser.newPage({ viewport: { width: 600, height: 300 } });
  const pageErrors: string[] = [];
  tab.on('pageerror', (error) => pageErrors.push(String(error)));
  const { port } = page.address() as { port: number };
  await tab.goto(`http://127.0.0.1:${port}/?url=${encodeURIComponent(server.url)}&apiKey=${API_KEY}`);
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1, 10_000);
  await tab.waitForFunction(() => document.body.dataset.connected === 'yes', undefined, { timeout: 10_000 });
  await server.mutate('mutation { createMessage(room: "react", text: "rendered by React") { id room text } }');
  await tab.locator('#messages li', { hasText: 'rendered by React' }).waitFor({ timeout: 10_000 });

  server.realtime.dropConnections();
  await tab.waitForFunction(() => document.body.dataset.connected === 'again', undefined, { timeout: 10_000 });
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1, 10_000);
  await server.mutate('mutation { createMessage(room: "react", text: "after the drop") { id room text } }');
  await tab.locator('#messages li', { hasText: 'after the drop' }).waitFor({ timeout: 10_000 });

  const screenshot = join(await mkdtemp(join(tmpdir(), 'appsync-websockets-react-')), 'react.png');
  await tab.screenshot({ path: screenshot });
  t.diagnostic(`screenshot: ${screenshot}`);
  assert.deepEqual(await tab.locator('#messages li').allTextContents(), ['rendered by React', 'after the drop']);
  assert.equal(await tab.textContent('h1'), 'AppSync + Apollo 4 + React 19');
  assert.deepEqual(pageErrors, []);
});
