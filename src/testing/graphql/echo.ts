/**
 * What a Query or Mutation root field returns when no resolver is given: AppSync's NONE data
 * source echoing its arguments, backed by the in-memory store so that what a mutation wrote a
 * query can read back.
 */
import {
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
} from 'graphql';
import type { LocalStore, StoredItem } from './store.js';

export interface EchoEnvironment {
  store: LocalStore;
  now: () => Date;
  generateId: () => string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A generated timestamp in the form the field's scalar expects. */
function timestamp(type: GraphQLOutputType, now: Date): unknown {
  const iso = now.toISOString();
  switch (getNamedType(type).name) {
    case 'AWSTimestamp':
      return Math.floor(now.getTime() / 1000);
    case 'AWSDate':
      return iso.slice(0, 10);
    case 'AWSTime':
      return iso.slice(11);
    default:
      return iso;
  }
}

/**
 * A mutation's result: its arguments (a single `input` object flattened), merged over the
 * stored item with the same id, plus a generated `id` and `createdAt`/`updatedAt` when the
 * return type has those fields and they were not given. The result is stored. A mutation named
 * `delete…` removes the item instead and returns what was stored.
 */
export function echoMutation(args: Record<string, unknown>, info: GraphQLResolveInfo, env: EchoEnvironment): unknown {
  const { input, ...rest } = args;
  const values: StoredItem = isPlainObject(input) ? { ...rest, ...input } : { ...args };
  const returnType = getNullableType(info.returnType);
  if (!isObjectType(returnType)) {
    // A scalar-returning mutation echoes its only argument, as `$util.toJson($ctx.args.x)` would.
    const given = Object.values(args);
    return given.length === 1 ? given[0] : null;
  }
  const type = returnType.name;
  const fields = returnType.getFields();
  const given = (name: string): boolean => values[name] !== undefined && values[name] !== null;
  if (info.fieldName.startsWith('delete') && given('id')) return env.store.delete(type, values.id) ?? values;
  const item: StoredItem = { ...(given('id') ? env.store.get(type, values.id) : undefined), ...values };
  const now = env.now();
  if (fields.id && !given('id')) item.id = env.generateId();
  if (fields.createdAt && (item.createdAt === undefined || item.createdAt === null)) item.createdAt = timestamp(fields.createdAt.type, now);
  if (fields.updatedAt && !given('updatedAt')) item.updatedAt = timestamp(fields.updatedAt.type, now);
  return item.id === undefined || item.id === null ? item : env.store.put(type, item);
}

/** Arguments that name a scalar field of `type` and filter by equality (null/absent ones don't). */
function filtersFor(args: Record<string, unknown>, type: GraphQLObjectType): [string, unknown][] {
  const fields = type.getFields();
  return Object.entries(args).filter(
    ([name, value]) => fields[name] !== undefined && value !== undefined && value !== null && typeof value !== 'object',
  );
}

function matching(items: StoredItem[], filters: [string, unknown][]): StoredItem[] {
  return items.filter((item) => filters.every(([name, value]) => item[name] === value));
}

function itemsOf(type: GraphQLOutputType, args: Record<string, unknown>, store: LocalStore): StoredItem[] {
  const itemType = getNamedType(type);
  return isObjectType(itemType) ? matching(store.list(itemType.name), filtersFor(args, itemType)) : [];
}

/**
 * A query's result from the store: a list type gets every item of its item type; an object
 * type with an `items` list field (a connection) gets `{ items }`; an object type gets the item
 * whose fields equal the arguments (usually `id`), or null. Arguments naming a field of the
 * item type filter lists too (`listMessages(room: "A")`).
 */
export function readQuery(args: Record<string, unknown>, info: GraphQLResolveInfo, store: LocalStore): unknown {
  const returnType = getNullableType(info.returnType);
  if (isListType(returnType)) return itemsOf(returnType, args, store);
  if (!isObjectType(returnType)) return null;
  const itemsField = returnType.getFields().items;
  if (itemsField !== undefined && isListType(getNullableType(itemsField.type))) {
    return { items: itemsOf(itemsField.type, args, store), nextToken: null };
  }
  const filters = filtersFor(args, returnType);
  if (filters.length === 0) return null;
  const byId = filters.find(([name]) => name === 'id');
  const candidates = byId ? [store.get(returnType.name, byId[1])].filter((i) => i !== undefined) : store.list(returnType.name);
  return matching(candidates, filters)[0] ?? null;
}
