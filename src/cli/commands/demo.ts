/**
 * `demo` (what `npm start` runs): the local AppSync with the chat schema and an API key, a
 * subscription through the library's real-time transport, mutations through its HTTP transport,
 * then one AppSync Events event published over HTTP to a channel subscribed over WebSocket, and
 * what arrives, printed. Needs no AWS account and exits 0 when everything arrived.
 */
import type { Command } from 'commander';
import { withDeadline } from '../../deadline.js';
import { AppSyncApiKeyAuthentication } from '../../auth/api-key.js';
import { CHAT_SCHEMA } from '../../testing/chat-schema.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { out, type CliIo } from '../output.js';
import type { CliContext } from '../program.js';
import { DEFAULT_PORT } from './serve.js';

const API_KEY = 'da2-local-demo-key';
const ROOM = 'lobby';
const SUBSCRIPTION = 'subscription OnCreateMessage($room: String) { onCreateMessage(room: $room) { id room text createdAt } }';
const CREATE = 'mutation Create($room: String!, $text: String!) { createMessage(room: $room, text: $text) { id room text createdAt } }';
/** Sent in order; the one for another room shows the server filtering on the subscription's argument. */
const MESSAGES = [
  { room: ROOM, text: 'hello' },
  { room: 'random', text: 'nobody in #lobby sees this' },
  { room: ROOM, text: 'from the local AppSync' },
  { room: ROOM, text: 'goodbye' },
];
/** The Events channel (in the local server's default namespace) and the event sent to it. */
const CHANNEL = '/default/lobby';
const EVENT = { text: 'hello from AppSync Events' };
/** Longest wait for one message to arrive; the demo fails instead of hanging. */
const ARRIVAL_TIMEOUT_MS = 5000;

interface Message {
  id: string;
  room: string;
  text: string;
  createdAt?: string;
}

export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('Start the local AppSync (chat schema, API key), subscribe, send mutations over HTTP, publish an AppSync Events event, print what arrives, exit 0.')
    .action(context.action(() => demo(context.io)));
}

async function demo(io: CliIo): Promise<ExitCode> {
  const [{ startLocalAppSync }, { AppSyncWebsocketsTransport }, { AppSyncHttpTransport }, { AppSyncEventsClient }] = await Promise.all([
    import('../../testing/node-server.js'),
    import('../../transport/transport.js'),
    import('../../http/http-transport.js'),
    import('../../events/client.js'),
  ]);
  const server = await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { apiKeys: [API_KEY] } });
  const auth = new AppSyncApiKeyAuthentication({ apiKey: API_KEY });
  const realtime = new AppSyncWebsocketsTransport({ url: server.url, auth, retry: false });
  const http = new AppSyncHttpTransport({ url: server.url, auth });
  const events = new AppSyncEventsClient({ url: server.eventsUrl, auth, retry: false });
  const expected = MESSAGES.filter((m) => m.room === ROOM).length;
  let received = 0;
  try {
    out(io, `local AppSync (chat schema, API key auth) at ${server.url}, real-time at ${server.realtimeUrl}, events at ${server.eventsUrl}`);
    await realtime.connect();
    const results = realtime.subscribe<{ onCreateMessage: Message }>(SUBSCRIPTION, { variableValues: { room: ROOM } });
    // Live once AppSync acknowledges it (start_ack): no message is sent too early.
    await within(results.started, ARRIVAL_TIMEOUT_MS, 'the subscription to be acknowledged');
    out(io, `subscribed to onCreateMessage(room: "${ROOM}") over WebSocket`);
    for (const message of MESSAGES) {
      await http.execute(CREATE, { variableValues: message });
      if (message.room !== ROOM) {
        out(io, `sent     createMessage to #${message.room} over HTTP (not subscribed: the server filters it out)`);
        continue;
      }
      out(io, `sent     createMessage to #${message.room} over HTTP: ${JSON.stringify(message.text)}`);
      // Results arrive in order on one socket: had #random been delivered, it would come first.
      const arrived = await nextWithin(results, ARRIVAL_TIMEOUT_MS, message.text);
      const got = arrived.data?.onCreateMessage;
      if (got === undefined || got.text !== message.text) {
        throw new CliError(`demo: expected ${JSON.stringify(message.text)} to arrive, but got ${JSON.stringify(arrived)}.`, EXIT.FAILURE);
      }
      received++;
      out(io, `received onCreateMessage in #${got.room}: ${JSON.stringify(got.text)} (id ${got.id}, createdAt ${got.createdAt ?? '-'})`);
    }
    await results.return?.(); // sends stop

    // AppSync Events: a channel instead of a schema; any JSON value is an event.
    await events.connect();
    const incoming = events.subscribe(CHANNEL);
    await within(incoming.started, ARRIVAL_TIMEOUT_MS, 'the Events subscription to be acknowledged');
    out(io, `subscribed to the Events channel ${CHANNEL} over WebSocket`);
    await events.publishHttp(CHANNEL, [EVENT]);
    out(io, `sent     an event to ${CHANNEL} over HTTP: ${JSON.stringify(EVENT)}`);
    const event = await nextWithin(incoming, ARRIVAL_TIMEOUT_MS, JSON.stringify(EVENT));
    if (JSON.stringify(event) !== JSON.stringify(EVENT)) {
      throw new CliError(`demo: expected the event ${JSON.stringify(EVENT)} to arrive, but got ${JSON.stringify(event)}.`, EXIT.FAILURE);
    }
    out(io, `received an event on ${CHANNEL}: ${JSON.stringify(event)}`);
    await incoming.return?.(); // sends unsubscribe
  } finally {
    await events.close();
    await realtime.close();
    await server.close();
  }
  out(io, `see it in a browser: \`appsync-websockets serve\` (in this repository: \`node dist/src/cli/main.js serve\`), then open its live chat page, http://127.0.0.1:${DEFAULT_PORT}/`);
  out(io, `demo: received ${received} of ${expected} messages sent to #${ROOM} through the subscription, and the event through ${CHANNEL}; closed cleanly`);
  return EXIT.OK;
}

/** `work`, or a CliError after `ms` saying what did not happen. */
function within<R>(work: Promise<R>, ms: number, what: string): Promise<R> {
  return withDeadline(work, { ms, timeout: () => new CliError(`demo: expected ${what} within ${ms} ms, but it did not happen.`, EXIT.FAILURE) });
}

async function nextWithin<R>(iterator: AsyncIterator<R>, ms: number, text: string): Promise<R> {
  const next = await within(iterator.next(), ms, `${JSON.stringify(text)} to arrive`);
  if (next.done) throw new CliError(`demo: the subscription ended before ${JSON.stringify(text)} arrived.`, EXIT.FAILURE);
  return next.value;
}
