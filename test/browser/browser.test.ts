/**
 * The library in a real browser: headless Chromium (Debian's, see `chromium.ts`) opens the local
 * AppSync's live page, which loads the standalone browser bundle (`dist/browser/`, built by
 * `npm run build` with the `browser` condition: no `ws`, no `process`, no `Buffer`). In the page:
 * a subscription receives mutations sent over HTTP, survives a server-side drop (reconnects and
 * resubscribes), IAM signs with WebCrypto, checked by the server recomputing the signatures, and
 * documents are checked and printed without a graphql of the page's own.
 *
 * One server and one browser for the file; the tests run in order on one page.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHAT_SCHEMA, startLocalAppSync, type LocalAppSync } from '../../src/testing/index.js';
import { API_KEY } from '../helpers.js';
import { launchChromium } from './chromium.js';

const ACCESS_KEY_ID = 'AKIABROWSERTEST00001';
const SECRET_ACCESS_KEY = 'SECRETbrowserKEY/0123456789abcdefghijklmn';
const REGION = 'eu-west-1';
/** Longest wait for anything the page should show; far above what it takes (tens of ms). */
const WAIT_MS = 5000;

/** What the live page puts on `window` (see src/testing/live-page.ts). */
interface LivePageWindow {
  appsyncChat: {
    transport: { state: string };
    lib: typeof import('../../src/index.js');
  };
  iamNext?: Promise<unknown>;
  astNext?: Promise<unknown>;
}

describe('in headless Chromium', () => {
  let server: LocalAppSync;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let launchError: unknown;

  before(async () => {
    server = await startLocalAppSync({
      schema: CHAT_SCHEMA,
      // ka frames often enough that a page learns their interval within the wake-up test.
      keepAliveIntervalMs: 100,
      auth: { apiKeys: [API_KEY], iam: { credentials: { [ACCESS_KEY_ID]: { secretAccessKey: SECRET_ACCESS_KEY } } } },
    });
    try {
      browser = await launchChromium();
    } catch (error) {
      // Thrown again by every test, so each one fails (a failing hook would only cancel them).
      launchError = error;
      return;
    }
    page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  beforeEach(() => {
    if (launchError !== undefined) throw launchError;
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Waits for the page's connection badge to read `state`. */
  async function stateIs(state: string): Promise<void> {
    await page.waitForFunction((s) => document.getElementById('state')?.dataset.state === s, state, { timeout: WAIT_MS }).catch((error: unknown) => {
      throw new Error(`the page's state did not become "${state}"; page errors: ${JSON.stringify(pageErrors)}`, { cause: error });
    });
  }

  /** The list as `#room text` lines (the time is left out: it depends on the locale). */
  async function messageLines(): Promise<string[]> {
    return page
      .locator('#messages li:not(.empty)')
      .evaluateAll((items) => items.map((li) => `${li.querySelector('.room')?.textContent} ${li.lastChild?.textContent}`));
  }

  async function waitForMessage(text: string): Promise<void> {
    await page.locator('#messages li', { hasText: text }).waitFor({ timeout: WAIT_MS });
  }

  test('the live page subscribes, a message sent from the page over HTTP arrives through the subscription; screenshot', async (t) => {
    await page.goto(`http://${server.host}/?apiKey=${API_KEY}`);
    await stateIs('connected');
    await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1, WAIT_MS);
    assert.deepEqual(await page.evaluate(() => [typeof process, typeof Buffer]), ['undefined', 'undefined']);

    await page.fill('#room', 'lobby');
    await page.fill('#text', 'hello from Chromium');
    await page.click('#submit');
    await waitForMessage('hello from Chromium');
    await server.mutate('mutation { createMessage(room: "random", text: "sent by the test") { id room text createdAt } }');
    await waitForMessage('sent by the test');

    const dir = await mkdtemp(join(tmpdir(), 'appsync-websockets-browser-'));
    const screenshot = join(dir, 'live-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);

    assert.equal(await page.textContent('#state'), 'connected');
    assert.deepEqual(await messageLines(), ['#lobby hello from Chromium', '#random sent by the test']);
    assert.equal(await page.inputValue('#text'), '', 'the input is cleared after sending');
    assert.deepEqual(pageErrors, []);
  });

  test('survives a server-side drop: reconnects, resubscribes, and a later mutation still arrives', async () => {
    const before = server.realtime.connections;
    server.realtime.dropConnections();
    await stateIs('reconnecting');
    await stateIs('connected');
    await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1, WAIT_MS);
    assert.notDeepEqual(server.realtime.connections, before, 'a new connection');
    await server.mutate('mutation { createMessage(room: "lobby", text: "after the drop") { id room text createdAt } }');
    await waitForMessage('after the drop');
    assert.equal(await page.textContent('#state'), 'connected');
    assert.match((await page.textContent('#log')) ?? '', /reconnected; subscription started again/);
    assert.deepEqual((await messageLines()).at(-1), '#lobby after the drop');
    assert.deepEqual(pageErrors, []);
  });

  test('IAM in the page: SigV4 with WebCrypto over WebSocket and HTTP, verified by the server', async () => {
    const url = server.url;
    const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY };
    const startsBefore = server.realtime.received.filter((f) => f.message?.type === 'start').length;
    await page.evaluate(
      async ({ url, credentials, region }) => {
        const w = window as unknown as LivePageWindow;
        const { AppSyncIAMAuthentication, AppSyncWebsocketsTransport } = w.appsyncChat.lib;
        const transport = new AppSyncWebsocketsTransport({ url, auth: new AppSyncIAMAuthentication({ credentials, region }), retry: false });
        await transport.connect();
        const results = transport.subscribe('subscription { onCreateMessage(room: "iam") { room text } }');
        w.iamNext = results.next().then(async (next) => {
          await results.return?.();
          await transport.close();
          return next.value;
        });
      },
      { url, credentials, region: REGION },
    );
    await server.realtime.waitFor(() => server.realtime.subscriptions.length === 2, WAIT_MS);
    const start = server.realtime.received.filter((f) => f.message?.type === 'start')[startsBefore];
    const authorization = (start?.message?.payload as { extensions?: { authorization?: Record<string, string> } })?.extensions?.authorization;
    assert.match(authorization?.Authorization ?? '', new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${REGION}/appsync/aws4_request, SignedHeaders=accept;content-encoding;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$`));

    // The mutation goes over HTTP from the page, signed too; the server rejects a bad signature with 401.
    const delivered = await page.evaluate(
      async ({ url, credentials, region }) => {
        const w = window as unknown as LivePageWindow;
        const { AppSyncHttpTransport, AppSyncIAMAuthentication } = w.appsyncChat.lib;
        const http = new AppSyncHttpTransport({ url, auth: new AppSyncIAMAuthentication({ credentials, region }) });
        await http.execute('mutation { createMessage(room: "iam", text: "signed in the browser") { id room text } }');
        return w.iamNext;
      },
      { url, credentials, region: REGION },
    );
    assert.deepEqual(delivered, { data: { onCreateMessage: { room: 'iam', text: 'signed in the browser' } } });

    // A wrong secret: the server recomputes the signature and refuses the handshake.
    const refused = await page.evaluate(
      async ({ url, region }) => {
        const { AppSyncIAMAuthentication, AppSyncWebsocketsTransport } = (window as unknown as LivePageWindow).appsyncChat.lib;
        const auth = new AppSyncIAMAuthentication({ credentials: { accessKeyId: 'AKIABROWSERTEST00001', secretAccessKey: 'wrong-secret' }, region });
        const transport = new AppSyncWebsocketsTransport({ url, auth, retry: false });
        try {
          await transport.connect();
          return 'connected';
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        } finally {
          await transport.close();
        }
      },
      { url, region: REGION },
    );
    assert.match(refused, /^TransportServerError: The server refused the connection: UnauthorizedException: The request signature we calculated does not match/);
    assert.deepEqual(pageErrors, []);
  });

  test('without auth, a browser gets an error that says what to pass (no default credential chain), not a crash', async () => {
    const message = await page.evaluate(async (url) => {
      const { AppSyncWebsocketsTransport } = (window as unknown as LivePageWindow).appsyncChat.lib;
      const transport = new AppSyncWebsocketsTransport({ url, retry: false });
      try {
        await transport.connect();
        return 'connected';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      } finally {
        await transport.close();
      }
    }, server.url);
    assert.equal(
      message,
      'TransportAuthError: No `auth` was given, and its default, AWS_IAM with the AWS SDK default credential chain, does not exist in browsers. ' +
        'Pass `auth`: AppSyncApiKeyAuthentication, AppSyncJWTAuthentication, AppSyncLambdaAuthentication, or AppSyncIAMAuthentication with `credentials` (e.g. from Cognito identity pools) and `region`.',
    );
  });

  test('documents in the page: a syntax error names line and column, a DocumentNode is printed and delivered; IAM without a region says to pass one', async () => {
    const startsBefore = server.realtime.received.filter((f) => f.message?.type === 'start').length;
    const local = await page.evaluate(
      async ({ url, apiKey, credentials }) => {
        const w = window as unknown as LivePageWindow;
        const { AppSyncApiKeyAuthentication, AppSyncIAMAuthentication, AppSyncWebsocketsTransport } = w.appsyncChat.lib;
        const transport = new AppSyncWebsocketsTransport({ url, auth: new AppSyncApiKeyAuthentication({ apiKey }), retry: false });
        await transport.connect();
        let syntax = 'accepted';
        try {
          transport.subscribe('subscription {\n  onCreateMessage { id ');
        } catch (error) {
          syntax = `${(error as Error).name}: ${(error as Error).message}`;
        }
        // A DocumentNode as graphql's parse() builds it (the page itself has no graphql).
        const name = (value: string) => ({ kind: 'Name', value });
        const text = { kind: 'Field', name: name('text') };
        const onCreateMessage = {
          kind: 'Field',
          name: name('onCreateMessage'),
          arguments: [{ kind: 'Argument', name: name('room'), value: { kind: 'StringValue', value: 'ast' } }],
          selectionSet: { kind: 'SelectionSet', selections: [text] },
        };
        const document = {
          kind: 'Document',
          definitions: [{ kind: 'OperationDefinition', operation: 'subscription', name: name('FromAst'), selectionSet: { kind: 'SelectionSet', selections: [onCreateMessage] } }],
        };
        const results = transport.subscribe(document as never);
        w.astNext = results.next().then(async (next) => {
          await transport.close();
          return next.value;
        });
        const iam = new AppSyncWebsocketsTransport({ url, auth: new AppSyncIAMAuthentication({ credentials }), retry: false });
        const noRegion = await iam.connect().then(
          () => 'connected',
          (error: Error) => `${error.name}: ${error.message}`,
        );
        await iam.close();
        return { syntax, noRegion };
      },
      { url: server.url, apiKey: API_KEY, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY } },
    );
    assert.equal(local.syntax, 'TransportDocumentError: Expected a valid GraphQL document, but it does not parse: Syntax Error: Expected "}", found <EOF> (line 2, column 24).');
    assert.equal(
      local.noRegion,
      'TransportAuthError: AWS_IAM auth needs the API\'s region to sign, but host "' + new URL(server.url).host +
        '" does not name one (custom domain or local server) and a browser has no AWS config. Pass `region` to AppSyncIAMAuthentication.',
    );
    await server.realtime.waitFor(() => server.realtime.received.filter((f) => f.message?.type === 'start').length > startsBefore, WAIT_MS);
    const start = server.realtime.received.filter((f) => f.message?.type === 'start')[startsBefore];
    const data = JSON.parse(String((start?.message?.payload as { data?: string })?.data)) as { query: string };
    assert.equal(data.query, 'subscription FromAst {\n  onCreateMessage(room: "ast") {\n    text\n  }\n}');
    await server.realtime.waitFor(() => server.realtime.subscriptions.some((sub) => JSON.stringify(sub.args) === '{"room":"ast"}'), WAIT_MS);
    server.realtime.publish('onCreateMessage', { id: 'a1', room: 'ast', text: 'printed in the page' });
    assert.deepEqual(await page.evaluate(() => (window as unknown as LivePageWindow).astNext), { data: { onCreateMessage: { text: 'printed in the page' } } });
    assert.deepEqual(pageErrors, []);
  });
  test('the page shows "live" at start_ack; a half-open socket is found when the page becomes visible again, and replaced', async () => {
    await page.waitForFunction(() => document.getElementById('live')?.dataset.live === 'yes', undefined, { timeout: WAIT_MS });
    assert.equal(await page.textContent('#live'), 'live');
    await page.evaluate(async (url) => {
      const w = window as unknown as LivePageWindow & { wake?: { resubscribed: Promise<void>; checks: unknown[] } };
      const { AppSyncApiKeyAuthentication, AppSyncWebsocketsTransport } = w.appsyncChat.lib;
      const transport = new AppSyncWebsocketsTransport({ url, auth: new AppSyncApiKeyAuthentication({ apiKey: 'da2-SECRETAPIKEY0123456789abcdef' }), livenessTimeoutMs: 300 });
      const checks: unknown[] = [];
      transport.on('liveness', (check) => checks.push(check));
      await transport.connect();
      let resubscribed!: () => void;
      const results = transport.subscribe('subscription { onCreateMessage(room: "wake") { text } }', { onResubscribed: () => resubscribed() });
      w.wake = { resubscribed: new Promise<void>((resolve) => (resubscribed = resolve)), checks };
      await results.started;
      // A few ka frames: without a ping, a check waits for the interval they arrive at.
      await new Promise((resolve) => setTimeout(resolve, 450));
    }, server.url);
    const startsBefore = server.realtime.received.filter((f) => f.message?.type === 'start').length;
    server.realtime.freezeConnections();
    // What a browser does when the tab comes back (headless pages are always visible).
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    const checks = await page.evaluate(async () => {
      const w = window as unknown as { wake: { resubscribed: Promise<void>; checks: unknown[] } };
      await w.wake.resubscribed;
      return w.wake.checks;
    });
    assert.deepEqual(checks, [{ reason: 'the page became visible', alive: false }]);
    const starts = server.realtime.received.filter((f) => f.message?.type === 'start').slice(startsBefore);
    assert.ok(starts.some((f) => String((f.message?.payload as { data?: string })?.data).includes('room: \\"wake')), 'started again on a new socket');
    assert.deepEqual(pageErrors, []);
  });

  test('IAM offline: the signer chunk failing to load is a TransportAuthError for each signature waiting on it, no page error; online again, it loads and signs', async () => {
    // A page of its own: the one above has loaded the chunk already.
    const fresh = await browser.newPage();
    const errors: string[] = [];
    fresh.on('pageerror', (error) => errors.push(String(error)));
    try {
      await fresh.goto(`http://${server.host}/?apiKey=${API_KEY}`);
      await fresh.waitForFunction(() => (window as unknown as Partial<LivePageWindow>).appsyncChat?.lib !== undefined, undefined, { timeout: WAIT_MS });
      let aborted = 0;
      const chunk = /\/chunks\/sigv4-[^/]*\.js$/;
      await fresh.route(chunk, (route) => (aborted++, route.abort('internetdisconnected')));
      const sign = () =>
        fresh.evaluate(async ([id, secret, region]) => {
          const { AppSyncIAMAuthentication } = (window as unknown as LivePageWindow).appsyncChat.lib;
          const auth = new AppSyncIAMAuthentication({ region, credentials: { accessKeyId: id, secretAccessKey: secret } });
          const request = { host: 'api.example.com', path: '/graphql', body: '{}' };
          const settle = (p: Promise<Record<string, string>>) => p.then((h) => (/Signature=[0-9a-f]{64}$/.test(h.Authorization ?? '') ? 'signed' : 'unsigned'), (e: Error) => `${e.name}: ${e.message}`);
          return Promise.all([settle(auth.getHeaders(request)), settle(auth.getHeaders(request))]);
        }, [ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION] as const);
      const offline = 'TransportAuthError: AWS_IAM auth could not load its SigV4 signer (`aws4fetch`, loaded at the first signature): a page may be offline or not serve the chunk, or the package lacks its dependencies (reinstall it). It is tried again at the next signature; the original error is in `cause`.';
      assert.deepEqual(await sign(), [offline, offline]);
      assert.equal(aborted, 1, 'one load for both signatures');
      await fresh.unroute(chunk);
      assert.deepEqual(await sign(), ['signed', 'signed'], 'Chromium fetches a module again after a failed dynamic import');
      assert.deepEqual(errors, []);
    } finally {
      await fresh.close();
    }
  });
});
