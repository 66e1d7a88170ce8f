/**
 * AppSync's enhanced subscription filters (`extensions.setSubscriptionFilter`): a `filterGroup`
 * list whose groups are OR'd and whose filters within a group are AND'd, each filter a
 * `fieldName` (dots reach into nested fields), an `operator` and a `value`, tested against the
 * mutation result a subscription would receive. Checked once, when the subscription starts.
 */

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

const OPERATORS = new Set<string>(['eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'beginsWith', 'in', 'notIn', 'between', 'containsAny']);
const LIST_OPERATORS = new Set<string>(['in', 'notIn', 'between', 'containsAny']);

/** A filter as the resolver set it, or why it is not one (the start is refused with that). */
export function parseSubscriptionFilter(given: unknown): SubscriptionFilter | string {
  const groups = (given as { filterGroup?: unknown } | null)?.filterGroup;
  if (!Array.isArray(groups)) return `Expected the subscription filter to be { filterGroup: [{ filters: [...] }] } (what util.transform.toSubscriptionFilter returns), but it has no filterGroup list.`;
  const parsed: SubscriptionFilterRule[][] = [];
  for (const [g, group] of groups.entries()) {
    const filters = (group as { filters?: unknown } | null)?.filters;
    if (!Array.isArray(filters)) return `Expected filterGroup[${g}] to have a filters list.`;
    const rules: SubscriptionFilterRule[] = [];
    for (const [f, filter] of filters.entries()) {
      const { fieldName, operator, value } = (filter ?? {}) as { fieldName?: unknown; operator?: unknown; value?: unknown };
      const at = `filterGroup[${g}].filters[${f}]`;
      if (typeof fieldName !== 'string' || fieldName === '') return `Expected ${at}.fieldName to be a field name, but got ${JSON.stringify(fieldName) ?? 'undefined'}.`;
      if (typeof operator !== 'string' || !OPERATORS.has(operator)) return `Expected ${at}.operator to be one of ${[...OPERATORS].join(', ')}, but got ${JSON.stringify(operator) ?? 'undefined'}.`;
      if (LIST_OPERATORS.has(operator) && !Array.isArray(value)) return `Expected ${at}.value to be a list for ${operator}.`;
      if (operator === 'between' && (value as unknown[]).length !== 2) return `Expected ${at}.value to be [low, high] for between.`;
      rules.push({ fieldName, operator: operator as FilterOperator, value });
    }
    parsed.push(rules);
  }
  return { groups: parsed };
}

/** Whether `value` (the mutation result) passes the filter: some group whose rules all hold. */
export function matchesFilter(filter: SubscriptionFilter, value: unknown): boolean {
  if (filter.groups.length === 0) return true;
  return filter.groups.some((rules) => rules.every((rule) => holds(rule, fieldAt(value, rule.fieldName))));
}

function fieldAt(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const same = (a: unknown, b: unknown): boolean => a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
const ordered = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');

function holds(rule: SubscriptionFilterRule, actual: unknown): boolean {
  const expected = rule.value;
  switch (rule.operator) {
    case 'eq':
      return same(actual, expected);
    case 'ne':
      return !same(actual, expected);
    case 'lt':
      return ordered(actual, expected) && (actual as number) < (expected as number);
    case 'le':
      return ordered(actual, expected) && (actual as number) <= (expected as number);
    case 'gt':
      return ordered(actual, expected) && (actual as number) > (expected as number);
    case 'ge':
      return ordered(actual, expected) && (actual as number) >= (expected as number);
    case 'contains':
      return Array.isArray(actual) ? actual.some((item) => same(item, expected)) : typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
    case 'notContains':
      return !(Array.isArray(actual) ? actual.some((item) => same(item, expected)) : typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected));
    case 'beginsWith':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'in':
      return (expected as unknown[]).some((item) => same(actual, item));
    case 'notIn':
      return !(expected as unknown[]).some((item) => same(actual, item));
    case 'between': {
      const [low, high] = expected as unknown[];
      return ordered(actual, low) && ordered(actual, high) && (actual as number) >= (low as number) && (actual as number) <= (high as number);
    }
    case 'containsAny':
      return Array.isArray(actual) && (expected as unknown[]).some((item) => actual.some((a) => same(a, item)));
  }
}
