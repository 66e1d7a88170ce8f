/**
 * `@aws-appsync/utils/dynamodb`: `get`, `put`, `remove`, `update` (with `operations`), `query`,
 * `scan`, the batch and transact builders, and the set helpers. Each returns the AppSync
 * DynamoDB request the low-level form would spell out. Evaluated in the resolver's realm; see
 * README.md here.
 */
export function buildDynamodbModule(
  toMapValues: (value: Record<string, unknown>) => Record<string, unknown>,
  toDynamoDB: (value: unknown) => unknown,
  toConditionJson: (filter: Record<string, unknown>) => string,
  toFilterJson: (filter: Record<string, unknown>) => string,
  notImplemented: (name: string) => () => never,
  fail: (message: string) => never,
): Record<string, unknown> {
  type Request = Record<string, unknown>;
  const condition = (c: Record<string, unknown> | null | undefined) => (c === null || c === undefined ? undefined : cleaned(JSON.parse(toConditionJson(c)) as Request));
  const filter = (f: Record<string, unknown> | null | undefined) => (f === null || f === undefined ? undefined : cleaned(JSON.parse(toFilterJson(f)) as Request));
  const cleaned = (e: Request): Request | undefined => {
    if (e.expression === '') return undefined;
    if (e.expressionValues && Object.keys(e.expressionValues as object).length === 0) delete e.expressionValues;
    return e;
  };
  const projection = (fields: string[] | undefined) => {
    if (!Array.isArray(fields) || fields.length === 0) return undefined;
    const names: Record<string, string> = {};
    const expression = fields
      .map((path) =>
        String(path)
          .split('.')
          .map((part) => {
            names[`#${part}`] = part;
            return `#${part}`;
          })
          .join('.'),
      )
      .join(', ');
    return { expression, expressionNames: names };
  };
  const KEY_OPS: Record<string, string> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };
  const keyCondition = (query: Record<string, Record<string, unknown>>) => {
    const parts: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    for (const field of Object.keys(query)) {
      const ops = query[field] ?? {};
      names[`#${field}`] = field;
      for (const op of Object.keys(ops)) {
        const value = ops[op];
        if (op in KEY_OPS) {
          values[`:${field}_${op}`] = toDynamoDB(value);
          parts.push(`#${field} ${KEY_OPS[op]} :${field}_${op}`);
        } else if (op === 'beginsWith') {
          values[`:${field}_beginsWith`] = toDynamoDB(value);
          parts.push(`begins_with(#${field}, :${field}_beginsWith)`);
        } else if (op === 'between' && Array.isArray(value)) {
          values[`:${field}_between_0`] = toDynamoDB(value[0]);
          values[`:${field}_between_1`] = toDynamoDB(value[1]);
          parts.push(`#${field} BETWEEN :${field}_between_0 AND :${field}_between_1`);
        } else fail(`ddb.query: unsupported key condition operator ${JSON.stringify(op)} on ${field}.`);
      }
    }
    return { expression: parts.join(' AND '), expressionNames: names, expressionValues: values };
  };
  const operations = {
    add: (value: unknown) => ({ _type: 'add', value }),
    remove: () => ({ _type: 'remove' }),
    replace: (value: unknown) => ({ _type: 'replace', value }),
    increment: (by?: number) => ({ _type: 'increment', value: by ?? 1 }),
    decrement: (by?: number) => ({ _type: 'decrement', value: by ?? 1 }),
    append: (value: unknown[]) => ({ _type: 'append', value }),
    prepend: (value: unknown[]) => ({ _type: 'prepend', value }),
    updateListItem: (value: unknown, index: number) => ({ _type: 'updateListItem', value, index }),
  };
  const updateExpression = (update: Record<string, unknown>) => {
    const sets: string[] = [];
    const removes: string[] = [];
    const adds: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let n = 0;
    const value = (v: unknown): string => {
      const name = `:v${n++}`;
      values[name] = toDynamoDB(v);
      return name;
    };
    const walk = (object: Record<string, unknown>, prefix: string) => {
      for (const key of Object.keys(object)) {
        names[`#${key}`] = key;
        const path = `${prefix}#${key}`;
        const v = object[key];
        const op = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { _type?: string; value?: unknown; index?: number }) : undefined;
        if (v === null || op?._type === 'remove') removes.push(path);
        else if (op?._type === 'increment') sets.push(`${path} = if_not_exists(${path}, ${value(0)}) + ${value(op.value)}`);
        else if (op?._type === 'decrement') sets.push(`${path} = if_not_exists(${path}, ${value(0)}) - ${value(op.value)}`);
        else if (op?._type === 'add') adds.push(`${path} ${value(op.value)}`);
        else if (op?._type === 'replace') sets.push(`${path} = ${value(op.value)}`);
        else if (op?._type === 'append') sets.push(`${path} = list_append(if_not_exists(${path}, ${value([])}), ${value(op.value)})`);
        else if (op?._type === 'prepend') sets.push(`${path} = list_append(${value(op.value)}, if_not_exists(${path}, ${value([])}))`);
        else if (op?._type === 'updateListItem') sets.push(`${path}[${Number(op.index)}] = ${value(op.value)}`);
        else if (op !== undefined && op._type === undefined) walk(op as Record<string, unknown>, `${path}.`);
        else sets.push(`${path} = ${value(v)}`);
      }
    };
    walk(update, '');
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
    return { expression, expressionNames: names, expressionValues: values };
  };
  const listRequest = (operation: string, input: Record<string, unknown>): Request => {
    const request: Request = { operation };
    if (input.index !== undefined && input.index !== null) request.index = input.index;
    if (input.limit !== undefined && input.limit !== null) request.limit = input.limit;
    if (input.nextToken !== undefined && input.nextToken !== null) request.nextToken = input.nextToken;
    if (input.consistentRead !== undefined && input.consistentRead !== null) request.consistentRead = input.consistentRead;
    if (input.scanIndexForward !== undefined && input.scanIndexForward !== null) request.scanIndexForward = input.scanIndexForward;
    if (input.select !== undefined) request.select = input.select;
    if (input.segment !== undefined) request.segment = input.segment;
    if (input.totalSegments !== undefined) request.totalSegments = input.totalSegments;
    const f = filter(input.filter as Record<string, unknown> | undefined);
    if (f) request.filter = f;
    const p = projection(input.projection as string[] | undefined);
    if (p) request.projection = p;
    return request;
  };
  const withCondition = (request: Request, c: unknown) => {
    const expression = condition(c as Record<string, unknown> | undefined);
    if (expression) request.condition = expression;
    return request;
  };
  return {
    get: (input: { key: Record<string, unknown>; consistentRead?: boolean; projection?: string[] }) => {
      const request: Request = { operation: 'GetItem', key: toMapValues(input.key) };
      if (input.consistentRead !== undefined) request.consistentRead = input.consistentRead;
      const p = projection(input.projection);
      if (p) request.projection = p;
      return request;
    },
    put: (input: { key: Record<string, unknown>; item: Record<string, unknown>; condition?: Record<string, unknown> }) => withCondition({ operation: 'PutItem', key: toMapValues(input.key), attributeValues: toMapValues(input.item ?? {}) }, input.condition),
    remove: (input: { key: Record<string, unknown>; condition?: Record<string, unknown> }) => withCondition({ operation: 'DeleteItem', key: toMapValues(input.key) }, input.condition),
    update: (input: { key: Record<string, unknown>; update: Record<string, unknown>; condition?: Record<string, unknown> }) => withCondition({ operation: 'UpdateItem', key: toMapValues(input.key), update: updateExpression(input.update ?? {}) }, input.condition),
    query: (input: Record<string, unknown>) => ({ ...listRequest('Query', input), query: keyCondition(input.query as Record<string, Record<string, unknown>>) }),
    scan: (input: Record<string, unknown>) => listRequest('Scan', input ?? {}),
    sync: notImplemented('ddb.sync'),
    batchGet: (input: { tables: Record<string, { keys: Record<string, unknown>[]; consistentRead?: boolean; projection?: string[] }> }) => {
      const tables: Record<string, unknown> = {};
      for (const name of Object.keys(input.tables)) {
        const t = input.tables[name] ?? { keys: [] };
        const entry: Request = { keys: t.keys.map(toMapValues) };
        if (t.consistentRead !== undefined) entry.consistentRead = t.consistentRead;
        const p = projection(t.projection);
        if (p) entry.projection = p;
        tables[name] = entry;
      }
      return { operation: 'BatchGetItem', tables };
    },
    batchPut: (input: { tables: Record<string, Record<string, unknown>[]> }) => ({ operation: 'BatchPutItem', tables: Object.fromEntries(Object.keys(input.tables).map((n) => [n, (input.tables[n] ?? []).map(toMapValues)])) }),
    batchDelete: (input: { tables: Record<string, Record<string, unknown>[]> }) => ({ operation: 'BatchDeleteItem', tables: Object.fromEntries(Object.keys(input.tables).map((n) => [n, (input.tables[n] ?? []).map(toMapValues)])) }),
    transactGet: (input: { items: { table: string; key: Record<string, unknown>; projection?: string[] }[] }) => ({
      operation: 'TransactGetItems',
      transactItems: input.items.map((item) => {
        const entry: Request = { table: item.table, key: toMapValues(item.key) };
        const p = projection(item.projection);
        if (p) entry.projection = p;
        return entry;
      }),
    }),
    transactWrite: (input: { items: Record<string, Record<string, unknown>>[] }) => ({
      operation: 'TransactWriteItems',
      transactItems: input.items.map((item) => {
        if (item.putItem) return withCondition({ table: item.putItem.table, operation: 'PutItem', key: toMapValues(item.putItem.key as Record<string, unknown>), attributeValues: toMapValues((item.putItem.item ?? {}) as Record<string, unknown>) }, item.putItem.condition);
        if (item.updateItem) return withCondition({ table: item.updateItem.table, operation: 'UpdateItem', key: toMapValues(item.updateItem.key as Record<string, unknown>), update: updateExpression((item.updateItem.update ?? {}) as Record<string, unknown>) }, item.updateItem.condition);
        if (item.deleteItem) return withCondition({ table: item.deleteItem.table, operation: 'DeleteItem', key: toMapValues(item.deleteItem.key as Record<string, unknown>) }, item.deleteItem.condition);
        if (item.conditionCheck) return withCondition({ table: item.conditionCheck.table, operation: 'ConditionCheck', key: toMapValues(item.conditionCheck.key as Record<string, unknown>) }, item.conditionCheck.condition);
        return fail('ddb.transactWrite: each item needs putItem, updateItem, deleteItem or conditionCheck.');
      }),
    }),
    toStringSet: (list: string[]) => ({ SS: list }),
    toNumberSet: (list: number[]) => ({ NS: list }),
    toBinarySet: (list: string[]) => ({ BS: list }),
    operations,
  };
}
