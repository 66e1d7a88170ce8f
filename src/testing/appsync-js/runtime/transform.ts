/**
 * `util.transform`: filter objects to DynamoDB filter and condition expressions (returned as
 * JSON strings, as AppSync does) and to subscription filters. Evaluated in the resolver's realm;
 * see README.md here.
 */
export type TransformUtil = Record<string, (...args: never[]) => unknown>;

export function buildTransform(toDynamoDB: (value: unknown) => unknown, notImplemented: (name: string) => () => never, fail: (message: string) => never): TransformUtil {
  type Expression = { expression: string; expressionNames: Record<string, string>; expressionValues: Record<string, unknown> };
  const COMPARISONS: Record<string, string> = { eq: '=', ne: '<>', le: '<=', lt: '<', ge: '>=', gt: '>' };
  const build = (input: Record<string, unknown>, condition: boolean): Expression => {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const placeholder = (base: string, value: unknown): string => {
      let name = `:${base}`;
      for (let n = 1; name in values; n += 1) name = `:${base}_${n}`;
      values[name] = toDynamoDB(value);
      return name;
    };
    const field = (fieldName: string, ops: Record<string, unknown>): string[] => {
      const key = `#${fieldName}`;
      names[key] = fieldName;
      const parts: string[] = [];
      for (const op of Object.keys(ops)) {
        const value = ops[op];
        if (value === null || value === undefined) continue;
        const base = `${fieldName}_${op}`;
        if (op in COMPARISONS) parts.push(`${key} ${COMPARISONS[op]} ${placeholder(base, value)}`);
        else if (op === 'contains') parts.push(`contains(${key}, ${placeholder(base, value)})`);
        else if (op === 'notContains') parts.push(`NOT contains(${key}, ${placeholder(base, value)})`);
        else if (op === 'beginsWith') parts.push(`begins_with(${key}, ${placeholder(base, value)})`);
        else if (op === 'between' && Array.isArray(value) && value.length === 2) parts.push(`${key} BETWEEN ${placeholder(`${base}_0`, value[0])} AND ${placeholder(`${base}_1`, value[1])}`);
        else if (op === 'in' && Array.isArray(value)) parts.push(`${key} IN (${value.map((v, i) => placeholder(`${base}_${i}`, v)).join(', ')})`);
        else if (op === 'attributeExists' && condition) parts.push(value === true ? `attribute_exists(${key})` : `attribute_not_exists(${key})`);
        else if (op === 'attributeType' && condition) parts.push(`attribute_type(${key}, ${placeholder(base, TYPES[String(value)] ?? value)})`);
        else if (op === 'size' && condition && typeof value === 'object') {
          for (const [sizeOp, sizeValue] of Object.entries(value as Record<string, unknown>)) {
            if (sizeOp in COMPARISONS) parts.push(`size(${key}) ${COMPARISONS[sizeOp]} ${placeholder(`${base}_${sizeOp}`, sizeValue)}`);
          }
        } else fail(`util.transform.${condition ? 'toDynamoDBConditionExpression' : 'toDynamoDBFilterExpression'}: unsupported operator ${JSON.stringify(op)} on ${fieldName}.`);
      }
      return parts;
    };
    const walk = (object: Record<string, unknown>): string => {
      const parts: string[] = [];
      for (const key of Object.keys(object)) {
        const value = object[key];
        if (value === null || value === undefined) continue;
        if (key === 'and' || key === 'or') {
          const list = (Array.isArray(value) ? value : [value]).map((v) => walk(v as Record<string, unknown>)).filter((s) => s !== '');
          if (list.length > 0) parts.push(list.length === 1 ? (list[0] ?? '') : `(${list.map((s) => `(${s})`).join(key === 'and' ? ' AND ' : ' OR ')})`);
        } else if (key === 'not') {
          const inner = walk(value as Record<string, unknown>);
          if (inner !== '') parts.push(`(NOT (${inner}))`);
        } else parts.push(...field(key, value as Record<string, unknown>));
      }
      return parts.length === 1 ? (parts[0] ?? '') : parts.map((p) => `(${p})`).join(' AND ');
    };
    return { expression: walk(input), expressionNames: names, expressionValues: values };
  };
  const TYPES: Record<string, string> = { _null: 'NULL', string: 'S', stringSet: 'SS', number: 'N', numberSet: 'NS', binary: 'B', binarySet: 'BS', boolean: 'BOOL', list: 'L', map: 'M' };

  const toSubscriptionFilter = (input: Record<string, unknown>, ignoredFields?: string[] | null, rules?: Record<string, unknown> | null): unknown => {
    // Groups are OR'd, filters within a group AND'd (AppSync's enhanced subscription filtering).
    // The input grammar is @aws-appsync/utils' SubscriptionFilterObject: fields with operators,
    // `and` and `or` lists; no `not` (AppSync's subscription filter has no negated group).
    type Filter = { fieldName: string; operator: string; value: unknown };
    // One more group than AppSync's 10 (subscription-filter.ts, MAX_FILTER_GROUPS): enough for the
    // start to be refused with AppSync's "Filters combination exceed maximum limit 10", without
    // building the whole cross product of a hostile and-of-ors (20 ors of 10 are 10^20 groups).
    const GROUPS_BUILT = 11;
    // Our bound, not AWS's: and/or nested deeper than this is refused rather than recursed into.
    const MAX_NESTING = 32;
    const name = 'util.transform.toSubscriptionFilter';
    const ignored = new Set(Array.isArray(ignoredFields) ? ignoredFields : []);
    const objectAt = (value: unknown, where: string): Record<string, unknown> => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${name}: expected ${where} to be an object of fields and operators, but got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}.`);
      return value as Record<string, unknown>;
    };
    const product = (left: Filter[][], right: Filter[][]): Filter[][] => {
      const out: Filter[][] = [];
      for (const l of left) for (const r of right) if (out.length < GROUPS_BUILT) out.push([...l, ...r]);
      return out;
    };
    const groupsOf = (object: Record<string, unknown>, skip: Set<string>, depth: number, where: string): Filter[][] => {
      if (depth > MAX_NESTING) fail(`${name}: and/or nested more than ${MAX_NESTING} levels deep at ${where}.`);
      let groups: Filter[][] = [[]];
      for (const key of Object.keys(object)) {
        const value = object[key];
        if (skip.has(key) || value === null || value === undefined) continue;
        if (key === 'not') fail(`${name}: "not" (at ${where}) is not part of a subscription filter: AppSync's filter input has only and/or; rewrite it with ne, notIn or notContains.`);
        if (key === 'or' || key === 'and') {
          if (!Array.isArray(value)) fail(`${name}: expected ${where}.${key} to be a list of filter objects, but got ${typeof value}.`);
          const parts = (value as unknown[]).map((part, i) => groupsOf(objectAt(part, `${where}.${key}[${i}]`), skip, depth + 1, `${where}.${key}[${i}]`));
          if (key === 'or') {
            const alternatives = parts.flat().slice(0, GROUPS_BUILT);
            if (alternatives.length > 0) groups = product(groups, alternatives);
          } else for (const inner of parts) groups = product(groups, inner);
        } else {
          const ops = objectAt(value, `${where}.${key}`);
          for (const operator of Object.keys(ops)) {
            // An operator given as null (a GraphQL input field sent as null) is no condition.
            if (ops[operator] === null || ops[operator] === undefined) continue;
            for (const g of groups) g.push({ fieldName: key, operator, value: ops[operator] });
          }
        }
      }
      return groups;
    };
    let groups = groupsOf(objectAt(input ?? {}, 'the filter'), ignored, 0, 'filter');
    if (rules !== undefined && rules !== null) {
      // "At least one of the rules will be satisfied" (the @aws-appsync/utils TSDoc): each rule is
      // one alternative, ANDed onto every group of the filter.
      const ruleGroups = groupsOf(objectAt(rules, 'the rules'), new Set(), 0, 'rules').flatMap((g) => g.map((f) => [f]));
      if (ruleGroups.length > 0) groups = product(groups, ruleGroups);
    }
    return { filterGroup: groups.filter((g) => g.length > 0).map((filters) => ({ filters })) };
  };

  return {
    toDynamoDBFilterExpression: (input: Record<string, unknown>) => JSON.stringify(build(input ?? {}, false)),
    toDynamoDBConditionExpression: (input: Record<string, unknown>) => JSON.stringify(build(input ?? {}, true)),
    toSubscriptionFilter,
    toElasticsearchQueryDSL: notImplemented('util.transform.toElasticsearchQueryDSL'),
  };
}
