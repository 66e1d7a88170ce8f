/** Shared test helpers: a local AppSync per test, a transport bound to it, and waiting. */
import type { TestContext } from 'node:test';
import {
  AppSyncApiKeyAuthentication,
  AppSyncWebsocketsTransport,
  Client,
  type AppSyncAuthentication,
  type AppSyncWebsocketsTransportOptions,
} from '../src/index.js';
import { startLocalAppSync, type LocalAppSync, type LocalAppSyncOptions } from '../src/testing/index.js';

export const API_KEY = 'da2-SECRETAPIKEY0123456789abcdef';

/** A local AppSync on 127.0.0.1:0, closed when the test ends. */
export async function localServer(t: TestContext, options: LocalAppSyncOptions = {}): Promise<LocalAppSync> {
  const server = await startLocalAppSync({ auth: { apiKeys: [API_KEY] }, ...options });
  t.after(() => server.close());
  return server;
}

/** A template's local AppSync and a Client on its first API key (no retry), both closed when the test ends. */
export async function templateServer(t: TestContext, template: string): Promise<{ server: LocalAppSync; client: Client; apiKey: string }> {
  const server = await startLocalAppSync({ template });
  const apiKey = server.apiKeys[0] ?? '';
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey }), retry: false });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, apiKey };
}

/**
 * A maker of Clients on `server` (no retry); when the test ends they are closed, then the server.
 * Call it before anything else registers a `t.after` that needs the server.
 */
export function clientsOf(t: TestContext, server: LocalAppSync): (auth: AppSyncAuthentication) => Client {
  const clients: Client[] = [];
  t.after(async () => {
    for (const client of clients) await client.close();
    await server.close();
  });
  return (auth) => {
    const client = new Client({ url: server.url, auth, retry: false });
    clients.push(client);
    return client;
  };
}

/** A transport with API-key auth and no retry (the core behaviour), closed when the test ends. */
export function transportFor(
  t: TestContext,
  server: LocalAppSync,
  options: Partial<AppSyncWebsocketsTransportOptions> = {},
): AppSyncWebsocketsTransport {
  const transport = new AppSyncWebsocketsTransport({
    url: server.url,
    auth: new AppSyncApiKeyAuthentication({ apiKey: API_KEY }),
    retry: false,
    ...options,
  });
  t.after(() => transport.close());
  return transport;
}

/** Reads `count` results from an iterator. */
export async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

/** The error an iterator ends with (fails the test if it ends without one). */
export async function errorOf(iterator: AsyncIterator<unknown>): Promise<unknown> {
  for (;;) {
    try {
      const next = await iterator.next();
      if (next.done) throw new Error('expected the iterator to throw, but it ended');
    } catch (error) {
      return error;
    }
  }
}

/** Waits until the server has `count` active subscriptions. */
export function subscriptionsOnServer(server: LocalAppSync, count: number): Promise<void> {
  return server.realtime.waitFor(() => server.realtime.subscriptions.length === count);
}

/** The received frames of a type, parsed. */
export function framesOfType(server: LocalAppSync, type: string): Record<string, unknown>[] {
  return server.realtime.received.filter((f) => f.message?.type === type).map((f) => f.message as Record<string, unknown>);
}

/** Resolves at the next emission of an event. */
export function nextEvent<T>(on: (listener: (payload: T) => void) => () => void): Promise<T> {
  return new Promise((resolve) => {
    const off = on((payload) => {
      off();
      resolve(payload);
    });
  });
}

export const SUBSCRIPTION = 'subscription OnCreateMessage { onCreateMessage { id text } }';

/** Waits for a condition on the client's side (the server's waitFor only sees server events). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`until: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** mulberry32: a small seeded PRNG, so that a fuzz run sends the same frames every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Code to put first in a child process's ES module script: `await awsPackagesLoaded()` then
 * counts the modules of the signer and the AWS SDK (aws4fetch, @smithy, @aws-sdk, @aws-crypto)
 * loaded so far, ES modules (seen by a resolve hook) and CommonJS (`require.cache`) alike.
 * Resolutions are posted in order, so once a fresh marker module's arrives, every earlier one has.
 */
export const AWS_PACKAGE_COUNTER = `
  import { createRequire, register } from 'node:module';
  import { MessageChannel } from 'node:worker_threads';
  const AWS_PACKAGE = /[\\\\/]node_modules[\\\\/](aws4fetch|@smithy|@aws-sdk|@aws-crypto)[\\\\/]/;
  const { port1, port2 } = new MessageChannel();
  const resolved = [];
  const waiting = new Map();
  port1.on('message', (url) => { resolved.push(url); waiting.get(url)?.(); });
  const hooks = 'let port; export function initialize(data) { port = data.port; } ' +
    'export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }';
  register('data:text/javascript,' + encodeURIComponent(hooks), { data: { port: port2 }, transferList: [port2] });
  const cjs = createRequire(import.meta.url).cache;
  let markers = 0;
  globalThis.awsPackagesLoaded = async () => {
    const marker = 'data:text/javascript,export%20default%20' + (markers += 1);
    const arrived = new Promise((resolve) => waiting.set(marker, resolve));
    await import(marker);
    await arrived;
    return resolved.filter((url) => AWS_PACKAGE.test(url)).length + Object.keys(cjs).filter((k) => AWS_PACKAGE.test(k)).length;
  };
  globalThis.stopCounting = () => port1.close();
`;
