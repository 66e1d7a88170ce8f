/**
 * AppSync's DynamoDB requests (the objects a resolver's `request` returns) run through the AWS
 * SDK: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan (with AppSync's `nextToken`),
 * BatchGetItem, BatchPutItem, BatchDeleteItem, TransactGetItems, TransactWriteItems. This file
 * only reshapes requests and answers; the engine decides everything DynamoDB decides.
 * Failures come back as AppSync reports them: `ctx.error.type` `DynamoDB:<Exception>`, and for a
 * failed condition the item as it is now in `ctx.result`.
 */
import type { DynamoDBEngine } from './dynamodb-engine.js';
import { DataSourceEngineError, DataSourceRequestError, type DataSourceAnswer, type DataSourceRunner } from './types.js';

type Json = Record<string, unknown>;
type Expression = { expression?: string; expressionNames?: Record<string, string>; expressionValues?: Json };

/** AppSync writes numbers as JSON numbers (`{ "N": 3 }`) and null as `{ "NULL": null }`; the SDK wants strings and `true`. */
export function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value as Json)) {
    if (key === 'N' && (typeof inner === 'number' || typeof inner === 'string')) out.N = String(inner);
    else if (key === 'NS' && Array.isArray(inner)) out.NS = inner.map(String);
    else if (key === 'NULL') out.NULL = true;
    else out[key] = toWire(inner);
  }
  return out;
}

export class DynamoDBDataSource implements DataSourceRunner {
  readonly #engine: DynamoDBEngine;
  readonly #table: string;
  readonly #unmarshall: (item: Json) => Json;

  constructor(engine: DynamoDBEngine, tableName: string, unmarshall: (item: Json, options?: object) => Json) {
    this.#engine = engine;
    this.#table = tableName;
    // Sets become lists and binaries base64, as AppSync returns them in JSON.
    this.#unmarshall = (item) => plain(unmarshall(item, { wrapNumbers: false })) as Json;
  }

  async invoke(request: unknown): Promise<DataSourceAnswer> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new DataSourceRequestError('The DynamoDB request must be an object with an "operation", as the request handler returns it.');
    }
    const r = request as Json;
    try {
      return await this.#run(String(r.operation), r);
    } catch (error) {
      if (error instanceof DataSourceRequestError || error instanceof DataSourceEngineError) throw error;
      return this.#failure(error, r);
    }
  }

  async #run(operation: string, r: Json): Promise<DataSourceAnswer> {
    const { sdk, client } = this.#engine;
    if (this.#engine.embedded && (operation === 'TransactGetItems' || operation === 'TransactWriteItems')) {
      // dynalite implements no transactions, and the local AppSync writes no DynamoDB semantics of its own.
      throw new DataSourceEngineError(
        `${operation} needs DynamoDB transactions, which the embedded engine (dynalite) does not have: run DynamoDB Local (docker run -p 8000:8000 amazon/dynamodb-local) and pass --dynamodb-endpoint http://localhost:8000 (startLocalAppSync({ dynamodbEndpoint })).`,
        'NotImplemented',
      );
    }
    const item = (x: unknown): Json | null => (x === undefined || x === null ? null : this.#unmarshall(x as Json));
    const table = this.#table;
    switch (operation) {
      case 'GetItem': {
        const out = await client.send(new sdk.GetItemCommand({ TableName: table, Key: key(r), ConsistentRead: bool(r.consistentRead), ...projection(r.projection) }));
        return { result: item(out.Item) };
      }
      case 'PutItem': {
        const values: Json = { ...(toWire(r.attributeValues ?? {}) as Json), ...(key(r) as Json) };
        await client.send(new sdk.PutItemCommand({ TableName: table, Item: values as never, ...expressions(r.condition, 'ConditionExpression') }));
        return { result: item(values) };
      }
      case 'UpdateItem': {
        const update = (r.update ?? {}) as Expression;
        if (typeof update.expression !== 'string') throw new DataSourceRequestError('An UpdateItem request needs update.expression.');
        const merged = merge(r.condition as Expression | undefined, update);
        const out = await client.send(
          new sdk.UpdateItemCommand({ TableName: table, Key: key(r), UpdateExpression: update.expression, ...(hasExpression(r.condition) ? { ConditionExpression: (r.condition as Expression).expression } : {}), ...merged, ReturnValues: 'ALL_NEW' }),
        );
        return { result: item(out.Attributes) };
      }
      case 'DeleteItem': {
        const out = await client.send(new sdk.DeleteItemCommand({ TableName: table, Key: key(r), ...expressions(r.condition, 'ConditionExpression'), ReturnValues: 'ALL_OLD' }));
        return { result: item(out.Attributes) };
      }
      case 'Query':
      case 'Scan': {
        const query = r.query as Expression | undefined;
        if (operation === 'Query' && (query === undefined || typeof query.expression !== 'string')) throw new DataSourceRequestError('A Query request needs query.expression (the key condition).');
        const filter = r.filter as Expression | undefined | null;
        const names = { ...query?.expressionNames, ...(filter ?? undefined)?.expressionNames, ...(r.projection as Expression | undefined)?.expressionNames };
        const values = { ...(toWire(query?.expressionValues ?? {}) as Json), ...(toWire(filter?.expressionValues ?? {}) as Json) };
        const input = {
          TableName: table,
          ...(typeof r.index === 'string' ? { IndexName: r.index } : {}),
          ...(typeof r.limit === 'number' ? { Limit: r.limit } : {}),
          ...(typeof r.nextToken === 'string' ? { ExclusiveStartKey: decodeToken(r.nextToken) } : {}),
          ...(hasExpression(filter) ? { FilterExpression: filter?.expression } : {}),
          ...(hasExpression(r.projection) ? { ProjectionExpression: (r.projection as Expression).expression } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values as never } : {}),
          ...(typeof r.consistentRead === 'boolean' ? { ConsistentRead: r.consistentRead } : {}),
          ...(typeof r.select === 'string' ? { Select: selectOf(r.select) } : {}),
        };
        const out =
          operation === 'Query'
            ? await client.send(new sdk.QueryCommand({ ...input, KeyConditionExpression: query?.expression, ...(typeof r.scanIndexForward === 'boolean' ? { ScanIndexForward: r.scanIndexForward } : {}) }))
            : await client.send(new sdk.ScanCommand({ ...input, ...(typeof r.segment === 'number' ? { Segment: r.segment, TotalSegments: Number(r.totalSegments) } : {}) }));
        return { result: { items: (out.Items ?? []).map((i) => item(i)), nextToken: out.LastEvaluatedKey ? encodeToken(out.LastEvaluatedKey) : null, scannedCount: out.ScannedCount ?? 0 } };
      }
      case 'BatchGetItem': {
        const tables = tablesOf(r);
        const requestItems = Object.fromEntries(
          Object.entries(tables).map(([name, spec]) => {
            const s = spec as Json;
            return [name, { Keys: (s.keys as unknown[]).map((k) => toWire(k)), ...(typeof s.consistentRead === 'boolean' ? { ConsistentRead: s.consistentRead } : {}), ...projection(s.projection) }];
          }),
        );
        const out = await client.send(new sdk.BatchGetItemCommand({ RequestItems: requestItems as never }));
        // AppSync answers in the order of the keys, null for a key with no item.
        const data: Json = {};
        for (const [name, spec] of Object.entries(tables)) {
          const found = (out.Responses?.[name] ?? []).map((i) => item(i) as Json);
          data[name] = ((spec as Json).keys as Json[]).map((k) => found.find((f) => sameKey(f, item(toWire(k)) as Json)) ?? null);
        }
        return { result: { data, unprocessedKeys: Object.fromEntries(Object.entries(out.UnprocessedKeys ?? {}).map(([n, v]) => [n, (v.Keys ?? []).map((k) => item(k))])) } };
      }
      case 'BatchPutItem':
      case 'BatchDeleteItem': {
        const tables = tablesOf(r);
        const put = operation === 'BatchPutItem';
        const requestItems = Object.fromEntries(Object.entries(tables).map(([name, list]) => [name, (list as unknown[]).map((v) => (put ? { PutRequest: { Item: toWire(v) } } : { DeleteRequest: { Key: toWire(v) } }))]));
        const out = await client.send(new sdk.BatchWriteItemCommand({ RequestItems: requestItems as never }));
        const data = Object.fromEntries(Object.entries(tables).map(([name, list]) => [name, (list as unknown[]).map((v) => item(toWire(v)))]));
        const unprocessed = Object.fromEntries(Object.entries(out.UnprocessedItems ?? {}).map(([n, v]) => [n, v.map((w) => item(put ? w.PutRequest?.Item : w.DeleteRequest?.Key))]));
        return { result: put ? { data, unprocessedItems: unprocessed } : { data, unprocessedKeys: unprocessed } };
      }
      case 'TransactGetItems': {
        const items = transactItems(r).map((t) => ({ Get: { TableName: String(t.table), Key: toWire(t.key) as never, ...projection(t.projection) } }));
        const out = await client.send(new sdk.TransactGetItemsCommand({ TransactItems: items }));
        return { result: { items: (out.Responses ?? []).map((x) => item(x.Item)), cancellationReasons: null } };
      }
      case 'TransactWriteItems': {
        const items = transactItems(r).map((t) => {
          const base = { TableName: String(t.table), ...expressions(t.condition, 'ConditionExpression') };
          switch (t.operation) {
            case 'PutItem':
              return { Put: { ...base, Item: { ...(toWire(t.attributeValues ?? {}) as Json), ...(toWire(t.key) as Json) } as never } };
            case 'UpdateItem': {
              const update = (t.update ?? {}) as Expression;
              return { Update: { TableName: String(t.table), Key: toWire(t.key) as never, UpdateExpression: String(update.expression), ...(hasExpression(t.condition) ? { ConditionExpression: (t.condition as Expression).expression } : {}), ...merge(t.condition as Expression | undefined, update) } };
            }
            case 'DeleteItem':
              return { Delete: { ...base, Key: toWire(t.key) as never } };
            case 'ConditionCheck':
              return { ConditionCheck: { ...base, Key: toWire(t.key) as never, ConditionExpression: String((t.condition as Expression | undefined)?.expression) } };
            default:
              throw new DataSourceRequestError(`TransactWriteItems: each item's operation must be PutItem, UpdateItem, DeleteItem or ConditionCheck, not ${JSON.stringify(t.operation)}.`);
          }
        });
        await client.send(new sdk.TransactWriteItemsCommand({ TransactItems: items }));
        return { result: { keys: transactItems(r).map((t) => item(toWire(t.key))), cancellationReasons: null } };
      }
      default:
        throw new DataSourceRequestError(`Unsupported operation ${JSON.stringify(r.operation)}: a DynamoDB request's operation is GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchPutItem, BatchDeleteItem, TransactGetItems or TransactWriteItems.`);
    }
  }

  async #failure(error: unknown, r: Json): Promise<DataSourceAnswer> {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string }; CancellationReasons?: { Code?: string; Message?: string }[] };
    const name = e.name ?? 'InternalServerError';
    const message = `${e.message ?? 'DynamoDB failed'} (Service: DynamoDb, Status Code: ${e.$metadata?.httpStatusCode ?? 500}, Request ID: ${e.$metadata?.requestId ?? 'local'})`;
    let result: unknown = null;
    if (name === 'ConditionalCheckFailedException' && r.key !== undefined) {
      // AppSync hands the response handler the item as it is now.
      const { sdk, client } = this.#engine;
      const now = await client.send(new sdk.GetItemCommand({ TableName: this.#table, Key: key(r), ConsistentRead: true })).catch(() => undefined);
      result = now?.Item ? this.#unmarshall(now.Item) : null;
    }
    if (name === 'TransactionCanceledException') result = { keys: null, cancellationReasons: (e.CancellationReasons ?? []).map((c) => ({ type: c.Code ?? 'None', message: c.Message ?? null })) };
    return { result, error: { type: `DynamoDB:${name}`, message } };
  }
}

function key(r: Json): never {
  if (typeof r.key !== 'object' || r.key === null) throw new DataSourceRequestError(`A ${String(r.operation)} request needs a "key" of DynamoDB attribute values (util.dynamodb.toMapValues({ id })).`);
  return toWire(r.key) as never;
}

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function hasExpression(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Expression).expression === 'string' && (value as Expression).expression !== '';
}

function expressions(value: unknown, as: 'ConditionExpression'): Json {
  if (!hasExpression(value)) return {};
  const e = value as Expression;
  return { [as]: e.expression, ...merge(e, undefined) };
}

function merge(a: Expression | undefined, b: Expression | undefined): Json {
  const names = { ...(hasExpression(a) ? a?.expressionNames : {}), ...b?.expressionNames };
  const values = { ...(toWire(hasExpression(a) ? (a?.expressionValues ?? {}) : {}) as Json), ...(toWire(b?.expressionValues ?? {}) as Json) };
  return { ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}), ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}) };
}

function projection(value: unknown): Json {
  if (!hasExpression(value)) return {};
  const e = value as Expression;
  return { ProjectionExpression: e.expression, ...(e.expressionNames ? { ExpressionAttributeNames: e.expressionNames } : {}) };
}

function selectOf(select: string): 'ALL_ATTRIBUTES' | 'ALL_PROJECTED_ATTRIBUTES' | 'SPECIFIC_ATTRIBUTES' | 'COUNT' {
  if (select === 'ALL_ATTRIBUTES' || select === 'ALL_PROJECTED_ATTRIBUTES' || select === 'SPECIFIC_ATTRIBUTES' || select === 'COUNT') return select;
  throw new DataSourceRequestError(`select must be ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES or SPECIFIC_ATTRIBUTES, not ${JSON.stringify(select)}.`);
}

function tablesOf(r: Json): Json {
  if (typeof r.tables !== 'object' || r.tables === null) throw new DataSourceRequestError(`A ${String(r.operation)} request needs "tables", by table name.`);
  return r.tables as Json;
}

function transactItems(r: Json): Json[] {
  if (!Array.isArray(r.transactItems)) throw new DataSourceRequestError(`A ${String(r.operation)} request needs "transactItems".`);
  return r.transactItems as Json[];
}

function sameKey(itemValue: Json, keyValue: Json): boolean {
  return Object.entries(keyValue).every(([k, v]) => JSON.stringify(itemValue[k]) === JSON.stringify(v));
}

/** AppSync's `nextToken` is opaque; here it is the last evaluated key, base64url-encoded. */
function encodeToken(lastKey: unknown): string {
  return Buffer.from(JSON.stringify(lastKey), 'utf8').toString('base64url');
}

function decodeToken(token: string): never {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as never;
  } catch {
    throw new DataSourceRequestError('The nextToken is not one this API returned.');
  }
}

function plain(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(plain);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
