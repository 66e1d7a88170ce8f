/**
 * Turning flags into what the library takes: the auth object, the variables and the document.
 * Messages about a flag name the flag and never echo its value: values may be secrets.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { AppSyncApiKeyAuthentication } from '../auth/api-key.js';
import { AppSyncIAMAuthentication } from '../auth/iam.js';
import { AppSyncJWTAuthentication } from '../auth/jwt.js';
import { AppSyncLambdaAuthentication } from '../auth/lambda.js';
import type { AppSyncAuthentication } from '../auth/types.js';
import { CliUsageError } from './exit-codes.js';
import type { CliIo } from './output.js';

// ---- auth ---------------------------------------------------------------------------------

export interface AuthFlags {
  apiKey?: string | undefined;
  jwt?: string | undefined;
  lambdaToken?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
}

/** Token modes: flag, environment fallback, and the auth object built from the secret. */
const TOKEN_MODES = [
  { flag: '--api-key', key: 'apiKey', env: 'APPSYNC_API_KEY', label: 'API key', make: (apiKey: string) => new AppSyncApiKeyAuthentication({ apiKey }) },
  { flag: '--jwt', key: 'jwt', env: 'APPSYNC_JWT', label: 'JWT (Cognito user pools / OIDC)', make: (jwt: string) => new AppSyncJWTAuthentication({ jwt }) },
  { flag: '--lambda-token', key: 'lambdaToken', env: 'APPSYNC_LAMBDA_TOKEN', label: 'Lambda authorizer token', make: (token: string) => new AppSyncLambdaAuthentication({ token }) },
] as const;

/** Adds the client auth flags (subscribe, query). */
export function addAuthOptions(command: Command): Command {
  return command
    .option('--api-key <key>', 'API key auth (or env APPSYNC_API_KEY)')
    .option('--jwt <token>', 'Cognito user pools / OIDC auth with this JWT (or env APPSYNC_JWT)')
    .option('--lambda-token <token>', 'Lambda authorizer auth with this token (or env APPSYNC_LAMBDA_TOKEN)')
    .option('--region <region>', 'IAM: region of the API (default: from the host, else AWS_REGION or the profile)')
    .option('--profile <name>', 'IAM: profile of the shared AWS config files (default: AWS_PROFILE, else "default")');
}

/** Auth options text shown under each client command's help. */
export const AUTH_HELP = `Auth: --api-key, --jwt or --lambda-token (flags win over the APPSYNC_* environment
variables, which keep secrets out of shell history); with none of them, IAM (SigV4) with the
AWS SDK's default credential chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws files,
SSO, web identity, ECS, EC2.`;

export interface ResolvedAuth {
  auth: AppSyncAuthentication;
  /** For messages: the mode, never the secret. */
  description: string;
}

/**
 * One auth mode from the flags, else from the environment, else IAM. Two modes at once is a
 * mistake worth stopping for: which one was meant is not ours to guess.
 */
export function authFromFlags(flags: AuthFlags, env: NodeJS.ProcessEnv): ResolvedAuth {
  const given = TOKEN_MODES.filter((mode) => flags[mode.key] !== undefined);
  if (given.length > 1) {
    throw new CliUsageError(`Expected one auth mode, but got ${given.map((m) => m.flag).join(' and ')}: keep only one.`);
  }
  const fromEnv = TOKEN_MODES.filter((mode) => env[mode.env] !== undefined && env[mode.env] !== '');
  if (given.length === 0 && fromEnv.length > 1) {
    throw new CliUsageError(
      `Expected at most one of the environment variables ${TOKEN_MODES.map((m) => m.env).join(', ')}, but ${fromEnv.map((m) => m.env).join(' and ')} are set: unset one, or pass an auth flag.`,
    );
  }
  const mode = given[0] ?? fromEnv[0];
  if (mode !== undefined) {
    const secret = given[0] !== undefined ? flags[mode.key] : env[mode.env];
    if (secret === undefined || secret.trim() === '') {
      throw new CliUsageError(`Expected ${mode.flag} to be a non-empty value, but it is empty.`);
    }
    if (flags.region !== undefined || flags.profile !== undefined) {
      throw new CliUsageError(`--region and --profile are for IAM auth only, but ${given[0] !== undefined ? mode.flag : mode.env} selects ${mode.label} auth: drop one or the other.`);
    }
    return { auth: mode.make(secret), description: `${mode.label}${given[0] === undefined ? ` (from ${mode.env})` : ''}` };
  }
  const iam = new AppSyncIAMAuthentication({
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
  });
  return { auth: iam, description: `IAM (SigV4${flags.profile !== undefined ? `, profile ${flags.profile}` : ''}${flags.region !== undefined ? `, region ${flags.region}` : ''})` };
}

// ---- variables and operation --------------------------------------------------------------

export interface OperationFlags {
  variables?: string | undefined;
  variable?: string[] | undefined;
  operationName?: string | undefined;
}

/** Adds `--variables`, `-V` and `--operation-name`. */
export function addOperationOptions(command: Command): Command {
  return command
    .option('--variables <json>', `variables as a JSON object, e.g. '{"room":"lobby"}'`)
    .option(
      '-V, --variable <name=value>',
      'one variable (repeatable; overrides --variables); the value is parsed as JSON when it parses (1, true, null, {"a":1}), else taken as a string',
      collect,
    )
    .option('--operation-name <name>', 'which operation of the document to run');
}

/** Commander argument parser for repeatable flags. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The variables from `--variables` and every `-V name=value`, or undefined when none were given. */
export function parseVariables(json: string | undefined, pairs: readonly string[] = []): Record<string, unknown> | undefined {
  let variables: Record<string, unknown> | undefined;
  if (json !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      // JSON.parse's message quotes the input, which may hold a secret: say where to look instead.
      throw new CliUsageError(
        `Expected --variables to be a JSON object like '{"room":"lobby"}', but it is not valid JSON (in a shell, wrap it in single quotes).`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new CliUsageError(
        `Expected --variables to be a JSON object like '{"room":"lobby"}', but got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}.`,
      );
    }
    variables = { ...(parsed as Record<string, unknown>) };
  }
  pairs.forEach((pair, index) => {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new CliUsageError(
        `Expected each -V to be name=value, but -V number ${index + 1} ${at === 0 ? 'has no name before "="' : 'has no "="'}.`,
      );
    }
    variables ??= {};
    variables[pair.slice(0, at)] = parseValue(pair.slice(at + 1));
  });
  return variables;
}

/** JSON when it parses (`1`, `true`, `null`, `{"a":1}`, `"007"`), else the string itself. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// ---- numbers ------------------------------------------------------------------------------

/** Commander argument parser: an integer >= 1. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('Expected a whole number >= 1.');
  }
  return n;
}

/** Commander argument parser: a TCP port, 0 meaning any free port. */
export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError('Expected a port number from 0 to 65535 (0: any free port).');
  }
  return n;
}

// ---- documents ----------------------------------------------------------------------------

/**
 * The GraphQL document: the argument itself, `@path` for a file, or `-` (or nothing) for stdin.
 * Nothing with stdin on a terminal is a usage error rather than a silent wait for typing.
 */
export async function readDocument(argument: string | undefined, io: CliIo): Promise<string> {
  let text: string;
  let from: string;
  if (argument === undefined || argument === '-') {
    if (argument === undefined && io.stdin.isTTY) {
      throw new CliUsageError('Expected a GraphQL document: pass it as an argument, as @file.graphql, or on stdin (or "-" to type it).');
    }
    text = await readStream(io.stdin);
    from = 'stdin';
  } else if (argument.startsWith('@')) {
    text = await readTextFile(argument.slice(1), 'document');
    from = argument.slice(1);
  } else {
    text = argument;
    from = 'the argument';
  }
  if (text.trim() === '') throw new CliUsageError(`Expected a GraphQL document, but ${from} is empty.`);
  return text;
}

/** Reads a UTF-8 file named on the command line; failures are usage errors naming the file. */
export async function readTextFile(path: string, what: string): Promise<string> {
  if (path === '') throw new CliUsageError(`Expected a file name after "@" for the ${what}.`);
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new CliUsageError(`Cannot read the ${what} file "${path}": ${reason}.`, { cause });
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
