/**
 * The local AppSync's live page: `GET /` is a small chat on the bundled chat schema, run by the
 * library itself in the browser (`GET /appsync-websockets.js`, the standalone browser bundle
 * that `npm run build` writes to `dist/browser/`). A person sends messages over HTTP and sees the
 * subscription deliver them, with the connection state in view; it is also what the browser
 * tests drive in Chromium.
 *
 * The page authenticates with an API key: `?apiKey=…` in its URL, else `da2-local` (which a
 * server started without auth rules accepts, as it accepts anything); `?jwt=…` uses a JWT instead.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLSchema } from 'graphql';

/** What the page selects of each message, when the schema has the chat shape. */
export interface ChatShape {
  /** `id room text`, and `createdAt` when the message type has it. */
  fields: string[];
}

/**
 * Whether `schema` has what the page uses: `createMessage(room, text)` (any other argument
 * optional) and `onCreateMessage` (arguments optional) returning an object with `id`, `room`
 * and `text`. The bundled chat schema has it; `serve` says so when another schema does not. The
 * page makes the same check in the browser, by introspection.
 */
export function chatShape(schema: GraphQLSchema): ChatShape | undefined {
  const mutation = schema.getMutationType()?.getFields().createMessage;
  const subscription = schema.getSubscriptionType()?.getFields().onCreateMessage;
  if (mutation === undefined || subscription === undefined) return undefined;
  const names = mutation.args.map((a) => a.name);
  if (!names.includes('room') || !names.includes('text')) return undefined;
  if (mutation.args.some((a) => a.name !== 'room' && a.name !== 'text' && isNonNullType(a.type))) return undefined;
  if (subscription.args.some((a) => isNonNullType(a.type))) return undefined;
  const message = getNamedType(subscription.type);
  if (!isObjectType(message)) return undefined;
  const fields = message.getFields();
  const leaf = (name: string): boolean => fields[name] !== undefined && isLeafType(getNamedType(fields[name].type));
  if (!['id', 'room', 'text'].every(leaf)) return undefined;
  return { fields: ['id', 'room', 'text', ...(leaf('createdAt') ? ['createdAt'] : [])] };
}

/** Where the page loads the library from. */
export const LIVE_PAGE_BUNDLE_PATH = '/appsync-websockets.js';

/** dist/src/testing/live-page.js → dist/browser/ (also inside the published package). */
const BUNDLE_DIR = new URL('../../browser/', import.meta.url);

/** The bundle's lazily loaded chunks, beside it (`scripts/browser-build.mjs`). */
const CHUNK_PATH = /^\/chunks\/[A-Za-z0-9_.-]+\.js$/;

const files = new Map<string, Promise<Uint8Array>>();

function isBundlePath(path: string): boolean {
  return path === LIVE_PAGE_BUNDLE_PATH || CHUNK_PATH.test(path);
}

/** Whether `GET <url>` is the live page, its bundle or one of the bundle's chunks. */
export function isLivePageRequest(req: IncomingMessage): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  return path === '/' || path === '/index.html' || isBundlePath(path);
}

/** Answers a request {@link isLivePageRequest} accepted. */
export async function answerLivePage(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  if (!isBundlePath(path)) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : LIVE_PAGE_HTML);
    return;
  }
  // The path is checked above (no "..", no "/" inside a chunk name): it stays in BUNDLE_DIR.
  const file = new URL(`.${path}`, BUNDLE_DIR);
  let read = files.get(path);
  if (read === undefined) files.set(path, (read = readFile(file)));
  let body: Uint8Array;
  try {
    body = await read;
  } catch {
    files.delete(path); // built later: read it again next time
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      path === LIVE_PAGE_BUNDLE_PATH
        ? `The browser bundle ${decodeURIComponent(file.pathname)} is missing. Build it with \`npm run build\` (or \`node scripts/browser-build.mjs\` after tsc).\n`
        : `No chunk ${path} in ${decodeURIComponent(BUNDLE_DIR.pathname)}: the page holds a bundle older than the last build. Reload it.\n`,
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The page: plain HTML, CSS and one module script; no build step of its own. */
export const LIVE_PAGE_HTML = /* HTML */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local AppSync · live chat</title>
<link rel="icon" href="data:,">
<style>
  :root { font: 15px/1.45 system-ui, sans-serif; color: #1b1f24; background: #f4f6f8; }
  body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; }
  h1 { font-size: 1.3rem; margin: 0; }
  #state { padding: .2rem .7rem; border-radius: 1rem; font-weight: 600; background: #d0d7de; }
  #state[data-state="connected"] { background: #1f883d; color: #fff; }
  #state[data-state="connecting"], #state[data-state="reconnecting"] { background: #bf8700; color: #fff; }
  #state[data-state="closed"], #state[data-state="failed"] { background: #cf222e; color: #fff; }
  #live { padding: .2rem .7rem; border-radius: 1rem; font-weight: 600; background: #d0d7de; margin-left: .4rem; }
  #live[data-live="yes"] { background: #1f883d; color: #fff; }
  p.hint { color: #57606a; margin: .4rem 0 1rem; }
  form { display: flex; gap: .5rem; margin: 1rem 0; }
  input { font: inherit; padding: .45rem .6rem; border: 1px solid #afb8c1; border-radius: .4rem; }
  #room { width: 7rem; }
  #text { flex: 1; }
  button { font: inherit; padding: .45rem 1rem; border: 0; border-radius: .4rem; background: #0969da; color: #fff; cursor: pointer; }
  button:disabled { background: #8c959f; cursor: default; }
  #messages { list-style: none; padding: 0; margin: 0; background: #fff; border: 1px solid #d0d7de; border-radius: .5rem; min-height: 8rem; }
  #messages li { padding: .5rem .8rem; border-bottom: 1px solid #eaeef2; }
  #messages li:last-child { border-bottom: 0; }
  #messages .room { color: #0969da; font-weight: 600; margin-right: .5rem; }
  #messages time { float: right; color: #8c959f; font-size: .85em; }
  #messages .empty { color: #8c959f; }
  #log { color: #57606a; font-size: .85em; white-space: pre-wrap; margin-top: 1rem; }
</style>
</head>
<body>
<header>
  <h1>Local AppSync · live chat</h1>
  <span id="state" data-state="idle" role="status" aria-live="polite">loading…</span>
  <span id="live" data-live="no" role="status" aria-live="polite" title="onCreateMessage: acknowledged by the server (start_ack)">not live</span>
</header>
<p class="hint">Messages go out as the <code>createMessage</code> mutation over HTTP and come back through the
<code>onCreateMessage</code> subscription over WebSocket (appsync-websockets in this page).
Open the page twice to chat between tabs.</p>
<form id="send" autocomplete="off">
  <input id="room" value="lobby" aria-label="room" required>
  <input id="text" placeholder="Write a message" aria-label="message" required>
  <button id="submit" disabled>Send</button>
</form>
<ul id="messages"><li class="empty">No messages yet.</li></ul>
<div id="log"></div>
<script type="module">
const $ = (id) => document.getElementById(id);
const stateEl = $('state');
const setLive = (live) => { const el = $('live'); el.dataset.live = live ? 'yes' : 'no'; el.textContent = live ? 'live' : 'not live'; };
const log = (line) => { $('log').textContent = new Date().toLocaleTimeString() + '  ' + line + '\\n' + $('log').textContent; };
const setState = (state, text) => { stateEl.dataset.state = state; stateEl.textContent = text ?? state; };

let lib;
try {
  lib = await import('${LIVE_PAGE_BUNDLE_PATH}');
} catch (error) {
  setState('failed', 'no library');
  log('Could not load ${LIVE_PAGE_BUNDLE_PATH}: ' + error.message + ' (build it with npm run build)');
  throw error;
}
const { AppSyncApiKeyAuthentication, AppSyncJWTAuthentication, AppSyncHttpTransport, AppSyncWebsocketsTransport } = lib;

const params = new URLSearchParams(location.search);
const auth = params.get('jwt')
  ? new AppSyncJWTAuthentication({ jwt: params.get('jwt') })
  : new AppSyncApiKeyAuthentication({ apiKey: params.get('apiKey') || 'da2-local' });
const url = location.origin + '/graphql';
const transport = new AppSyncWebsocketsTransport({ url, auth });
const http = new AppSyncHttpTransport({ url, auth });
window.appsyncChat = { transport, http, lib };

transport.on('connecting', ({ reconnect }) => setState(reconnect ? 'reconnecting' : 'connecting', reconnect ? 'reconnecting…' : 'connecting…'));
transport.on('connected', ({ reconnect }) => { setState('connected'); if (reconnect) log('reconnected; subscription started again'); });
transport.on('disconnected', ({ error }) => { setState('reconnecting', 'disconnected'); setLive(false); log('disconnected: ' + error.message); });
// Wake-ups (the tab comes back, the network returns) check the socket at once.
transport.on('liveness', ({ reason, alive }) => log('woke up (' + reason + '): the connection is ' + (alive ? 'alive' : 'dead; reconnecting')));
transport.on('offline', () => { setState('reconnecting', 'offline'); log('offline'); });
transport.on('online', () => { setState('connected'); log('online again; checking the connection'); });
transport.on('reconnecting', ({ attempt, delayMs }) => setState('reconnecting', 'reconnecting (attempt ' + attempt + ', in ' + (delayMs / 1000).toFixed(1) + ' s)'));
let reported;
/** Logs a failure once: the same error may come from the iterator and the closed event. */
const report = (prefix, error) => {
  if (error === reported) return;
  reported = error;
  log(prefix + error.message);
};
transport.on('closed', ({ error }) => { setState('closed'); if (error) report('closed: ', error); });

function show(message) {
  const list = $('messages');
  list.querySelector('.empty')?.remove();
  const li = document.createElement('li');
  const room = document.createElement('span');
  room.className = 'room';
  room.textContent = '#' + message.room;
  const time = document.createElement('time');
  time.textContent = message.createdAt ? new Date(message.createdAt).toLocaleTimeString() : '';
  li.append(time, room, document.createTextNode(message.text));
  list.append(li);
}

/**
 * The page needs the chat shape (see chatShape in live-page.ts): createMessage(room, text) and
 * onCreateMessage returning id, room and text. Asked of the server by introspection, so any
 * schema with that shape works. Resolves with the fields to select, or a reason it cannot run.
 */
async function chatFields() {
  const leaf = (t) => { while (t.ofType) t = t.ofType; return t.kind === 'SCALAR' || t.kind === 'ENUM'; };
  const { data } = await http.execute(
    '{ m: __type(name: "Mutation") { fields { name args { name type { kind } } } } ' +
      's: __type(name: "Subscription") { fields { name args { type { kind } } type { kind name ofType { kind name } } } } }',
  );
  const create = data?.m?.fields?.find((f) => f.name === 'createMessage');
  const on = data?.s?.fields?.find((f) => f.name === 'onCreateMessage');
  if (!create || !on) return { missing: 'createMessage and onCreateMessage' };
  const names = create.args.map((a) => a.name);
  if (!names.includes('room') || !names.includes('text') || create.args.some((a) => !['room', 'text'].includes(a.name) && a.type.kind === 'NON_NULL') || on.args.some((a) => a.type.kind === 'NON_NULL')) {
    return { missing: 'createMessage(room, text) with no other required argument, and onCreateMessage with no required argument' };
  }
  const typeName = on.type.name ?? on.type.ofType?.name;
  const { data: typeData } = await http.execute('query T($n: String!) { __type(name: $n) { fields { name type { kind ofType { kind ofType { kind } } } } } }', { variableValues: { n: typeName } });
  const fields = typeData?.__type?.fields ?? [];
  const has = (n) => fields.some((f) => f.name === n && leaf(f.type));
  if (!['id', 'room', 'text'].every(has)) return { missing: 'id, room and text on ' + typeName };
  return { fields: ['id', 'room', 'text', ...(has('createdAt') ? ['createdAt'] : [])] };
}

$('send').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  $('submit').disabled = true;
  try {
    // A subscription receives only what the mutation selects (AppSync's rule): select what the page shows.
    await http.execute('mutation Send($room: String!, $text: String!) { createMessage(room: $room, text: $text) { ' + selected + ' } }', {
      variableValues: { room: $('room').value.trim() || 'lobby', text },
    });
    $('text').value = '';
  } catch (error) {
    log('send failed: ' + error.message);
  } finally {
    $('submit').disabled = transport.state === 'closed';
    $('text').focus();
  }
});

/** Whether an error is the server refusing the page's credentials (then ?apiKey= may be missing). */
const isAuthFailure = (error) =>
  error.code === 'AUTH_ERROR' || [401, 403].includes(error.statusCode) ||
  (error.errors ?? []).some((e) => /Unauthorized/.test(e.errorType ?? '') || [401, 403].includes(e.errorCode));

/** What the page selects of each message, in the subscription and in the mutation. */
let selected = 'id room text';

try {
  const shape = await chatFields();
  if (shape.missing) {
    setState('failed', 'needs the chat schema');
    log('This page needs the bundled chat schema, or one with the same shape (' + shape.missing + '), and this server runs another. Start appsync-websockets serve without --schema, or add those fields to your schema.');
  } else {
    selected = shape.fields.join(' ');
    await transport.connect();
    $('submit').disabled = false;
    const results = transport.subscribe('subscription OnCreateMessage { onCreateMessage { ' + shape.fields.join(' ') + ' } }', {
      onStarted: () => setLive(true),
      onResubscribed: () => { setLive(true); log('live again; messages sent while disconnected were not delivered'); },
    });
    for await (const result of results) {
      if (result.data?.onCreateMessage) show(result.data.onCreateMessage);
      if (result.errors) log('errors: ' + JSON.stringify(result.errors));
    }
  }
} catch (error) {
  setState('failed', 'failed');
  const hint = isAuthFailure(error) && !params.get('apiKey') && !params.get('jwt') ? ' (a server started with --api-key needs ?apiKey=<key> in this URL)' : '';
  if (error !== reported) { reported = error; log(error.message + hint); }
}
</script>
</body>
</html>
`;
