/**
 * CloudFormation's intrinsic functions, evaluated as a deploy would: `Ref`, `Fn::GetAtt`,
 * `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` (with `AWS::NoValue`),
 * `Fn::Equals`/`And`/`Or`/`Not` in conditions, `Fn::FindInMap`, `Fn::Base64`, `Fn::GetAZs`,
 * `Fn::Length` and `Fn::ToJsonString`. What only a real account can answer (`Fn::ImportValue`,
 * `Fn::Cidr`, macros) is an error naming the resource and what to do instead.
 */
import { TemplateError } from './template-error.js';

/** What `Ref`/`GetAtt`/conditions resolve against; the loader provides it. */
export interface IntrinsicScope {
  /** A parameter's or pseudo parameter's value, or a resource's `Ref`; undefined for an unknown name. */
  ref(name: string): unknown;
  /** A resource attribute; throws a TemplateError for an unknown resource or attribute. */
  getAtt(logicalId: string, attribute: string): unknown;
  /** A named condition's value; throws for an unknown one. */
  condition(name: string): boolean;
  mappings: Record<string, unknown>;
  region: string;
}

/** `Ref: AWS::NoValue`: the property is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export type Where = { resource?: string | undefined; file: string };

/** The value with every intrinsic function evaluated (`NO_VALUE` entries removed). */
export function resolveIntrinsics(value: unknown, scope: IntrinsicScope, where: Where): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, scope, where)).filter((v) => v !== NO_VALUE);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined && isIntrinsic(only[0])) return evaluate(only[0], only[1], scope, where);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of entries) {
    const resolved = resolveIntrinsics(inner, scope, where);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function isIntrinsic(key: string): boolean {
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

function fail(where: Where, message: string): never {
  throw new TemplateError(message, where);
}

function evaluate(fn: string, arg: unknown, scope: IntrinsicScope, where: Where): unknown {
  const resolve = (v: unknown): unknown => resolveIntrinsics(v, scope, where);
  switch (fn) {
    case 'Ref': {
      if (typeof arg !== 'string') fail(where, `expected Ref to name a parameter or resource, but got ${JSON.stringify(arg)}.`);
      const value = scope.ref(arg);
      if (value === undefined) fail(where, `!Ref ${arg} names no parameter, pseudo parameter or resource of this template (check the spelling).`);
      return value;
    }
    case 'Condition':
      return scope.condition(String(arg));
    case 'Fn::GetAtt': {
      const parts = typeof arg === 'string' ? splitGetAtt(arg) : (resolve(arg) as unknown[]);
      if (!Array.isArray(parts) || parts.length !== 2 || typeof parts[0] !== 'string' || typeof parts[1] !== 'string') {
        fail(where, `expected Fn::GetAtt to be "Resource.Attribute" or [Resource, Attribute], but got ${JSON.stringify(arg)}.`);
      }
      return scope.getAtt(parts[0], parts[1]);
    }
    case 'Fn::Sub':
      return substitute(arg, scope, where);
    case 'Fn::Join': {
      const [separator, list] = asPair(arg, 'Fn::Join', where);
      const items = resolve(list);
      if (typeof separator !== 'string' || !Array.isArray(items)) fail(where, 'expected Fn::Join to be [separator, [values…]].');
      return items.map((item) => scalar(item, 'Fn::Join', where)).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = asPair(arg, 'Fn::Select', where);
      const items = resolve(list);
      const i = Number(resolve(index));
      if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
        fail(where, `Fn::Select index ${JSON.stringify(index)} is outside the list (${Array.isArray(items) ? items.length : 0} items).`);
      }
      return items[i];
    }
    case 'Fn::Split': {
      const [separator, text] = asPair(arg, 'Fn::Split', where);
      return scalar(resolve(text), 'Fn::Split', where).split(String(separator));
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') fail(where, 'expected Fn::If to be [condition, valueIfTrue, valueIfFalse].');
      return resolve(scope.condition(arg[0]) ? arg[1] : arg[2]);
    }
    case 'Fn::Equals': {
      const [a, b] = asPair(arg, 'Fn::Equals', where);
      return JSON.stringify(resolve(a)) === JSON.stringify(resolve(b));
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) fail(where, `expected ${fn} to be a list of 2 to 10 conditions.`);
      const values = arg.map((c) => resolve(c) === true);
      return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
    }
    case 'Fn::Not': {
      if (!Array.isArray(arg) || arg.length !== 1) fail(where, 'expected Fn::Not to be a list of one condition.');
      return resolve(arg[0]) !== true;
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(arg) || arg.length < 3) fail(where, 'expected Fn::FindInMap to be [MapName, TopLevelKey, SecondLevelKey].');
      const [map, top, second] = arg.map(resolve).map((v) => String(v));
      const found = (scope.mappings[map ?? ''] as Record<string, Record<string, unknown>> | undefined)?.[top ?? '']?.[second ?? ''];
      if (found === undefined) fail(where, `Fn::FindInMap: the template's Mappings have no ${map}.${top}.${second}.`);
      return found;
    }
    case 'Fn::Base64':
      return Buffer.from(scalar(resolve(arg), 'Fn::Base64', where), 'utf8').toString('base64');
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((zone) => `${scope.region}${zone}`);
    case 'Fn::Length': {
      const list = resolve(arg);
      if (!Array.isArray(list)) fail(where, 'expected Fn::Length to be given a list.');
      return list.length;
    }
    case 'Fn::ToJsonString':
      return JSON.stringify(resolve(arg));
    case 'Fn::ImportValue':
      return fail(
        where,
        `Fn::ImportValue ${JSON.stringify(arg)} reads another stack's export, which only a deployed account has: replace it with a parameter (and give its value with --parameter Name=Value).`,
      );
    default:
      return fail(where, `${fn} cannot be evaluated locally (the local AppSync evaluates Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If and conditions, Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::Length, Fn::ToJsonString).`);
  }
}

function splitGetAtt(text: string): string[] {
  const dot = text.indexOf('.');
  return dot < 0 ? [text] : [text.slice(0, dot), text.slice(dot + 1)];
}

function asPair(arg: unknown, fn: string, where: Where): [unknown, unknown] {
  if (!Array.isArray(arg) || arg.length !== 2) fail(where, `expected ${fn} to be a list of two values, but got ${JSON.stringify(arg)}.`);
  return [arg[0], arg[1]];
}

function scalar(value: unknown, fn: string, where: Where): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(where, `${fn} expects strings, but got ${JSON.stringify(value)}.`);
}

/** `Fn::Sub`: `${Name}` is a Ref, `${Resource.Attribute}` a GetAtt, `${!Literal}` stays `${Literal}`. */
function substitute(arg: unknown, scope: IntrinsicScope, where: Where): string {
  const [template, variables] = Array.isArray(arg) ? [arg[0], arg[1] as Record<string, unknown> | undefined] : [arg, undefined];
  if (typeof template !== 'string') fail(where, 'expected Fn::Sub to be a string or [string, { variables }].');
  const own = new Map(Object.entries(variables ?? {}).map(([k, v]) => [k, resolveIntrinsics(v, scope, where)]));
  return template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const trimmed = name.trim();
    if (own.has(trimmed)) return scalar(own.get(trimmed), 'Fn::Sub', where);
    if (trimmed.includes('.') && !trimmed.startsWith('AWS::')) {
      const [id, attribute] = splitGetAtt(trimmed);
      return scalar(scope.getAtt(id ?? '', attribute ?? ''), 'Fn::Sub', where);
    }
    const value = scope.ref(trimmed);
    if (value === undefined) fail(where, `Fn::Sub ${whole} names no parameter, pseudo parameter or resource of this template (check the spelling).`);
    return scalar(value, 'Fn::Sub', where);
  });
}
