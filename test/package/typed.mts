// Type-checked with tsc --noEmit, strict, skipLibCheck off, under nodenext and bundler resolution.
import { buildSchema, parse, type GraphQLSchema } from 'graphql';
import {
  AppSyncApiKeyAuthentication,
  AppSyncIAMAuthentication,
  AppSyncWebsocketsTransport,
  Client,
  TransportError,
  isTransportError,
  type TypedDocumentNode,
} from 'appsync-websockets';
import { CHAT_SCHEMA, startLocalAppSync, type LocalAppSync } from 'appsync-websockets/testing';

// The app's own GraphQLSchema, from the app's graphql (TS2322 when the library had its own copy).
const schema: GraphQLSchema = buildSchema('type Query { hello: String }');
const client = new Client({ url: 'https://example.appsync-api.eu-west-1.amazonaws.com/graphql', schema });

const OnCreate = parse('subscription { onCreateMessage { id } }') as TypedDocumentNode<{ onCreateMessage: { id: string } | null }, Record<string, never>>;
export async function first(): Promise<string | undefined> {
  for await (const result of client.subscribe(OnCreate)) return result.data?.onCreateMessage?.id;
  return undefined;
}

const transport = new AppSyncWebsocketsTransport({ url: 'wss://example.com/graphql', auth: new AppSyncIAMAuthentication({ region: 'eu-west-1' }) });
transport.on('connected', () => undefined);

// @ts-expect-error: an API key is a string (proves the package's types are used, not `any`).
new AppSyncApiKeyAuthentication({ apiKey: 42 });

export function describe(error: unknown): string {
  return isTransportError(error) ? `${error.name} ${error.code}` : error instanceof TransportError ? 'never' : 'other';
}

export const server: Promise<LocalAppSync> = startLocalAppSync({ schema: CHAT_SCHEMA });
