/**
 * AppSync's scalar types and how values of each are checked, as the AppSync developer guide
 * ("Scalar types in AWS AppSync") describes them. Checks are deliberately a little looser than
 * AppSync where its rules are vague (phone numbers, e-mail): a local server that rejects what
 * AppSync accepts is worse than one that accepts a little more.
 */
import { GraphQLError, Kind, print, type GraphQLScalarType, type ValueNode } from 'graphql';

/** The scalar names AppSync declares implicitly, in the order of the AppSync guide. */
export const APPSYNC_SCALAR_NAMES = [
  'AWSDate',
  'AWSTime',
  'AWSDateTime',
  'AWSTimestamp',
  'AWSEmail',
  'AWSJSON',
  'AWSURL',
  'AWSPhone',
  'AWSIPAddress',
] as const;

export type AppSyncScalarName = (typeof APPSYNC_SCALAR_NAMES)[number];

const OFFSET = '(?:Z|[+-]\\d{2}:\\d{2}(?::\\d{2})?)';
const DATE = '\\d{4}-\\d{2}-\\d{2}';
// Seconds and nanoseconds (1 to 9 digits) are optional in AWSTime and AWSDateTime.
const TIME = '\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?';
const IPV4 = '(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)';

const STRING_FORMATS: Record<Exclude<AppSyncScalarName, 'AWSTimestamp' | 'AWSJSON' | 'AWSURL'>, RegExp> = {
  AWSDate: new RegExp(`^${DATE}${OFFSET}?$`),
  AWSTime: new RegExp(`^${TIME}${OFFSET}?$`),
  // The offset is compulsory in AWSDateTime.
  AWSDateTime: new RegExp(`^${DATE}T${TIME}${OFFSET}$`),
  AWSEmail: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  AWSPhone: /^\+?[\d\s().-]{3,}\d$/,
  AWSIPAddress: new RegExp(`^(?:${IPV4}(?:/\\d{1,2})?|[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:/\\d{1,3})?)$`),
};

/** Why `value` is not a valid `name`, or undefined when it is. */
export function checkAppSyncScalar(name: AppSyncScalarName, value: unknown): string | undefined {
  switch (name) {
    case 'AWSTimestamp':
      return Number.isSafeInteger(value) ? undefined : `${name} expects an integer number of seconds since the epoch`;
    case 'AWSJSON':
      if (typeof value !== 'string') return undefined;
      try {
        JSON.parse(value);
        return undefined;
      } catch {
        return `${name} expects a string holding valid JSON`;
      }
    case 'AWSURL':
      if (typeof value !== 'string') return `${name} expects a string`;
      try {
        new URL(value);
        return undefined;
      } catch {
        return `${name} expects an absolute URL with a scheme (https://…, mailto:…)`;
      }
    default:
      if (typeof value !== 'string') return `${name} expects a string`;
      return STRING_FORMATS[name].test(value) ? undefined : `${name} does not accept ${JSON.stringify(value)}`;
  }
}

/** The JSON value a literal stands for (AWSJSON accepts a string holding JSON, or any literal). */
function literalValue(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
      return Number.parseInt(node.value, 10);
    case Kind.FLOAT:
      return Number.parseFloat(node.value);
    case Kind.BOOLEAN:
      return node.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literalValue);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalValue(f.value)]));
    case Kind.VARIABLE:
      throw new GraphQLError(`Variables are not allowed inside an AWSJSON literal ($${node.name.value}).`, { nodes: node });
  }
}

function parsed(name: AppSyncScalarName, value: unknown, node?: ValueNode): unknown {
  const problem = checkAppSyncScalar(name, value);
  if (problem !== undefined) throw new GraphQLError(problem, node ? { nodes: node } : {});
  // Resolvers see AWSJSON as the value it holds, as AppSync resolvers do.
  if (name === 'AWSJSON' && typeof value === 'string') return JSON.parse(value) as unknown;
  return value;
}

/**
 * Gives a scalar built from SDL AppSync's checks and serialization. Only for schemas this
 * module has just built: it mutates the type.
 */
export function applyAppSyncScalar(type: GraphQLScalarType, name: AppSyncScalarName): void {
  type.parseValue = (value) => parsed(name, value);
  type.parseLiteral = (node) => {
    if (name === 'AWSJSON') return parsed(name, node.kind === Kind.STRING ? node.value : literalValue(node), node);
    if (name === 'AWSTimestamp') {
      if (node.kind !== Kind.INT) throw new GraphQLError(`${name} expects an integer literal, got ${print(node)}`, { nodes: node });
      return parsed(name, Number.parseInt(node.value, 10), node);
    }
    if (node.kind !== Kind.STRING) throw new GraphQLError(`${name} expects a string literal, got ${print(node)}`, { nodes: node });
    return parsed(name, node.value, node);
  };
  // Output is lenient (a resolver's Date becomes an ISO string), except that AWSJSON is always
  // sent as a JSON string, as AppSync does.
  type.serialize = (value) => {
    if (name === 'AWSJSON') return typeof value === 'string' ? value : JSON.stringify(value);
    if (value instanceof Date) {
      if (name === 'AWSTimestamp') return Math.floor(value.getTime() / 1000);
      const iso = value.toISOString();
      return name === 'AWSDate' ? iso.slice(0, 10) : name === 'AWSTime' ? iso.slice(11) : iso;
    }
    return value;
  };
}
