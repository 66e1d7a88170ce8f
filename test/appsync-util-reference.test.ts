/**
 * The APPSYNC_JS runtime's `util` against AWS's own documented examples: every Input/Output pair
 * in the doc comments of the `@aws-appsync/utils` type definitions (dynamodb-utils.d.ts,
 * transform-utils.d.ts, version 2.x) and the AppSync resolver reference's transformation helpers,
 * evaluated in a resolver sandbox as AppSync code would call them. Where AWS's example text is
 * loose JSON (the escaped string of toS3Object, a trailing comma), the row compares the parsed value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCode } from '../src/testing/appsync-js/compile.js';
import { Sandbox } from '../src/testing/appsync-js/sandbox.js';
import { matchesFilter, parseSubscriptionFilter } from '../src/testing/graphql/subscription-filter.js';

interface Row {
  /** Where AWS documents it. */
  source: string;
  call: string;
  expected: unknown;
  /** How to read the result before comparing (JSON strings AWS shows as objects). */
  read?: (value: unknown) => unknown;
}

const D = '@aws-appsync/utils dynamodb-utils.d.ts';
const T = '@aws-appsync/utils transform-utils.d.ts; resolver reference, transformation helpers';
const parsedS = (value: unknown) => JSON.parse((value as { S: string }).S) as unknown;
const parsed = (value: unknown) => JSON.parse(value as string) as unknown;

const ROWS: Row[] = [
  { source: D, call: 'util.dynamodb.toDynamoDB("foo")', expected: { S: 'foo' } },
  { source: D, call: 'util.dynamodb.toDynamoDB({ "foo": "bar", "baz" : 1234, "beep": [ "boop" ] })', expected: { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } } },
  { source: D, call: 'util.dynamodb.toStringSet([ "foo", "bar", "baz" ])', expected: { SS: ['foo', 'bar', 'baz'] } },
  { source: D, call: 'util.dynamodb.toNumber(12345)', expected: { N: 12345 } },
  { source: D, call: 'util.dynamodb.toNumberSet([ 1, 23, 4.56 ])', expected: { NS: [1, 23, 4.56] } },
  { source: D, call: 'util.dynamodb.toBinary("foo")', expected: { B: 'foo' } },
  { source: D, call: 'util.dynamodb.toBinarySet([ "foo", "bar", "baz" ])', expected: { BS: ['foo', 'bar', 'baz'] } },
  { source: D, call: 'util.dynamodb.toBoolean(true)', expected: { BOOL: true } },
  { source: D, call: 'util.dynamodb.toNull()', expected: { NULL: null } },
  { source: D, call: 'util.dynamodb.toList([ "foo", 123, { "bar" : "baz" } ])', expected: { L: [{ S: 'foo' }, { N: 123 }, { M: { bar: { S: 'baz' } } }] } },
  { source: D, call: 'util.dynamodb.toMap({ "foo": "bar", "baz" : 1234, "beep": [ "boop"] })', expected: { M: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } } },
  { source: D, call: 'util.dynamodb.toMapValues({ "foo": "bar", "baz" : 1234, "beep": [ "boop"] })', expected: { foo: { S: 'bar' }, baz: { N: 1234 }, beep: { L: [{ S: 'boop' }] } } },
  { source: D, call: 'util.dynamodb.toS3Object("foo", "bar", "baz")', expected: { s3: { key: 'foo', bucket: 'bar', region: 'baz' } }, read: parsedS },
  { source: D, call: 'util.dynamodb.toS3Object("foo", "bar", "baz", "beep")', expected: { s3: { key: 'foo', bucket: 'bar', region: 'baz', version: 'beep' } }, read: parsedS },
  { source: D, call: 'util.dynamodb.fromS3ObjectJson(util.dynamodb.toS3Object("foo", "bar", "baz").S)', expected: { key: 'foo', bucket: 'bar', region: 'baz' } },
  {
    source: T,
    call: 'util.transform.toDynamoDBFilterExpression({ "title":{ "contains":"Hello World" } })',
    expected: { expression: 'contains(#title, :title_contains)', expressionNames: { '#title': 'title' }, expressionValues: { ':title_contains': { S: 'Hello World' } } },
    read: parsed,
  },
];

test("util matches AWS's documented examples (the @aws-appsync/utils type definitions' Input/Output pairs)", async () => {
  const code = `import { util } from '@aws-appsync/utils';\nexport function request() {\n  return [\n${ROWS.map((row) => `    (() => { try { return { ok: ${row.call} }; } catch (e) { return { failed: String(e && e.message) }; } })(),`).join('\n')}\n  ];\n}\nexport function response() { return null; }\n`;
  const sandbox = new Sandbox(await compileCode({ text: code, file: 'util-reference.js', firstLine: 1 }, 'UtilReference'), { timeoutMs: 1000, now: () => 1_517_943_695_750, log: () => {} });
  const outcome = sandbox.evaluate({ handler: 'request', ctx: {}, authType: 'API_KEY', typeName: 'Query', fieldName: 'reference' });
  assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
  const results = (outcome as { value: { ok?: unknown; failed?: string }[] }).value;
  const wrong = ROWS.flatMap((row, i) => {
    const result = results[i];
    if (result?.failed !== undefined) return [`${row.call} threw ${result.failed} (${row.source})`];
    const actual = row.read ? row.read(result?.ok) : result?.ok;
    try {
      assert.deepStrictEqual(actual, row.expected);
      return [];
    } catch {
      return [`${row.call} gave ${JSON.stringify(actual)}, AWS documents ${JSON.stringify(row.expected)} (${row.source})`];
    }
  });
  assert.deepEqual(wrong, []);
});

test('time helpers on the resolver reference example instant (1517943695750 ms)', async () => {
  // util.time's reference shows nowISO8601 2018-02-06T19:01:35.749Z and nowEpochSeconds 1517943695 for one instant.
  const code = `import { util } from '@aws-appsync/utils';
export function request() {
  return [util.time.nowEpochSeconds(), util.time.epochMilliSecondsToSeconds(1517943695750), util.time.epochMilliSecondsToISO8601(1517943695750), util.time.parseISO8601ToEpochMilliSeconds('2018-02-01T17:21:05.180+08:00')];
}
export function response() { return null; }
`;
  const sandbox = new Sandbox(await compileCode({ text: code, file: 'time-reference.js', firstLine: 1 }, 'TimeReference'), { timeoutMs: 1000, now: () => 1_517_943_695_749, log: () => {} });
  const outcome = sandbox.evaluate({ handler: 'request', ctx: {}, authType: 'API_KEY', typeName: 'Query', fieldName: 'time' });
  assert.deepEqual((outcome as { value: unknown }).value, [1517943695, 1517943695, '2018-02-06T19:01:35.750Z', 1517476865180]);
});

test("an enhanced subscription filter from AWS's ticket example: groups OR'd, filters AND'd", () => {
  // The enhanced-filtering guide's onSpecialTicketCreated: severity >= 7 and priority in [high, medium].
  const filter = parseSubscriptionFilter({ filterGroup: [{ filters: [{ fieldName: 'severity', operator: 'ge', value: 7 }, { fieldName: 'priority', operator: 'in', value: ['high', 'medium'] }] }] });
  assert.ok(typeof filter !== 'string', String(filter));
  assert.equal(matchesFilter(filter, { severity: 8, priority: 'high' }), true);
  assert.equal(matchesFilter(filter, { severity: 8, priority: 'low' }), false);
  assert.equal(matchesFilter(filter, { severity: 6, priority: 'high' }), false);
  const either = parseSubscriptionFilter({ filterGroup: [{ filters: [{ fieldName: 'group.name', operator: 'beginsWith', value: 'ops' }] }, { filters: [{ fieldName: 'tags', operator: 'containsAny', value: ['urgent'] }] }] });
  assert.ok(typeof either !== 'string');
  assert.equal(matchesFilter(either, { group: { name: 'ops-eu' }, tags: [] }), true);
  assert.equal(matchesFilter(either, { group: { name: 'dev' }, tags: ['urgent', 'x'] }), true);
  assert.equal(matchesFilter(either, { group: { name: 'dev' }, tags: ['x'] }), false);
  assert.equal(parseSubscriptionFilter({ filterGroup: [{ filters: [{ fieldName: 'a', operator: 'like', value: 1 }] }] }), 'Expected filterGroup[0].filters[0].operator to be one of eq, ne, le, lt, ge, gt, contains, notContains, beginsWith, in, notIn, between, containsAny, but got "like".');
});
