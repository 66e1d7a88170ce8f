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

  const toSubscriptionFilter = (input: Record<string, unknown>, ignoredFields?: string[], rules?: Record<string, unknown>): unknown => {
    // Groups are OR'd, filters within a group AND'd (AppSync's enhanced subscription filtering).
    type Filter = { fieldName: string; operator: string; value: unknown };
    const groupsOf = (object: Record<string, unknown>, ignore: string[]): Filter[][] => {
      let groups: Filter[][] = [[]];
      for (const key of Object.keys(object)) {
        const value = object[key];
        if (ignore.includes(key) || value === null || value === undefined) continue;
        if (key === 'or') {
          const alternatives = (value as Record<string, unknown>[]).flatMap((v) => groupsOf(v, []));
          groups = groups.flatMap((g) => alternatives.map((a) => [...g, ...a]));
        } else if (key === 'and') {
          for (const part of value as Record<string, unknown>[]) {
            const inner = groupsOf(part, []);
            groups = groups.flatMap((g) => inner.map((a) => [...g, ...a]));
          }
        } else {
          const ops = value as Record<string, unknown>;
          for (const operator of Object.keys(ops)) groups.forEach((g) => g.push({ fieldName: key, operator, value: ops[operator] }));
        }
      }
      return groups;
    };
    let groups = groupsOf(input, ignoredFields ?? []);
    if (rules !== undefined) {
      const ruleGroups = groupsOf(rules, []).flatMap((g) => g.map((f) => [f]));
      groups = groups.flatMap((g) => ruleGroups.map((r) => [...g, ...r]));
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
