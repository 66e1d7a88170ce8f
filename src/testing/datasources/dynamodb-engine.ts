/**
 * The DynamoDB the local AppSync talks to: dynalite (DynamoDB's API on LevelDB: in memory, or on
 * disk under `dataDir`), or a real DynamoDB / DynamoDB Local endpoint. Either way through the AWS
 * SDK's client, so every semantic (conditions, expressions, indexes, pagination) is the engine's.
 * The template's tables are created when missing.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TransportConfigurationError } from '../../errors.js';
import { loadOptional } from '../appsync-js/optional.js';
import type { TableModel } from '../template/model.js';

export interface DynamoDBEngineOptions {
  /** A DynamoDB endpoint to use instead of the embedded engine (`http://localhost:8000`). */
  endpoint?: string | undefined;
  /** Keep the embedded engine's data in this folder. @default in memory */
  dataDir?: string | undefined;
  region: string;
}

export interface DynamoDBEngine {
  client: DynamoDBClient;
  sdk: typeof import('@aws-sdk/client-dynamodb');
  /** The embedded engine (dynalite), which has no TransactGetItems / TransactWriteItems. */
  embedded: boolean;
  close(): Promise<void>;
}

export async function startDynamoDB(tables: TableModel[], options: DynamoDBEngineOptions): Promise<DynamoDBEngine> {
  const sdk = await loadOptional<typeof import('@aws-sdk/client-dynamodb')>('@aws-sdk/client-dynamodb', 'for AMAZON_DYNAMODB data sources');
  let server: Server | undefined;
  let endpoint = options.endpoint;
  if (endpoint === undefined) {
    const dynalite = (await loadOptional<{ default: (o: object) => Server }>('dynalite', 'for AMAZON_DYNAMODB data sources')).default;
    // Tables are ACTIVE at once: nothing here waits for a real table to be provisioned.
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.dataDir ? { path: options.dataDir } : {}) });
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject);
      server?.listen(0, '127.0.0.1', () => resolve());
    });
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const client = new sdk.DynamoDBClient({
    endpoint,
    region: signingRegion(endpoint, options.region),
    // The embedded engine checks no signature; a real endpoint given with --dynamodb-endpoint
    // uses the usual credential chain.
    ...(options.endpoint === undefined ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 1,
  });
  const close = async (): Promise<void> => {
    client.destroy();
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
  };
  const engine: DynamoDBEngine = { client, sdk, embedded: options.endpoint === undefined, close };
  try {
    await ensureTables(engine, tables);
  } catch (error) {
    await close();
    if (options.endpoint !== undefined && (error as Error).name === 'CredentialsProviderError') {
      throw new TransportConfigurationError(
        `Requests to the DynamoDB endpoint ${options.endpoint} (--dynamodb-endpoint) are signed with the AWS SDK's credential chain, which found no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values for DynamoDB Local, e.g. local) or AWS_PROFILE.`,
        { cause: error },
      );
    }
    throw error;
  }
  return engine;
}

/** The region requests are signed for: the one a real DynamoDB endpoint names (`https://dynamodb.eu-west-1.amazonaws.com`), else `fallback`. */
export function signingRegion(endpoint: string, fallback: string): string {
  return /^https?:\/\/dynamodb(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?\/?$/i.exec(endpoint)?.[1] ?? fallback;
}

/** Creates the tables that are missing (at start, and when `--watch` reloads a template that adds one). */
export async function ensureTables({ client, sdk }: DynamoDBEngine, tables: TableModel[]): Promise<void> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new sdk.ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  for (const table of tables) {
    if (existing.has(table.tableName)) continue;
    await client.send(
      new sdk.CreateTableCommand({
        TableName: table.tableName,
        KeySchema: table.keySchema,
        AttributeDefinitions: table.attributeDefinitions,
        BillingMode: 'PAY_PER_REQUEST',
        ...(table.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes as never } : {}),
        ...(table.localSecondaryIndexes.length > 0 ? { LocalSecondaryIndexes: table.localSecondaryIndexes as never } : {}),
      }),
    );
  }
}
