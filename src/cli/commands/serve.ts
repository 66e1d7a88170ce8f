/** `serve`: the local AppSync (HTTP and real-time) until Ctrl-C or SIGTERM. */
import type { Command } from 'commander';
import { TransportConfigurationError } from '../../errors.js';
import type { LocalAuthOptions } from '../../testing/auth-check.js';
import { CHAT_SCHEMA } from '../../testing/chat-schema.js';
import type { LocalAppSync, TemplateReload } from '../../testing/node-server.js';
import { collect, port, readTextFile } from '../args.js';
import { firstSessionLines } from '../first-session.js';
import { CliError, CliUsageError, EXIT, type ExitCode } from '../exit-codes.js';
import { note, out } from '../output.js';
import type { CliContext } from '../program.js';
import { exitCodeForStop, onStopRequest, type StopReason } from '../signals.js';

interface ServeFlags {
  schema?: string;
  port: number;
  hostname: string;
  apiKey?: string[];
  jwt?: string[];
  lambdaToken?: string[];
  iamAccessKeyId?: string;
  iamSecretAccessKey?: string;
  iamSessionToken?: string;
  eventsNamespace?: string[];
  publicHost?: string;
  template?: string;
  parameter?: string[];
  lambda?: string[];
  dynamodbEndpoint?: string;
  dataDir?: string;
  watch?: boolean;
  jwks?: string;
}

export const DEFAULT_PORT = 4000;

/** The Events namespace `serve` enables when none is given. */
export const DEFAULT_EVENTS_NAMESPACE = 'default';

export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('Run the local AppSync (queries, mutations, subscriptions and AppSync Events) and print its URLs; runs until Ctrl-C or SIGTERM.')
    .option('--schema <file>', 'AppSync schema file (SDL; AppSync scalars and directives need no declaration) (default: the bundled chat schema)')
    .option('--template <file>', "run this CloudFormation template's AppSync API (YAML or JSON; a CDK app's cdk.out/<Stack>.template.json): its schema, APPSYNC_JS resolvers, data sources, DynamoDB tables and API keys, and its Events API if it has one")
    .option('--parameter <Name=Value>', 'with --template: a template parameter, overriding its default (repeatable)', collect)
    .option('--lambda <LogicalIdOrName=file#export>', "with --template: a local handler for one of the template's Lambda functions (a data source's or an authorizer's), by logical id or FunctionName (repeatable)", collect)
    .option('--dynamodb-endpoint <url>', "with --template: use this DynamoDB (or DynamoDB Local) endpoint instead of the embedded in-memory engine; the template's tables are created there when missing")
    .option('--data-dir <dir>', "with --template: keep the embedded DynamoDB's data, and the API keys made for the template, in this folder (not with --dynamodb-endpoint)")
    .option('--jwks <file>', "with --template: a JWKS file ({\"keys\": [...]}, e.g. a user pool's saved .well-known/jwks.json) whose keys the template's user pool and OIDC tokens must be signed with (default: signatures are not verified)")
    .option('--watch', 'with --template: reload when the template or a file it reads changes, keeping live connections (a broken edit is reported and the last good version keeps serving)')
    .option('--port <port>', 'port to listen on; 0 picks a free one', port, DEFAULT_PORT)
    .option('--hostname <host>', 'interface to listen on', '127.0.0.1')
    .option('--api-key <key>', 'accept this API key (repeatable)', collect)
    .option('--jwt <token>', 'accept this Cognito / OIDC token (repeatable)', collect)
    .option('--lambda-token <token>', 'accept this Lambda authorizer token (repeatable)', collect)
    .option('--iam-access-key-id <id>', 'accept IAM (SigV4) signatures made with this access key id')
    .option('--iam-secret-access-key <secret>', 'the secret access key of --iam-access-key-id')
    .option('--iam-session-token <token>', 'the session token of --iam-access-key-id, for temporary credentials')
    .option('--public-host <host>', "refuse auth objects whose host is not this one, as AppSync does (the API's public host, e.g. api.example.com) (default: not checked)")
    .option('--events-namespace <name>', `an AppSync Events namespace to enable (repeatable) (default: "${DEFAULT_EVENTS_NAMESPACE}")`, collect)
    .addHelpText(
      'after',
      `
Prints four lines on stdout, "HTTP: <url>", "real-time: <url>", "events: <url>" and
"page: <url>" (with --template, then an "api key: <key>" line per key made for it), then on
stderr ready-to-paste subscribe, query and events command lines for this server (with an auth
flag it accepts). GraphQL clients use the HTTP URL (the real-time one is derived from it);
AppSync Events clients (\`events subscribe\`, \`events publish\`) use the events URL. The page
is a live chat, run by this library in your browser, on the bundled schema or any schema with
createMessage(room, text) and onCreateMessage (with --api-key, add ?apiKey=<key> to its URL).
Without any auth flag every request is accepted, whatever auth it carries; with --template,
what the template's auth modes accept (its API keys are the "api key:" lines), plus what the
auth flags add. Ctrl-C or SIGTERM closes every connection and the server; the exit code is then
130 after Ctrl-C, 0 after SIGTERM.

Example:
  appsync-websockets serve --api-key da2-local &
  appsync-websockets subscribe http://127.0.0.1:${DEFAULT_PORT}/graphql --api-key da2-local \\
    'subscription { onCreateMessage { id room text } }'
  appsync-websockets events subscribe http://127.0.0.1:${DEFAULT_PORT}/event '/default/*' --api-key da2-local`,
    )
    .action(context.action((flags: ServeFlags) => serve(context, flags)));
}

async function serve(context: CliContext, flags: ServeFlags): Promise<ExitCode> {
  const { io } = context;
  const auth = localAuth(flags);
  const namespaces = eventsNamespaces(flags.eventsNamespace);
  if (flags.template !== undefined && flags.schema !== undefined) throw new CliUsageError('Expected --template or --schema, not both: the template brings its schema.');
  if (flags.watch === true && flags.template === undefined) throw new CliUsageError('Expected --watch with --template: it reloads the template and the code files it reads.');
  if (flags.template === undefined) {
    const stray = (['parameter', 'lambda', 'dynamodbEndpoint', 'dataDir'] as const).find((name) => flags[name] !== undefined);
    if (stray !== undefined) throw new CliUsageError(`Expected --${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} with --template: only a template has parameters, Lambda functions and DynamoDB tables.`);
  }
  if (flags.dataDir !== undefined && flags.dynamodbEndpoint !== undefined) throw new CliUsageError('Expected --data-dir or --dynamodb-endpoint, not both: --data-dir keeps the embedded engine\'s data.');
  if (flags.jwks !== undefined) {
    if (flags.template === undefined) throw new CliUsageError("Expected --jwks with --template: it checks the signatures of tokens from the template's user pools and OIDC providers.");
  }
  // The JWKS adds no mode: the listening line's "plus …" names only what the auth flags accept.
  const authOptions = flags.jwks === undefined ? auth.options : { ...auth.options, jwks: readJwks(await readTextFile(flags.jwks, 'JWKS'), flags.jwks) };
  const schema = flags.template !== undefined ? undefined : flags.schema === undefined ? CHAT_SCHEMA : await readTextFile(flags.schema, 'schema');
  const { startLocalAppSync } = await import('../../testing/node-server.js');
  let server: LocalAppSync;
  try {
    server = await startLocalAppSync({
      ...(flags.template !== undefined
        ? { template: flags.template, parameters: pairs(flags.parameter, '--parameter'), lambdas: pairs(flags.lambda, '--lambda'), dynamodbEndpoint: flags.dynamodbEndpoint, dataDir: flags.dataDir, resolverLog: (line: string) => note(io, line), watch: flags.watch, onReload: (outcome: TemplateReload) => note(io, reloadLine(outcome)) }
        : { schema }),
      auth: authOptions,
      port: flags.port,
      hostname: flags.hostname,
      publicHost: flags.publicHost,
      events: { namespaces },
    });
  } catch (error) {
    if (error instanceof TransportConfigurationError) {
      throw new CliUsageError(flags.template !== undefined ? error.message : `${flags.schema ?? 'the bundled schema'}: ${error.message}`, { cause: error });
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new CliError(`Port ${flags.port} on ${flags.hostname} is in use: pick another with --port (0 picks a free one).`, EXIT.FAILURE, { cause: error });
    }
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new CliError(`Cannot listen on ${flags.hostname}:${flags.port} (${code}): pick another --port or --hostname.`, EXIT.FAILURE, { cause: error });
    }
    throw error;
  }
  let stop: (reason: StopReason) => void = () => {};
  const stopped = new Promise<StopReason>((resolve) => (stop = resolve));
  const stopListening = onStopRequest(io, (reason) => stop(reason));
  try {
    // An Events-only template has no GraphQL API to point at.
    if (server.schema !== undefined) {
      out(io, `HTTP: ${server.url}`);
      out(io, `real-time: ${server.realtimeUrl}`);
    }
    out(io, `events: ${server.eventsUrl}`);
    if (server.schema !== undefined) out(io, `page: http://${server.host}/`);
    for (const key of server.apiKeys) out(io, `api key: ${key}`);
    note(
      io,
      `local AppSync listening (${flags.template !== undefined ? `template: ${flags.template}${flags.watch === true ? ', watching it and its files' : ''}` : `schema: ${flags.schema ?? 'bundled chat schema'}`}; auth: ${flags.template !== undefined ? `the template's modes, ${server.apiKeys.length} API key${server.apiKeys.length === 1 ? '' : 's'} made for it${auth.options ? `, plus ${auth.description}` : ''}${server.authNotes.length > 0 ? `; ${server.authNotes.join(' ')}` : ''}` : auth.description}), Events namespaces: ${server.events.namespaceNames.join(', ')}. Press Ctrl-C to stop.`,
    );
    if (server.notEmulated.size > 0) note(io, `not emulated (no local meaning): ${[...server.notEmulated].map(([id, type]) => `${id} (${type})`).join(', ')}`);
    const served = { apiKeys: [...server.apiKeys, ...(flags.apiKey ?? [])], madeApiKeys: server.apiKeys, jwts: flags.jwt ?? [], lambdaTokens: flags.lambdaToken ?? [], iamAccessKeyId: flags.iamAccessKeyId, iamSessionToken: flags.iamSessionToken !== undefined };
    for (const line of firstSessionLines(server, server.schema, served, server.events.namespaceNames[0] ?? namespaces[0])) note(io, line);
    const reason = await stopped;
    note(io, `stopping (${reason})`);
    return exitCodeForStop(reason);
  } finally {
    await server.close();
    stopListening();
    note(io, 'stopped');
  }
}

/** What `--watch` says after a reload: what it serves now, or why the last good version still serves. */
export function reloadLine(outcome: TemplateReload): string {
  return outcome.ok
    ? `reloaded: ${[
        ...(outcome.resolvers > 0 || outcome.namespaces === undefined ? [`${outcome.resolvers} resolver${outcome.resolvers === 1 ? '' : 's'}`] : []),
        ...(outcome.namespaces !== undefined ? [`${outcome.namespaces} Events namespace${outcome.namespaces === 1 ? '' : 's'}`] : []),
        ...(outcome.schemaChanged ? ['a new schema'] : []),
      ].join(', ')}; live connections kept.`
    : `reload failed, still serving the last good version: ${outcome.error.message}`;
}

/** `Name=Value` flags as an object; a flag without `=` is a usage error naming it. */
function pairs(values: readonly string[] = [], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`Expected ${flag} Name=Value, but got ${JSON.stringify(value.slice(0, 80))}.`);
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

/** The Events namespaces from `--events-namespace`, checked here (the server would blame the schema). */
function eventsNamespaces(names: readonly string[] = []): string[] {
  for (const name of names) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/.test(name)) {
      throw new CliUsageError(
        `Expected each --events-namespace to be 1 to 50 characters of [A-Za-z0-9-], not starting or ending with "-", but ${JSON.stringify(name.slice(0, 60))} is not.`,
      );
    }
  }
  return names.length === 0 ? [DEFAULT_EVENTS_NAMESPACE] : [...new Set(names)];
}

/** A JWKS file's text as `{ keys }`, or a usage error saying what is wrong (without quoting it). */
function readJwks(text: string, file: string): { keys: Record<string, unknown>[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliUsageError(`Expected the --jwks file "${file}" to hold JSON, but it does not parse.`);
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'object' && key !== null && !Array.isArray(key))) {
    throw new CliUsageError(`Expected the --jwks file "${file}" to be a JWKS, {"keys": [{...}, ...]}, but it has no list of keys.`);
  }
  return { keys: keys as Record<string, unknown>[] };
}

/** The server's auth rules from the flags; none at all accepts everything. Never echoes a secret. */
function localAuth(flags: ServeFlags): { options: LocalAuthOptions | undefined; description: string } {
  const options: LocalAuthOptions = {};
  const modes: string[] = [];
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const { apiKey = [], jwt = [], lambdaToken = [] } = flags;
  if (apiKey.length > 0) {
    options.apiKeys = [...apiKey];
    modes.push(count(apiKey.length, 'API key'));
  }
  if (jwt.length > 0) {
    options.jwt = [...jwt];
    modes.push(count(jwt.length, 'JWT'));
  }
  if (lambdaToken.length > 0) {
    const tokens = new Set(lambdaToken);
    options.lambda = (token) => tokens.has(token);
    modes.push(count(tokens.size, 'Lambda token'));
  }
  const { iamAccessKeyId: id, iamSecretAccessKey: secret, iamSessionToken: sessionToken } = flags;
  if (id !== undefined || secret !== undefined || sessionToken !== undefined) {
    if (id === undefined || secret === undefined) {
      throw new CliUsageError('Expected --iam-access-key-id and --iam-secret-access-key together, but got only one of them.');
    }
    options.iam = { credentials: { [id]: sessionToken !== undefined ? { secretAccessKey: secret, sessionToken } : { secretAccessKey: secret } } };
    modes.push('IAM');
  }
  return modes.length === 0
    ? { options: undefined, description: 'none, every request is accepted' }
    : { options, description: modes.join(', ') };
}
