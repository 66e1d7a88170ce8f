/**
 * AppSync's enhanced subscription filters (`extensions.setSubscriptionFilter`, and the same
 * grammar for `extensions.setSubscriptionInvalidationFilter`): a `filterGroup` list whose groups
 * are OR'd and whose filters within a group are AND'd, each filter a `fieldName` (dots reach into
 * nested fields), an `operator` and a `value`, tested against the mutation result a subscription
 * would receive. Checked once, when the subscription starts: first AppSync's limits
 * ({@link filterLimitBreach}), then the shape and the value types ({@link parseSubscriptionFilter}).
 *
 * Sources: the AppSync developer guide, "Enhanced subscription filtering"
 * (aws-appsync-real-time-enhanced-filtering) and "Extensions", argument `filterJsonObject` (the
 * operator table and its value types); the `@aws-appsync/utils` 2.x type definitions
 * (`lib/subscription-filter-types.d.ts`: the value type of each operator). Where AWS documents no
 * behaviour, the choice made here is said where it is made.
 */

import { truncate } from '../../errors.js';

export type FilterOperator = 'eq' | 'ne' | 'le' | 'lt' | 'ge' | 'gt' | 'contains' | 'notContains' | 'beginsWith' | 'in' | 'notIn' | 'between' | 'containsAny';

export interface SubscriptionFilterRule {
  fieldName: string;
  operator: FilterOperator;
  value: unknown;
}

/** A filter checked for shape: groups of rules. */
export interface SubscriptionFilter {
  groups: SubscriptionFilterRule[][];
}

// ---- AppSync's limits -------------------------------------------------------------------------
// AWS's guide gives these in prose; the refusal texts are AppSync's own, as reported from the
// service in aws-amplify/amplify-category-api#740 (`in`), aws-amplify/amplify-flutter#6142
// (attributes) and Amplify DataStore's table of AppSync's filter errors
// (packages/datastore/src/sync/processors/subscription.ts, `catchRTFError`: "Filters exceed
// maximum attributes limit", "Filters combination exceed maximum limit", "filter uses same
// fieldName multiple time").

/**
 * Filter groups in one filter (AppSync's "combinations": the groups are the OR'd alternatives).
 * AWS enhanced-filtering guide; AppSync answers "Filters combination exceed maximum limit 10 for subscription."
 */
export const MAX_FILTER_GROUPS = 10;
/**
 * Distinct `fieldName`s in one filter, all groups together (AppSync's "attributes"). AWS
 * enhanced-filtering guide; in amplify-flutter#6142 four auth-rule fields plus two filter fields
 * in different groups were refused, so the count is over the whole filter, not per group.
 */
export const MAX_FILTER_ATTRIBUTES = 5;
/**
 * Filters in one group: implied by the attributes limit and the one-fieldName-once-per-group rule;
 * checked first, before the group's filters are read, and answered with the attributes message.
 */
export const MAX_FILTERS_PER_GROUP = 5;
/** Values in an `in` or `notIn` list. AWS enhanced-filtering guide; amplify-category-api#740 quotes the refusal. */
export const MAX_IN_VALUES = 5;
/** Values in a `containsAny` list. AWS enhanced-filtering guide (cited for the limit in amplify-android#2734). */
export const MAX_CONTAINS_ANY_VALUES = 20;
/** Levels of a dotted `fieldName` (`a.b.c.d.e`). AWS enhanced-filtering guide; also enforced by the lambda-appsync crate's FieldPath. */
export const MAX_FIELD_DEPTH = 5;
/** Characters in a `fieldName`. As enforced by the lambda-appsync crate's FieldPath, which follows AWS's guide. */
export const MAX_FIELD_NAME_LENGTH = 256;

const OPERATORS = new Set<string>(['eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'beginsWith', 'in', 'notIn', 'between', 'containsAny']);
const LIST_OPERATORS = new Set<string>(['in', 'notIn', 'between', 'containsAny']);

const asList = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);
const filtersOf = (group: unknown): unknown[] | undefined => asList((group as { filters?: unknown } | null)?.filters);

/**
 * The message AppSync refuses a filter with when it breaks one of AppSync's limits (the start
 * then gets `[{ message, errorCode: 400 }]` for its id), or undefined. Reads only list lengths
 * before walking a list, so a hostile filter with a million groups costs one comparison; parts
 * that are not of the filter's shape are left to {@link parseSubscriptionFilter}.
 */
export function filterLimitBreach(given: unknown): string | undefined {
  const groups = asList((given as { filterGroup?: unknown } | null)?.filterGroup);
  if (groups === undefined) return undefined;
  if (groups.length > MAX_FILTER_GROUPS) return `Filters combination exceed maximum limit ${MAX_FILTER_GROUPS} for subscription.`;
  const attributes = new Set<string>();
  for (const group of groups) {
    const filters = filtersOf(group);
    if (filters === undefined) continue;
    if (filters.length > MAX_FILTERS_PER_GROUP) return `Filters exceed maximum attributes limit ${MAX_FILTER_ATTRIBUTES} for subscription.`;
    const inGroup = new Set<string>();
    for (const filter of filters) {
      const { fieldName, operator, value } = (filter ?? {}) as { fieldName?: unknown; operator?: unknown; value?: unknown };
      if (typeof fieldName === 'string') {
        if (fieldName.length > MAX_FIELD_NAME_LENGTH) return `Filter fieldName exceeds maximum length ${MAX_FIELD_NAME_LENGTH} for subscription: ${JSON.stringify(fieldName.slice(0, 40))}… has ${fieldName.length} characters.`;
        if (fieldName.split('.', MAX_FIELD_DEPTH + 1).length > MAX_FIELD_DEPTH) return `Filter fieldName exceeds maximum nesting depth ${MAX_FIELD_DEPTH} for subscription: ${JSON.stringify(fieldName)}.`;
        if (inGroup.has(fieldName)) return `Subscription filter uses same fieldName multiple time: ${JSON.stringify(fieldName)} appears twice in one filter group (for a range, use between).`;
        inGroup.add(fieldName);
        attributes.add(fieldName);
        if (attributes.size > MAX_FILTER_ATTRIBUTES) return `Filters exceed maximum attributes limit ${MAX_FILTER_ATTRIBUTES} for subscription.`;
      }
      const values = asList(value);
      if (values === undefined) continue;
      if ((operator === 'in' || operator === 'notIn') && values.length > MAX_IN_VALUES) return `subscription exceeds maximum value limit ${MAX_IN_VALUES} for operator \`${operator}\`.`;
      if (operator === 'containsAny' && values.length > MAX_CONTAINS_ANY_VALUES) return `subscription exceeds maximum value limit ${MAX_CONTAINS_ANY_VALUES} for operator \`containsAny\`.`;
    }
  }
  return undefined;
}

type Scalar = 'string' | 'number' | 'boolean';
/**
 * The value types of each operator, from AWS's operator table and `@aws-appsync/utils`
 * (`SubscriptionFilterEquality`, `…Comparator`, `…Contains`, `…BeginsWith`, `…In`, `…Between`;
 * `containsAny` and `contains` take booleans too, for lists of booleans).
 */
const SCALARS: Record<FilterOperator, readonly Scalar[]> = {
  eq: ['string', 'number', 'boolean'],
  ne: ['string', 'number', 'boolean'],
  le: ['string', 'number'],
  lt: ['string', 'number'],
  ge: ['string', 'number'],
  gt: ['string', 'number'],
  contains: ['string', 'number', 'boolean'],
  notContains: ['string', 'number', 'boolean'],
  beginsWith: ['string'],
  in: ['string', 'number'],
  notIn: ['string', 'number'],
  between: ['string', 'number'],
  containsAny: ['string', 'number', 'boolean'],
};

const scalarOf = (value: unknown): Scalar | undefined =>
  typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : typeof value === 'number' && Number.isFinite(value) ? 'number' : undefined;

/** A value as JSON for a message, cut short: a filter may come from a client's arguments, of any size. */
const quoted = (value: unknown): string => truncate(JSON.stringify(value) ?? 'undefined', 80);

const describe = (value: unknown): string => {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return `the number ${String(value)}`;
  return typeof value === 'string' ? 'a string' : typeof value;
};

/**
 * A filter as the resolver set it, or why it is not one (the start is refused with that): the
 * shape, each operator's value type (no `null`, objects or nested lists: AppSync compares
 * numbers, strings and booleans only), and `between`'s two bounds of one type.
 */
export function parseSubscriptionFilter(given: unknown): SubscriptionFilter | string {
  const groups = (given as { filterGroup?: unknown } | null)?.filterGroup;
  if (!Array.isArray(groups)) return `Expected the subscription filter to be { filterGroup: [{ filters: [...] }] } (what util.transform.toSubscriptionFilter returns), but it has no filterGroup list.`;
  const parsed: SubscriptionFilterRule[][] = [];
  for (const [g, group] of groups.entries()) {
    const filters = filtersOf(group);
    if (filters === undefined) return `Expected filterGroup[${g}] to have a filters list.`;
    const rules: SubscriptionFilterRule[] = [];
    for (const [f, filter] of filters.entries()) {
      const { fieldName, operator, value } = (filter ?? {}) as { fieldName?: unknown; operator?: unknown; value?: unknown };
      const at = `filterGroup[${g}].filters[${f}]`;
      if (typeof fieldName !== 'string' || fieldName === '' || fieldName.split('.').includes('')) return `Expected ${at}.fieldName to be a field name (dots between nested fields), but got ${quoted(fieldName)}.`;
      if (typeof operator !== 'string' || !OPERATORS.has(operator)) return `Expected ${at}.operator to be one of ${[...OPERATORS].join(', ')}, but got ${quoted(operator)}.`;
      const op = operator as FilterOperator;
      const allowed = SCALARS[op];
      if (LIST_OPERATORS.has(op)) {
        if (!Array.isArray(value)) return `Expected ${at}.value to be a list of ${allowed.join(' or ')} values for ${op}, but got ${describe(value)}.`;
        if (op === 'between' && value.length !== 2) return `Expected ${at}.value to be [low, high] for between, but got a list of ${value.length}.`;
        const wrong = value.findIndex((item) => !allowed.includes(scalarOf(item) as Scalar));
        if (wrong >= 0) return `Expected ${at}.value[${wrong}] to be a ${allowed.join(' or ')} for ${op}, but got ${describe(value[wrong])}.`;
        if (op === 'between' && scalarOf(value[0]) !== scalarOf(value[1])) return `Expected ${at}.value to be two numbers or two strings for between, but got ${describe(value[0])} and ${describe(value[1])}.`;
      } else if (!allowed.includes(scalarOf(value) as Scalar)) {
        return `Expected ${at}.value to be a ${allowed.join(' or ')} for ${op}, but got ${describe(value)}.`;
      }
      rules.push({ fieldName, operator: op, value });
    }
    parsed.push(rules);
  }
  return { groups: parsed };
}

/**
 * Whether `value` (the mutation result) passes the filter: some group whose rules all hold. A
 * filter with no groups passes everything.
 *
 * Type rules (AWS documents the operators, not mixed types; these are this server's choices,
 * each the strict reading): no coercion, so `1` neither equals nor orders against `"1"`; `lt`,
 * `le`, `gt`, `ge` and `between` compare two numbers or two strings (by UTF-16 code units), never
 * one of each; `contains` is a substring test on a string field and a membership test on a list
 * field; `containsAny` needs a list field; a field that is missing or `null` (the mutation did
 * not select it, or it has no value) makes every rule on it fail, `ne`, `notIn` and
 * `notContains` included, as a subscription argument on an unselected field matches nothing.
 */
export function matchesFilter(filter: SubscriptionFilter, value: unknown): boolean {
  if (filter.groups.length === 0) return true;
  return filter.groups.some((rules) => rules.every((rule) => holds(rule, fieldAt(value, rule.fieldName))));
}

function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

// Filter values are scalars (parseSubscriptionFilter checked them), so === is the equality.
const ordered = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
const has = (actual: unknown, expected: unknown): boolean =>
  Array.isArray(actual) ? actual.includes(expected) : typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);

function holds(rule: SubscriptionFilterRule, actual: unknown): boolean {
  if (actual === undefined || actual === null) return false;
  const expected = rule.value;
  switch (rule.operator) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'lt':
      return ordered(actual, expected) && (actual as number) < (expected as number);
    case 'le':
      return ordered(actual, expected) && (actual as number) <= (expected as number);
    case 'gt':
      return ordered(actual, expected) && (actual as number) > (expected as number);
    case 'ge':
      return ordered(actual, expected) && (actual as number) >= (expected as number);
    case 'contains':
      return has(actual, expected);
    case 'notContains':
      return !has(actual, expected);
    case 'beginsWith':
      return typeof actual === 'string' && actual.startsWith(expected as string);
    case 'in':
      return (expected as unknown[]).includes(actual);
    case 'notIn':
      return !(expected as unknown[]).includes(actual);
    case 'between': {
      const [low, high] = expected as unknown[];
      return ordered(actual, low) && (actual as number) >= (low as number) && (actual as number) <= (high as number);
    }
    case 'containsAny':
      return Array.isArray(actual) && (expected as unknown[]).some((item) => actual.includes(item));
  }
}
