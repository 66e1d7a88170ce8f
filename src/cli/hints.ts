/**
 * What the CLI adds to a failure when its cause is probably on the command line: the URL of the
 * other API (`/event` given to `subscribe`, `/graphql` to `events`), `https://` against a
 * plain-HTTP server, a URL without its path, or IAM chosen by default against a server that
 * wants something else. The library's message stays as it is; the hint follows it on the same
 * line. Hints are read from the error's class, HTTP status and causes and from the URL's shape,
 * never from a secret.
 */
import { TransportAuthError, TransportConnectionFailed, TransportServerError, isTransportError } from '../errors.js';
import type { AuthFlags } from './args.js';
import { CliError, EXIT, exitCodeFor } from './exit-codes.js';

/** Which AppSync API a command speaks. */
export type CliApi = 'graphql' | 'events';

export interface HintContext {
  api: CliApi;
  /** The URL argument as given. */
  url: string;
  /** No auth flag and no APPSYNC_* variable: the CLI signs with IAM. */
  iam: boolean;
}

const PATHS: Record<CliApi, string> = { graphql: '/graphql', events: '/event' };
const COMMANDS: Record<CliApi, string> = { graphql: '`subscribe` and `query`', events: '`events subscribe` and `events publish`' };

/** Whether the flags and environment leave the CLI on its default, IAM (see `authFromFlags`). */
export function usesIam(flags: AuthFlags, env: NodeJS.ProcessEnv): boolean {
  const given = [flags.apiKey, flags.jwt, flags.lambdaToken].some((v) => v !== undefined);
  const fromEnv = ['APPSYNC_API_KEY', 'APPSYNC_JWT', 'APPSYNC_LAMBDA_TOKEN'].some((name) => env[name] !== undefined && env[name] !== '');
  return !given && !fromEnv;
}

/** Runs a command; a failure it throws comes back with a hint when one applies. */
export async function withHints<T>(context: HintContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw explain(error, context);
  }
}

/**
 * `error` with a hint added (a {@link CliError} with the same exit code, the original as
 * `cause`), or `error` itself when no hint applies. A URL of the other API makes it a usage
 * error (exit 2): whatever the server answered, the URL was the mistake.
 */
export function explain(error: unknown, context: HintContext): unknown {
  if (error instanceof CliError && error.exitCode === EXIT.USAGE) return error;
  if (!isTransportError(error) && !(error instanceof CliError)) return error;
  const found = hintFor(error, context);
  if (found === undefined) return error;
  return new CliError(`${error.message} ${found.hint}`, found.usage ? EXIT.USAGE : exitCodeFor(error), { cause: error });
}

/** The hint for a failure, if its cause looks like the command line's. */
export function hintFor(error: unknown, context: HintContext): { hint: string; usage: boolean } | undefined {
  let url: URL;
  try {
    url = new URL(context.url);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  const base = `${url.protocol}//${url.host}`;
  const other: CliApi = context.api === 'graphql' ? 'events' : 'graphql';
  const otherPath = PATHS[other];
  if (path === otherPath || path === `${otherPath}/realtime`) {
    return {
      usage: true,
      hint:
        `Hint: ${context.url} looks like the ${other === 'events' ? 'AppSync Events' : 'GraphQL'} endpoint (${otherPath}), but ${COMMANDS[context.api]} ` +
        `take the ${context.api === 'events' ? 'Events' : 'GraphQL'} endpoint: try ${base}${PATHS[context.api]}, or use ${COMMANDS[other]} with this URL.`,
    };
  }
  if ((url.protocol === 'https:' || url.protocol === 'wss:') && causes(error).some((e) => /wrong version number|EPROTO|packet length too long|ERR_SSL/i.test(messageOf(e)))) {
    const plain = new URL(context.url);
    plain.protocol = url.protocol === 'https:' ? 'http:' : 'ws:';
    return {
      usage: false,
      hint: `Hint: the server at ${url.host} answered in plain text, not TLS: it looks like an http:// server (as the local \`serve\` is). Try ${plain.href}.`,
    };
  }
  const status = error instanceof TransportServerError || error instanceof TransportConnectionFailed ? error.statusCode : undefined;
  if (status === 404 && !path.endsWith(PATHS[context.api])) {
    return {
      usage: false,
      hint: `Hint: AppSync serves ${context.api === 'events' ? 'its Events API' : 'GraphQL'} at ${PATHS[context.api]}, and ${context.url} does not end with it: try ${base}${path}${PATHS[context.api]}.`,
    };
  }
  if (context.iam && error instanceof TransportAuthError) {
    const local = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname);
    if (/region/i.test(error.message)) {
      return {
        usage: false,
        hint:
          'Hint: with no --api-key, --jwt or --lambda-token the CLI signs with IAM, which needs a region: pass --region <region> (for example --region us-east-1)' +
          (local ? ', or an auth flag: a local `serve` started without auth flags accepts any, e.g. --api-key da2-local.' : ', or the auth flag your API takes.'),
      };
    }
    if (local) {
      return {
        usage: false,
        hint: 'Hint: with no --api-key, --jwt or --lambda-token the CLI signs with IAM; a local `serve` takes the auth flag it was started with (without auth flags it accepts any, e.g. --api-key da2-local).',
      };
    }
  }
  return undefined;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 6; current = current instanceof Error ? current.cause : undefined) chain.push(current);
  return chain;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return `${error.message} ${(error as NodeJS.ErrnoException).code ?? ''}`;
  return String(error);
}
