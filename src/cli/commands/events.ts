/**
 * `events subscribe <url> <channel>` and `events publish <url> <channel> <event...>`: AppSync
 * Events channels from the command line, through AppSyncEventsClient. Events go to stdout as
 * JSON lines (subscribe) or the publish result as JSON (publish); state goes to stderr.
 */
import { Option, type Command } from 'commander';
import { TransportServerError } from '../../errors.js';
import type { AppSyncEventsClient, PublishResult } from '../../events/client.js';
import type { HandshakeAuth } from '../../protocol/handshake.js';
import { validateChannel } from '../../protocol/events.js';
import { AUTH_HELP, addAuthOptions, authFromFlags, positiveInteger, type AuthFlags } from '../args.js';
import { CliError, CliUsageError, EXIT, type ExitCode } from '../exit-codes.js';
import { jsonLine, note, out, type CliIo } from '../output.js';
import { usesIam, withHints } from '../hints.js';
import type { CliContext } from '../program.js';
import { exitCodeForStop, onStopRequest, type StopReason } from '../signals.js';
import { logStates } from '../state-log.js';
import { aborted, printStream } from '../stream.js';

interface ConnectionFlags extends AuthFlags {
  handshakeAuth?: HandshakeAuth;
  realtimeUrl?: string;
}

interface EventsSubscribeFlags extends ConnectionFlags {
  count?: number;
  retry: boolean;
}

interface EventsPublishFlags extends ConnectionFlags {
  http?: boolean;
}

/** How long `close()` waits for `unsubscribe_success` and the close frame: a user who stopped is waiting. */
const CLOSE_TIMEOUT_MS = 3000;

export const EVENTS_URL_ARGUMENT_HELP =
  'the Events API URL: https://<id>.appsync-api.<region>.amazonaws.com/event, a custom domain, or http://host:port/event for a local AppSync (`serve` prints it)';

const CHANNEL_RULES = `A channel is /<namespace>/<segment>…: 1 to 5 segments, each 1 to 50 characters of
[A-Za-z0-9-] not starting or ending with "-" (the leading "/" may be left out).`;

export function registerEvents(program: Command, context: CliContext): void {
  const events = program
    .command('events')
    .description('AppSync Events: subscribe to a channel, or publish events to one.')
    .addHelpText(
      'after',
      `
Examples:
  appsync-websockets events subscribe https://<id>.appsync-api.<region>.amazonaws.com/event '/default/chat/*' --api-key da2-…
  appsync-websockets events publish https://<id>.appsync-api.<region>.amazonaws.com/event /default/chat/room1 '{"text":"hi"}' 42 --api-key da2-…`,
    );
  registerEventsSubscribe(events, context);
  registerEventsPublish(events, context);
}

/** `--handshake-auth` and `--realtime-url`, as `subscribe` has them (no default here: `publish --http` must see whether they were given). */
function addConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--handshake-auth <style>', 'how the handshake carries auth (default: subprotocol)').choices(['subprotocol', 'query', 'headers']),
    )
    .option('--realtime-url <url>', 'connect to this real-time URL instead of the one derived from <url> (proxies)');
}

function registerEventsSubscribe(events: Command, context: CliContext): void {
  const command = events
    .command('subscribe')
    .description('Subscribe to a channel; print each event as one JSON line on stdout, connection state on stderr.')
    .argument('<url>', EVENTS_URL_ARGUMENT_HELP)
    .argument('<channel>', 'the channel, e.g. /default/chat; a trailing /* also receives every channel below it');
  addAuthOptions(command);
  addConnectionOptions(command);
  command
    .option('--count <n>', 'unsubscribe and exit 0 after n events', positiveInteger)
    .option('--no-retry', 'fail instead of reconnecting and resubscribing when the connection drops')
    .addHelpText(
      'after',
      `
Each event is printed as it arrives, as the JSON value that was published (one line each).
An event the server could not deliver (broadcast_error) is reported on stderr and the
subscription goes on. A channel the server refuses (unknown namespace, not allowed) exits 5.
Ctrl-C or SIGTERM sends "unsubscribe" and closes the socket; then the exit code is 130 after
Ctrl-C, 0 after SIGTERM. A second Ctrl-C exits at once.

${CHANNEL_RULES}

${AUTH_HELP}`,
    )
    .action(
      context.action((url: string, channel: string, flags: EventsSubscribeFlags) =>
        withHints({ api: 'events', url, iam: usesIam(flags, context.io.env) }, () => eventsSubscribe(context, url, channel, flags)),
      ),
    );
}

function registerEventsPublish(events: Command, context: CliContext): void {
  const command = events
    .command('publish')
    .description('Publish events to a channel (over the WebSocket, or HTTP with --http); print the result as JSON on stdout.')
    .argument('<url>', EVENTS_URL_ARGUMENT_HELP)
    .argument('<channel>', 'the channel, e.g. /default/chat (no wildcard)')
    .argument('<event...>', `the events, one JSON value per argument: '{"text":"hi"}' 42 '"a string"'`);
  addAuthOptions(command);
  addConnectionOptions(command);
  command
    .option('--http', 'publish with POST <url> instead of over a WebSocket: one request per 5 events, no connection to open')
    .addHelpText(
      'after',
      `
By default the events go over a WebSocket (connect, publish, close), as a subscriber's would;
--http posts them instead. Either way more than 5 events are sent as several publishes of up to
5, in order. The result is AppSync's answer, {"successful":[{"identifier","index"}…],"failed":[…]},
indexes counting the event arguments from 0: one line when stdout is a pipe, indented on a
terminal. When any event failed, or the server refused the publish, the exit code is 5 (a
refusal over HTTP with 401/403 is an authentication failure: 3).

${CHANNEL_RULES}

${AUTH_HELP}`,
    )
    .action(
      context.action((url: string, channel: string, events: string[], flags: EventsPublishFlags) =>
        withHints({ api: 'events', url, iam: usesIam(flags, context.io.env) }, () => eventsPublish(context, url, channel, events, flags)),
      ),
    );
}

/** The events client for the flags; nothing is connected yet. */
async function eventsClient(
  context: CliContext,
  url: string,
  flags: ConnectionFlags,
  retry: boolean,
): Promise<AppSyncEventsClient> {
  const { AppSyncEventsClient } = await import('../../events/client.js');
  const { auth, description } = authFromFlags(flags, context.io.env);
  const client = new AppSyncEventsClient({
    url,
    auth,
    retry,
    handshakeAuth: flags.handshakeAuth ?? 'subprotocol',
    realtimeUrl: flags.realtimeUrl,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  });
  if (context.verbose) note(context.io, `auth: ${description}`);
  return client;
}

async function eventsSubscribe(context: CliContext, url: string, channelArgument: string, flags: EventsSubscribeFlags): Promise<ExitCode> {
  const { io, verbose } = context;
  // Checked before connecting: a typo in the channel should not cost a connection.
  const channel = validateChannel(channelArgument, 'subscribe');
  const client = await eventsClient(context, url, flags, flags.retry);
  const stopLogging = logStates(client, io, verbose);
  try {
    return await printStream(io, client, {
      start: (signal) =>
        client.subscribe(channel, {
          signal,
          onResubscribed: () => note(io, 'resubscribed; events sent while disconnected are lost'),
          // stdout carries only events: a lost one is reported where a human looks, and we go on.
          onEventError: (error) => note(io, `an event was not delivered: ${error.message}`),
        }),
      startedNote: `subscribed to ${channel}; waiting for events`,
      count: flags.count,
    });
  } finally {
    stopLogging();
  }
}

async function eventsPublish(context: CliContext, url: string, channelArgument: string, eventArguments: string[], flags: EventsPublishFlags): Promise<ExitCode> {
  const { io, verbose } = context;
  if (flags.http === true && (flags.handshakeAuth !== undefined || flags.realtimeUrl !== undefined)) {
    throw new CliUsageError(
      `${flags.realtimeUrl !== undefined ? '--realtime-url' : '--handshake-auth'} is for the WebSocket, but --http publishes over HTTP: drop one or the other.`,
    );
  }
  // Checked before connecting: nothing is sent unless every argument is good.
  const channel = validateChannel(channelArgument, 'publish');
  const events = eventArguments.map((text, index) => parseEvent(text, index, eventArguments.length));
  const client = await eventsClient(context, url, flags, false);
  const stopLogging = verbose ? logStates(client, io, verbose) : () => {};
  const controller = new AbortController();
  let stoppedBy: StopReason | undefined;
  const stopListening = onStopRequest(io, (reason) => {
    stoppedBy = reason;
    note(io, `stopping (${reason})`);
    controller.abort();
  });
  let result: PublishResult;
  try {
    if (flags.http === true) {
      if (verbose) note(io, `POST ${client.url}`);
      result = await client.publishHttp(channel, events, { signal: controller.signal });
    } else {
      const connecting = client.connect();
      connecting.catch(() => {});
      await Promise.race([connecting, aborted(controller.signal)]);
      if (stoppedBy !== undefined) return exitCodeForStop(stoppedBy);
      result = await client.publish(channel, events, { signal: controller.signal });
    }
  } catch (error) {
    if (stoppedBy !== undefined) return exitCodeForStop(stoppedBy);
    throw publishFailure(error);
  } finally {
    await client.close();
    stopLogging();
    stopListening();
  }
  print(io, result);
  if (result.failed.length > 0) {
    const details = result.failed
      .map((failed) => `event ${failed.index}${failed.message !== undefined ? `: ${failed.message}` : ''}${failed.code !== undefined ? ` (code ${String(failed.code)})` : ''}`)
      .join('; ');
    throw new CliError(`${result.failed.length} of ${events.length} events failed: ${details}.`, EXIT.GRAPHQL);
  }
  return EXIT.OK;
}

/** One event argument as JSON; the message never echoes it (JSON.parse's does). */
export function parseEvent(text: string, index: number, total: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const which = total === 1 ? 'the event argument' : `event argument ${index + 1} of ${total}`;
    throw new CliUsageError(
      `Expected ${which} to be a JSON value like '{"text":"hi"}', 42 or '"a string"', but it is not valid JSON (in a shell, wrap it in single quotes; a string needs its own double quotes).`,
    );
  }
}

/**
 * An HTTP publish refused with a 4xx other than 401/403 (unknown namespace, bad request) is the
 * server answering the publish with errors, as `publish_error` is over the WebSocket: exit 5 for
 * both. (The default mapping would count a BadRequestException as an auth failure.)
 */
function publishFailure(error: unknown): unknown {
  if (error instanceof TransportServerError) {
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429) {
      return new CliError(error.message, EXIT.GRAPHQL, { cause: error });
    }
  }
  return error;
}

function print(io: CliIo, value: unknown): void {
  out(io, io.stdout.isTTY ? JSON.stringify(value, null, 2) : jsonLine(value));
}

