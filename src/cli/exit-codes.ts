/**
 * The CLI's exit codes, and the mapping from the library's typed errors to them. Scripts branch
 * on these, so they never change meaning: a new kind of failure gets a new number.
 */
import {
  TransportAuthError,
  TransportClosed,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportDocumentError,
  TransportProtocolError,
  TransportQueryError,
  TransportServerError,
  TransportTimeoutError,
  isTransportError,
} from '../errors.js';
import { isAuthFailure } from '../transport/graphql-protocol.js';

export const EXIT = Object.freeze({
  /** Done: the count was reached, the server ended the subscription, or a query succeeded. */
  OK: 0,
  /** Anything not covered below (a bug, a full buffer, an unexpected failure). */
  FAILURE: 1,
  /** Bad command line: unknown flag, bad URL, unreadable file, bad JSON, conflicting options. */
  USAGE: 2,
  /** The server rejected the credentials, or none could be found (IAM). */
  AUTH: 3,
  /** The endpoint could not be reached, refused or dropped the connection, timed out, or failed. */
  CONNECTION: 4,
  /** The document does not parse, or the server answered it with GraphQL errors. */
  GRAPHQL: 5,
  /** Stopped with Ctrl-C (SIGINT), after a clean close: 128 + 2, as shells expect. */
  INTERRUPTED: 130,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table `--help` and the README show. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success; also after SIGTERM or a closed stdout, once closed cleanly
  1    other failure
  2    usage error (flags, URL, files, JSON, schema)
  3    authentication failed (rejected or missing credentials)
  4    connection failed (unreachable, refused, dropped, timed out, server error)
  5    GraphQL error (the document does not parse, or the server answered with errors)
  130  interrupted by Ctrl-C (SIGINT), after a clean close`;

/** A failure the CLI itself detects; its message is shown as is. */
export class CliError extends Error {
  override name = 'CliError' as const;
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** A mistake on the command line (exit 2). */
export class CliUsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.USAGE, options);
  }
}

/** The exit code for an error thrown by a command. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (!isTransportError(error)) return EXIT.FAILURE;
  if (error instanceof TransportConfigurationError) return EXIT.USAGE;
  if (error instanceof TransportAuthError) return EXIT.AUTH;
  if (error instanceof TransportServerError) {
    return isAuthFailure(error.errors, error.statusCode) ? EXIT.AUTH : EXIT.CONNECTION;
  }
  if (error instanceof TransportConnectionFailed) {
    return error.statusCode === 401 || error.statusCode === 403 ? EXIT.AUTH : EXIT.CONNECTION;
  }
  if (error instanceof TransportTimeoutError || error instanceof TransportProtocolError || error instanceof TransportClosed) {
    return EXIT.CONNECTION;
  }
  if (error instanceof TransportQueryError || error instanceof TransportDocumentError) return EXIT.GRAPHQL;
  return EXIT.FAILURE;
}
