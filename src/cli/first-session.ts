/**
 * What `serve` prints after its URLs: command lines for a first session that work as pasted,
 * against this server with its schema and auth. Written on stderr (stdout keeps its four
 * `name: url` lines for scripts).
 */
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLSchema } from 'graphql';
import { chatShape } from '../testing/live-page.js';

export interface FirstSessionServer {
  url: string;
  eventsUrl: string;
  host: string;
}

/**
 * The auth `serve` accepts. The lines never print a secret (a key typed for `serve` may be a real
 * one, and its output may land in a log): with keys or tokens they say which APPSYNC_* variable
 * to set, which the client commands read; with IAM, the access key id and a placeholder for the
 * secret. Without auth flags the server accepts anything, and the lines pass a made-up API key
 * (the CLI's default, IAM, would want credentials and a region).
 */
export interface ServedAuth {
  apiKeys: readonly string[];
  /**
   * The keys `serve` made for a template's `AWS::AppSync::ApiKey` resources (also in `apiKeys`):
   * made here, never typed, so the lines may show the first one. @default none
   */
  madeApiKeys?: readonly string[];
  jwts: readonly string[];
  lambdaTokens: readonly string[];
  iamAccessKeyId: string | undefined;
  /** Whether serve was given `--iam-session-token` (temporary credentials: the commands need it too). @default false */
  iamSessionToken?: boolean;
}

/** POSIX shell quoting: bare when safe, else single quotes. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function authFor(auth: ServedAuth): { setup: string | undefined; prefix: string; flag: string } {
  const env = (name: string, flag: string): { setup: string; prefix: string; flag: string } => ({
    setup: `First set ${name} to the ${flag} value serve was given (the commands read it; it is not printed here): export ${name}=…`,
    prefix: '',
    flag: '',
  });
  const made = auth.madeApiKeys?.[0];
  if (made !== undefined) {
    return { setup: `First set APPSYNC_API_KEY to the key serve made for the template's AWS::AppSync::ApiKey (the "api key:" line; the commands read it): export APPSYNC_API_KEY=${made}`, prefix: '', flag: '' };
  }
  if (auth.apiKeys.length > 0) return env('APPSYNC_API_KEY', '--api-key');
  if (auth.jwts.length > 0) return env('APPSYNC_JWT', '--jwt');
  if (auth.lambdaTokens.length > 0) return env('APPSYNC_LAMBDA_TOKEN', '--lambda-token');
  if (auth.iamAccessKeyId !== undefined) {
    return {
      setup: auth.iamSessionToken
        ? 'First set AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN to the --iam-secret-access-key and --iam-session-token serve was given (not printed here): export AWS_SECRET_ACCESS_KEY=… AWS_SESSION_TOKEN=…'
        : 'First set AWS_SECRET_ACCESS_KEY to the --iam-secret-access-key serve was given (not printed here): export AWS_SECRET_ACCESS_KEY=…',
      prefix: `AWS_ACCESS_KEY_ID=${shellQuote(auth.iamAccessKeyId)} `,
      flag: ' --region us-east-1',
    };
  }
  return { setup: undefined, prefix: '', flag: ' --api-key da2-local' };
}

/** A subscription and an operation for `query` that fit the schema. */
function documents(schema: GraphQLSchema): { subscription: string | undefined; operation: string } {
  const chat = chatShape(schema);
  if (chat !== undefined) {
    return {
      subscription: `subscription { onCreateMessage { ${chat.fields.join(' ')} } }`,
      // The same selection: a subscription receives only what the mutation selected (AppSync's rule).
      operation: `mutation { createMessage(room: "lobby", text: "hello") { ${chat.fields.join(' ')} } }`,
    };
  }
  const field = Object.values(schema.getSubscriptionType()?.getFields() ?? {}).find((f) => f.args.every((a) => !isNonNullType(a.type)));
  let subscription: string | undefined;
  if (field !== undefined) {
    const type = getNamedType(field.type);
    const leaves = isObjectType(type) ? Object.values(type.getFields()).filter((f) => isLeafType(getNamedType(f.type)) && f.args.length === 0).map((f) => f.name) : [];
    subscription = isObjectType(type) ? `subscription { ${field.name} { ${leaves.length > 0 ? leaves.slice(0, 4).join(' ') : '__typename'} } }` : `subscription { ${field.name} }`;
  }
  return { subscription, operation: '{ __typename }' };
}

/** The lines to print, each a comment or a command. */
export function firstSessionLines(
  server: FirstSessionServer,
  /** undefined for an Events-only template: only the Events lines. */
  schema: GraphQLSchema | undefined,
  auth: ServedAuth,
  eventsNamespace = 'default',
  program = 'npx appsync-websockets',
): string[] {
  const { setup, prefix, flag } = authFor(auth);
  const lines = ['Try it, each in its own terminal:'];
  if (setup !== undefined) lines.push(`  ${setup}`);
  const { subscription, operation } = schema === undefined ? { subscription: undefined, operation: undefined } : documents(schema);
  if (subscription !== undefined) lines.push(`  ${prefix}${program} subscribe ${server.url} ${shellQuote(subscription)}${flag}`);
  if (operation !== undefined) lines.push(`  ${prefix}${program} query ${server.url} ${shellQuote(operation)}${flag}`);
  lines.push(`  ${prefix}${program} events subscribe ${server.eventsUrl} ${shellQuote(`/${eventsNamespace}/*`)}${flag}`);
  lines.push(`  ${prefix}${program} events publish ${server.eventsUrl} /${eventsNamespace}/chat '{"text":"hello"}'${flag}`);
  if (schema === undefined) return lines;
  const chat = chatShape(schema) !== undefined;
  lines.push(
    chat
      ? `The page http://${server.host}/ is a live chat on this server${auth.apiKeys.length > 0 ? ' (add ?apiKey=<key> to its URL)' : ''}.`
      : `The page http://${server.host}/ needs the bundled chat schema (or one with createMessage(room, text) and onCreateMessage): this schema has no such fields.`,
  );
  return lines;
}
