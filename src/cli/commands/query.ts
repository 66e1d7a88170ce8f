/** `query <url> [document]`: one query or mutation over HTTP, its result as JSON on stdout. */
import type { Command } from 'commander';
import { TransportQueryError } from '../../errors.js';
import { AUTH_HELP, addAuthOptions, addOperationOptions, authFromFlags, parseVariables, readDocument, type AuthFlags, type OperationFlags } from '../args.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { jsonLine, note, out, type CliIo } from '../output.js';
import { usesIam, withHints } from '../hints.js';
import type { CliContext } from '../program.js';
import { URL_ARGUMENT_HELP } from './subscribe.js';

type QueryFlags = AuthFlags & OperationFlags;

export function registerQuery(program: Command, context: CliContext): void {
  const command = program
    .command('query')
    .description('Run a query or mutation over HTTP; print the result as JSON on stdout.')
    .argument('<url>', URL_ARGUMENT_HELP)
    .argument('[document]', 'the query or mutation: its text, @file.graphql, or "-" (or nothing) for stdin');
  addAuthOptions(command);
  addOperationOptions(command);
  command
    .addHelpText(
      'after',
      `
The result is {"data":{…}}: one line when stdout is a pipe, indented on a terminal. When the
server answers with GraphQL errors, the whole answer ({"data":…,"errors":[…]}) is still printed
on stdout, the errors are summarised on stderr, and the exit code is 5.

${AUTH_HELP}`,
    )
    .action(
      context.action((url: string, document: string | undefined, flags: QueryFlags) =>
        withHints({ api: 'graphql', url, iam: usesIam(flags, context.io.env) }, () => query(context, url, document, flags)),
      ),
    );
}

async function query(context: CliContext, url: string, documentArgument: string | undefined, flags: QueryFlags): Promise<ExitCode> {
  const { io, verbose } = context;
  const { AppSyncHttpTransport } = await import('../../http/http-transport.js');
  const document = await readDocument(documentArgument, io);
  const variableValues = parseVariables(flags.variables, flags.variable);
  const { auth, description } = authFromFlags(flags, io.env);
  const transport = new AppSyncHttpTransport({ url, auth });
  if (verbose) note(io, `POST ${transport.url} (auth: ${description})`);
  try {
    const result = await transport.execute(document, {
      ...(variableValues !== undefined ? { variableValues } : {}),
      ...(flags.operationName !== undefined ? { operationName: flags.operationName } : {}),
    });
    print(io, result);
    return EXIT.OK;
  } catch (error) {
    if (error instanceof TransportQueryError) {
      // Partial data is still data: print the answer as the server sent it, then fail.
      print(io, {
        data: error.data ?? null,
        errors: error.errors,
        ...(error.extensions !== undefined ? { extensions: error.extensions } : {}),
      });
    }
    throw error;
  }
}

function print(io: CliIo, value: unknown): void {
  out(io, io.stdout.isTTY ? JSON.stringify(value, null, 2) : jsonLine(value));
}
