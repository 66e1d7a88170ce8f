/** `subscribe <url> [document]`: results as JSON lines on stdout, state on stderr. */
import { Option, type Command } from 'commander';
import type { HandshakeAuth } from '../../protocol/handshake.js';
import { AUTH_HELP, addAuthOptions, addOperationOptions, authFromFlags, parseVariables, positiveInteger, readDocument, type AuthFlags, type OperationFlags } from '../args.js';
import type { ExitCode } from '../exit-codes.js';
import { note } from '../output.js';
import { usesIam, withHints } from '../hints.js';
import type { CliContext } from '../program.js';
import { logStates } from '../state-log.js';
import { printStream } from '../stream.js';

interface SubscribeFlags extends AuthFlags, OperationFlags {
  count?: number;
  handshakeAuth: HandshakeAuth;
  realtimeUrl?: string;
  retry: boolean;
}

/** How long `close()` waits for `complete` and the close frame: a user who stopped is waiting. */
const CLOSE_TIMEOUT_MS = 3000;

export const URL_ARGUMENT_HELP =
  'the API URL: https://<id>.appsync-api.<region>.amazonaws.com/graphql, a custom domain, or http://host:port/graphql for a local AppSync';

export function registerSubscribe(program: Command, context: CliContext): void {
  const command = program
    .command('subscribe')
    .description('Subscribe over the real-time endpoint; print each result as one JSON line on stdout, connection state on stderr.')
    .argument('<url>', URL_ARGUMENT_HELP)
    .argument('[document]', 'the subscription: its text, @file.graphql, or "-" (or nothing) for stdin');
  addAuthOptions(command);
  addOperationOptions(command);
  command
    .option('--count <n>', 'stop (sending "stop") and exit 0 after n results', positiveInteger)
    .addOption(
      new Option('--handshake-auth <style>', 'how the handshake carries auth').choices(['subprotocol', 'query', 'headers']).default('subprotocol'),
    )
    .option('--realtime-url <url>', 'connect to this real-time URL instead of the one derived from <url> (proxies)')
    .option('--no-retry', 'fail instead of reconnecting and resubscribing when the connection drops')
    .addHelpText(
      'after',
      `
Each result is printed as it arrives: {"data":{…}} (with "errors" when the server sent some).
Ctrl-C or SIGTERM sends "stop", waits for the server's "complete" and closes the socket; then
the exit code is 130 after Ctrl-C, 0 after SIGTERM. A second Ctrl-C exits at once.

${AUTH_HELP}`,
    )
    .action(
      context.action((url: string, document: string | undefined, flags: SubscribeFlags) =>
        withHints({ api: 'graphql', url, iam: usesIam(flags, context.io.env) }, () => subscribe(context, url, document, flags)),
      ),
    );
}

async function subscribe(context: CliContext, url: string, documentArgument: string | undefined, flags: SubscribeFlags): Promise<ExitCode> {
  const { io, verbose } = context;
  // Loaded here, not at start-up: `--help` and usage errors should not pay for graphql and ws.
  const [{ toRequest }, { AppSyncWebsocketsTransport }] = await Promise.all([
    import('../../transport/document.js'),
    import('../../transport/transport.js'),
  ]);
  const document = await readDocument(documentArgument, io);
  const variableValues = parseVariables(flags.variables, flags.variable);
  const operationName = flags.operationName;
  // Checked before connecting: a typo in the document should not cost a connection.
  toRequest(document, { variableValues, operationName }, ['subscription'], 'Use the "query" command for queries and mutations.');
  const { auth, description } = authFromFlags(flags, io.env);
  const transport = new AppSyncWebsocketsTransport({
    url,
    auth,
    retry: flags.retry,
    handshakeAuth: flags.handshakeAuth,
    realtimeUrl: flags.realtimeUrl,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
  });
  if (verbose) note(io, `auth: ${description}`);
  const stopLogging = logStates(transport, io, verbose);

  try {
    return await printStream(io, transport, {
      start: (signal) =>
        transport.subscribe(document, {
          variableValues,
          operationName,
          signal,
          onResubscribed: () => note(io, 'resubscribed; results sent while disconnected are lost'),
        }),
      startedNote: 'subscription started; waiting for results',
      count: flags.count,
    });
  } finally {
    stopLogging();
  }
}
