/**
 * Enhanced subscription filters as AppSync documents them, over real sockets with this library's
 * Client against a template app (test/fixtures/enhanced-filters): every operator matching and not
 * matching, nested fields, AppSync's limits (each refused with AppSync's error for that start
 * only), an enhanced filter in place of arguments, Amplify's filter-argument pattern, AWS's NONE
 * "local publish" mutations, and `server.realtime.publish` through the same filters.
 *
 * "Did not receive" is shown by order, never by waiting: frames of one socket arrive in order, so
 * a subscription whose next frame is the item published after the one it must not get did not
 * get it. Each filter below has a second group matching its own end marker, published last.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TransportQueryError } from '../src/index.js';
import { compileCode } from '../src/testing/appsync-js/compile.js';
import { Sandbox } from '../src/testing/appsync-js/sandbox.js';
import { filterLimitBreach, matchesFilter, parseSubscriptionFilter, type SubscriptionFilter } from '../src/testing/graphql/subscription-filter.js';
import type { LocalAppSync } from '../src/testing/index.js';
import { templateServer } from './helpers.js';
import { GRAPHQL, rawSocket, type RawSocket } from './raw-socket.js';

const TEMPLATE = fileURLToPath(new URL('../../test/fixtures/enhanced-filters/template.yaml', import.meta.url));
const ITEM = 'id room title priority score done tags owner { name team { name region { code } } }';
const PUBLISH = `mutation ($input: ItemInput!) { publishItem(input: $input) { ${ITEM} } }`;
const ON_FILTERED = `subscription ($filter: AWSJSON!) { onItemFiltered(filter: $filter) { id } }`;
const ON_INVALIDATED = 'subscription ($filter: AWSJSON!, $invalidation: AWSJSON) { onItemFiltered(filter: $filter, invalidation: $invalidation) { id } }';

type Item = { id: string; room?: string; title?: string | null; priority?: number | null; score?: number; done?: boolean; tags?: string[]; owner?: unknown };
type Filter = { fieldName: string; operator: string; value: unknown };

const serve = (t: TestContext) => templateServer(t, TEMPLATE);

/** Reads ids from a subscription up to and including `end`. */
async function idsUntil(subscription: AsyncIterator<unknown>, end: string): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const next = await subscription.next();
    assert.equal(next.done, false, `the subscription ended before ${end}; it had ${JSON.stringify(ids)}`);
    const payload = next.value as { data: Record<string, { id: string } | null> };
    const id = Object.values(payload.data)[0]?.id ?? '(null)';
    ids.push(id);
    if (id === end) return ids;
  }
}

/** The case's filter in a group with its room, OR'd with a group matching the case's end marker. */
const caseFilter = (room: string, rule: Filter): unknown => ({
  filterGroup: [
    { filters: [{ fieldName: 'room', operator: 'eq', value: room }, rule] },
    { filters: [{ fieldName: 'room', operator: 'eq', value: room }, { fieldName: 'id', operator: 'eq', value: `${room}-end` }] },
  ],
});

const owner = (code: string | null, name = 'ann'): unknown => ({ name, team: code === null ? null : { name: 'core', region: { code } } });

// Each operator, matching and not. `items` are published in order; `receives` is what reaches the subscriber.
const CASES: { name: string; rule: Filter; items: Record<string, Omit<Item, 'id' | 'room'>>; receives: string[] }[] = [
  { name: 'eq string', rule: { fieldName: 'title', operator: 'eq', value: 'hello' }, items: { a: { title: 'hello' }, b: { title: 'Hello' } }, receives: ['a'] },
  { name: 'eq number', rule: { fieldName: 'priority', operator: 'eq', value: 3 }, items: { a: { priority: 4 }, b: { priority: 3 } }, receives: ['b'] },
  { name: 'eq boolean', rule: { fieldName: 'done', operator: 'eq', value: true }, items: { a: { done: false }, b: { done: true } }, receives: ['b'] },
  { name: 'eq: a number never equals a string', rule: { fieldName: 'title', operator: 'eq', value: 3 }, items: { a: { title: '3' } }, receives: [] },
  { name: 'ne', rule: { fieldName: 'priority', operator: 'ne', value: 3 }, items: { a: { priority: 3 }, b: { priority: null }, c: { priority: 4 } }, receives: ['c'] },
  { name: 'lt', rule: { fieldName: 'priority', operator: 'lt', value: 3 }, items: { a: { priority: 3 }, b: { priority: 2 } }, receives: ['b'] },
  { name: 'le', rule: { fieldName: 'priority', operator: 'le', value: 3 }, items: { a: { priority: 4 }, b: { priority: 3 } }, receives: ['b'] },
  { name: 'gt', rule: { fieldName: 'score', operator: 'gt', value: 1.5 }, items: { a: { score: 1.5 }, b: { score: 2.5 } }, receives: ['b'] },
  { name: 'ge', rule: { fieldName: 'score', operator: 'ge', value: 1.5 }, items: { a: { score: 1.4 }, b: { score: 1.5 } }, receives: ['b'] },
  { name: 'gt on strings: by code units', rule: { fieldName: 'title', operator: 'gt', value: 'm' }, items: { a: { title: 'a' }, b: { title: 'n' } }, receives: ['b'] },
  { name: 'lt: a string never orders against a number', rule: { fieldName: 'title', operator: 'lt', value: 5 }, items: { a: { title: '1' } }, receives: [] },
  { name: 'contains on a string: a substring', rule: { fieldName: 'title', operator: 'contains', value: 'ell' }, items: { a: { title: 'help' }, b: { title: 'hello' } }, receives: ['b'] },
  { name: 'contains on a list: an element', rule: { fieldName: 'tags', operator: 'contains', value: 'red' }, items: { a: { tags: ['reddish'] }, b: { tags: ['blue', 'red'] } }, receives: ['b'] },
  { name: 'notContains on a string', rule: { fieldName: 'title', operator: 'notContains', value: 'x' }, items: { a: { title: 'xyz' }, b: { title: null }, c: { title: 'abc' } }, receives: ['c'] },
  { name: 'notContains on a list', rule: { fieldName: 'tags', operator: 'notContains', value: 'red' }, items: { a: { tags: ['red'] }, b: { tags: ['blue'] } }, receives: ['b'] },
  { name: 'beginsWith', rule: { fieldName: 'title', operator: 'beginsWith', value: 'he' }, items: { a: { title: 'the' }, b: { title: 'hello' } }, receives: ['b'] },
  { name: 'in', rule: { fieldName: 'priority', operator: 'in', value: [1, 2] }, items: { a: { priority: 3 }, b: { priority: 2 } }, receives: ['b'] },
  { name: 'notIn', rule: { fieldName: 'priority', operator: 'notIn', value: [1, 2] }, items: { a: { priority: 1 }, b: { priority: null }, c: { priority: 3 } }, receives: ['c'] },
  { name: 'between numbers, bounds included', rule: { fieldName: 'priority', operator: 'between', value: [2, 4] }, items: { a: { priority: 1 }, b: { priority: 2 }, c: { priority: 5 }, d: { priority: 4 } }, receives: ['b', 'd'] },
  { name: 'between strings', rule: { fieldName: 'title', operator: 'between', value: ['b', 'd'] }, items: { a: { title: 'e' }, b: { title: 'c' } }, receives: ['b'] },
  { name: 'containsAny', rule: { fieldName: 'tags', operator: 'containsAny', value: ['red', 'green'] }, items: { a: { tags: ['blue'] }, b: { tags: null as unknown as string[] }, c: { tags: ['green'] } }, receives: ['c'] },
  { name: 'a nested field, four levels', rule: { fieldName: 'owner.team.region.code', operator: 'eq', value: 'eu' }, items: { a: { owner: owner('us') }, b: { owner: owner(null) }, c: { owner: owner('eu') } }, receives: ['c'] },
  { name: 'a nested field, two levels', rule: { fieldName: 'owner.name', operator: 'beginsWith', value: 'a' }, items: { a: { owner: owner('eu', 'bob') }, b: { owner: owner('eu', 'ann') } }, receives: ['b'] },
];

test('each operator, matching and not, through a real subscription (a NONE publishItem mutation feeds it)', async (t) => {
  const { server, client } = await serve(t);
  const subscriptions = CASES.map((c, i) => client.subscribe(ON_FILTERED, { variableValues: { filter: JSON.stringify(caseFilter(`r${i}`, c.rule)) } }));
  await Promise.all(subscriptions.map((s) => s.started));
  assert.equal(server.realtime.subscriptions.length, CASES.length);
  for (const [i, c] of CASES.entries()) {
    const room = `r${i}`;
    for (const [id, fields] of Object.entries(c.items)) await client.execute(PUBLISH, { variableValues: { input: { id: `${room}-${id}`, room, ...fields } } });
    await client.execute(PUBLISH, { variableValues: { input: { id: `${room}-end`, room } } });
  }
  for (const [i, c] of CASES.entries()) {
    assert.deepEqual(await idsUntil(subscriptions[i] as AsyncIterator<unknown>, `r${i}-end`), [...c.receives.map((id) => `r${i}-${id}`), `r${i}-end`], c.name);
  }
});

/** Opens a raw socket, inits, and returns a function that starts `filter` and resolves with AppSync's answer frame. */
async function rawStarter(t: TestContext, server: LocalAppSync, apiKey: string): Promise<{ raw: RawSocket; start: (id: string, query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>> }> {
  const auth = { host: server.host, 'x-api-key': apiKey };
  const raw = await rawSocket(t, server, GRAPHQL, auth);
  raw.send({ type: 'connection_init' });
  await raw.frame((f) => f.type === 'connection_ack');
  const start = async (id: string, query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>> => {
    raw.send({ type: 'start', id, payload: { data: JSON.stringify({ query, variables }), extensions: { authorization: auth } } });
    return raw.frame((f) => f.id === id && (f.type === 'start_ack' || f.type === 'error'));
  };
  return { raw, start };
}

const rule = (fieldName: string, operator = 'eq', value: unknown = 'x'): Filter => ({ fieldName, operator, value });
const groups = (...filterLists: Filter[][]): unknown => ({ filterGroup: filterLists.map((filters) => ({ filters })) });
const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

// Each limit: the largest filter AppSync takes, and one more, refused with AppSync's message.
const LIMITS: { name: string; accepted: unknown; refused: unknown; message: string }[] = [
  { name: '10 filter groups', accepted: groups(...times(10, (i) => [rule('title', 'eq', `t${i}`)])), refused: groups(...times(11, (i) => [rule('title', 'eq', `t${i}`)])), message: 'Filters combination exceed maximum limit 10 for subscription.' },
  { name: '5 attributes in the whole filter', accepted: groups(['room', 'title', 'priority'].map((f) => rule(f)), ['score', 'done'].map((f) => rule(f, 'eq', 1))), refused: groups(['room', 'title', 'priority'].map((f) => rule(f)), ['score', 'done', 'tags'].map((f) => rule(f, 'eq', 1))), message: 'Filters exceed maximum attributes limit 5 for subscription.' },
  { name: '5 filters in a group', accepted: groups(['room', 'title', 'priority', 'score', 'done'].map((f) => rule(f))), refused: groups(['room', 'title', 'priority', 'score', 'done', 'tags'].map((f) => rule(f))), message: 'Filters exceed maximum attributes limit 5 for subscription.' },
  { name: '5 values for in', accepted: groups([rule('priority', 'in', [1, 2, 3, 4, 5])]), refused: groups([rule('priority', 'in', [1, 2, 3, 4, 5, 6])]), message: 'subscription exceeds maximum value limit 5 for operator `in`.' },
  { name: '5 values for notIn', accepted: groups([rule('priority', 'notIn', [1, 2, 3, 4, 5])]), refused: groups([rule('priority', 'notIn', [1, 2, 3, 4, 5, 6])]), message: 'subscription exceeds maximum value limit 5 for operator `notIn`.' },
  { name: '20 values for containsAny', accepted: groups([rule('tags', 'containsAny', times(20, String))]), refused: groups([rule('tags', 'containsAny', times(21, String))]), message: 'subscription exceeds maximum value limit 20 for operator `containsAny`.' },
  { name: 'a fieldName 5 levels deep', accepted: groups([rule('a.b.c.d.e')]), refused: groups([rule('a.b.c.d.e.f')]), message: 'Filter fieldName exceeds maximum nesting depth 5 for subscription: "a.b.c.d.e.f".' },
  { name: 'a fieldName of 256 characters', accepted: groups([rule('t'.repeat(256))]), refused: groups([rule('t'.repeat(257))]), message: `Filter fieldName exceeds maximum length 256 for subscription: "${'t'.repeat(40)}"… has 257 characters.` },
  { name: 'a fieldName once per group', accepted: groups([rule('priority', 'ge', 1)], [rule('priority', 'le', 5)]), refused: groups([rule('priority', 'ge', 1), rule('priority', 'le', 5)]), message: 'Subscription filter uses same fieldName multiple time: "priority" appears twice in one filter group (for a range, use between).' },
];

test("AppSync's limits: the largest filter is taken, one more is refused with AppSync's error for that start only", async (t) => {
  const { server, client, apiKey } = await serve(t);
  const { raw, start } = await rawStarter(t, server, apiKey);
  // A live subscription on the same socket, to show the refusals leave the connection alone.
  assert.deepEqual(await start('live', ON_FILTERED, { filter: JSON.stringify(groups([rule('id', 'eq', 'still-here')])) }), { type: 'start_ack', id: 'live' });
  for (const [i, limit] of LIMITS.entries()) {
    assert.deepEqual(await start(`ok-${i}`, ON_FILTERED, { filter: JSON.stringify(limit.accepted) }), { type: 'start_ack', id: `ok-${i}` }, limit.name);
    assert.deepEqual(await start(`over-${i}`, ON_FILTERED, { filter: JSON.stringify(limit.refused) }), { type: 'error', id: `over-${i}`, payload: { errors: [{ message: limit.message, errorCode: 400 }] } }, limit.name);
  }
  // An invalidation filter has the same grammar, and the same limits.
  const inLimit = LIMITS.find((limit) => limit.name === '5 values for in');
  assert.deepEqual(await start('invalidation-over', ON_INVALIDATED, { filter: JSON.stringify({ filterGroup: [] }), invalidation: JSON.stringify(inLimit?.refused) }), { type: 'error', id: 'invalidation-over', payload: { errors: [{ message: inLimit?.message, errorCode: 400 }] } });
  assert.equal(server.realtime.subscriptions.length, 1 + LIMITS.length, 'the refused starts left no subscription behind');
  // This library's Client: the start fails with AppSync's message, as a TransportQueryError.
  const refused = client.subscribe(ON_FILTERED, { variableValues: { filter: JSON.stringify(inLimit?.refused) } });
  const error = await refused.started.then(() => assert.fail('expected the start to be refused'), (cause: unknown) => cause);
  assert.ok(error instanceof TransportQueryError);
  assert.deepEqual(error.errors, [{ message: inLimit?.message, errorCode: 400 }]);
  await client.execute(PUBLISH, { variableValues: { input: { id: 'still-here' } } });
  assert.deepEqual((await raw.frame((f) => f.id === 'live' && f.type === 'data')).payload, { data: { onItemFiltered: { id: 'still-here' } } });
});

test('hostile filters get a bounded answer for their start, never a crash or a hang', async (t) => {
  const { server, client, apiKey } = await serve(t);
  const { raw, start } = await rawStarter(t, server, apiKey);
  const error = (id: string, errors: unknown): unknown => ({ type: 'error', id, payload: { errors } });
  // Huge lists and paths: the limit is read from the length, before the list is walked.
  assert.deepEqual(await start('huge-in', ON_FILTERED, { filter: JSON.stringify(groups([rule('priority', 'in', times(100_000, (i) => i))])) }), error('huge-in', [{ message: 'subscription exceeds maximum value limit 5 for operator `in`.', errorCode: 400 }]));
  assert.deepEqual(await start('huge-groups', ON_FILTERED, { filter: JSON.stringify({ filterGroup: times(50_000, () => ({ filters: [] })) }) }), error('huge-groups', [{ message: 'Filters combination exceed maximum limit 10 for subscription.', errorCode: 400 }]));
  const deepPath = times(20_000, () => 'a').join('.');
  assert.deepEqual(await start('deep-path', ON_FILTERED, { filter: JSON.stringify(groups([rule(deepPath)])) }), error('deep-path', [{ message: `Filter fieldName exceeds maximum length 256 for subscription: "${'a.'.repeat(20)}"… has ${deepPath.length} characters.`, errorCode: 400 }]));
  // Values AppSync does not compare: the start is refused, naming the filter and what it got.
  const notOne = (id: string, why: string): unknown => error(id, [{ errorType: 'Code', message: `The resolver of Subscription.onItemFiltered set a subscription filter that is not one: ${why}` }]);
  assert.deepEqual(await start('object-value', ON_FILTERED, { filter: JSON.stringify(groups([rule('title', 'eq', { nested: true })])) }), notOne('object-value', 'Expected filterGroup[0].filters[0].value to be a string or number or boolean for eq, but got an object.'));
  assert.deepEqual(await start('null-value', ON_FILTERED, { filter: JSON.stringify(groups([rule('title', 'ne', null)])) }), notOne('null-value', 'Expected filterGroup[0].filters[0].value to be a string or number or boolean for ne, but got null.'));
  assert.deepEqual(await start('mixed-between', ON_FILTERED, { filter: JSON.stringify(groups([rule('priority', 'between', [1, 'z'])])) }), notOne('mixed-between', 'Expected filterGroup[0].filters[0].value to be two numbers or two strings for between, but got the number 1 and a string.'));
  assert.deepEqual(await start('list-in-list', ON_FILTERED, { filter: JSON.stringify(groups([rule('tags', 'containsAny', [['a']])])) }), notOne('list-in-list', 'Expected filterGroup[0].filters[0].value[0] to be a string or number or boolean for containsAny, but got a list.'));
  assert.deepEqual(await start('empty-segment', ON_FILTERED, { filter: JSON.stringify(groups([rule('owner..name')])) }), notOne('empty-segment', 'Expected filterGroup[0].filters[0].fieldName to be a field name (dots between nested fields), but got "owner..name".'));
  // Built by a resolver: a cycle, a function, `not`, and/or nested deep, an and of ors that would be 10^20 groups.
  const HOSTILE = 'subscription ($kind: String!) { onItemHostile(kind: $kind) { id } }';
  const answers = await Promise.all(['cycle', 'function', 'not', 'deep', 'explosion'].map((kind) => start(kind, HOSTILE, { kind })));
  const errors = answers.map((a) => (a.payload as { errors: { message: string }[] }).errors[0]);
  assert.equal((errors[0] as { errorType?: unknown }).errorType, 'Code');
  assert.match(String(errors[0]?.message), /^extensions\.setSubscriptionFilter was given a filter that is not JSON \(.*circular.*\)\.$/i);
  assert.deepEqual(errors[1], { errorType: 'Code', message: 'The resolver of Subscription.onItemHostile set a subscription filter that is not one: Expected filterGroup[0].filters[0].value to be a string or number or boolean for eq, but got undefined.' });
  assert.match(String(errors[2]?.message), /^util\.transform\.toSubscriptionFilter: "not" \(at filter\) is not part of a subscription filter: AppSync's filter input has only and\/or; rewrite it with ne, notIn or notContains\.$/);
  assert.match(String(errors[3]?.message), /^util\.transform\.toSubscriptionFilter: and\/or nested more than 32 levels deep at filter(\.and\[0\]){33}\.$/);
  assert.deepEqual(errors[4], { message: 'Filters combination exceed maximum limit 10 for subscription.', errorCode: 400 });
  assert.equal(server.realtime.subscriptions.length, 0);
  // The server and the socket go on.
  assert.deepEqual(await start('after', ON_FILTERED, { filter: JSON.stringify(groups([rule('id', 'eq', 'after')])) }), { type: 'start_ack', id: 'after' });
  await client.execute(PUBLISH, { variableValues: { input: { id: 'after' } } });
  assert.deepEqual((await raw.frame((f) => f.id === 'after' && f.type === 'data')).payload, { data: { onItemFiltered: { id: 'after' } } });
});

test('an enhanced filter takes the place of the arguments; without one (no resolver, or one that sets none) the arguments filter', async (t) => {
  const { server, client } = await serve(t);
  type Got = Record<string, { id: string }>;
  const enhanced = client.subscribe<Got>('subscription { onRoomEnhanced(room: "A") { id } }');
  const resolved = client.subscribe<Got>('subscription { onRoomResolved(room: "A") { id } }');
  const plain = client.subscribe<Got>('subscription { onRoomPlain(room: "A") { id } }');
  await Promise.all([enhanced.started, resolved.started, plain.started]);
  for (const input of [
    { id: 'B-high', room: 'B', priority: 5 },
    { id: 'A-low', room: 'A', priority: 1 },
    { id: 'A-high', room: 'A', priority: 4 },
  ]) {
    await client.execute(PUBLISH, { variableValues: { input } });
  }
  // Enhanced (priority >= 3): room B reaches it, room A at priority 1 does not.
  assert.deepEqual(await idsUntil(enhanced, 'A-high'), ['B-high', 'A-high']);
  assert.deepEqual(await idsUntil(resolved, 'A-high'), ['A-low', 'A-high']);
  assert.deepEqual(await idsUntil(plain, 'A-high'), ['A-low', 'A-high']);

  // server.realtime.publish goes through the same filters, and sends what it is given.
  assert.equal(server.realtime.publish('onRoomEnhanced', { id: 'direct-low', room: 'A', priority: 2 }), 0);
  assert.equal(server.realtime.publish('onRoomEnhanced', { id: 'direct-high', room: 'Z', priority: 3 }), 1);
  assert.equal(server.realtime.publish('onRoomPlain', { id: 'direct-B', room: 'B' }), 0);
  assert.equal(server.realtime.publish('onRoomPlain', { id: 'direct-A', room: 'A', priority: 0 }), 1);
  assert.deepEqual((await enhanced.next()).value, { data: { onRoomEnhanced: { id: 'direct-high' } } });
  assert.deepEqual((await plain.next()).value, { data: { onRoomPlain: { id: 'direct-A' } } });

  // Publishing ends nothing, even with a value the subscription's invalidation filter matches;
  // invalidateMatching does, with AppSync's "Subscription complete." (the iterator ends).
  const everyone = JSON.stringify({ filterGroup: [] });
  const watched = client.subscribe<Got>(ON_INVALIDATED, { variableValues: { filter: everyone, invalidation: JSON.stringify(groups([rule('id', 'eq', 'bye')])) } });
  await watched.started;
  assert.equal(server.realtime.publish('onItemFiltered', { id: 'bye' }), 1);
  assert.deepEqual((await watched.next()).value, { data: { onItemFiltered: { id: 'bye' } } });
  assert.equal(server.realtime.invalidateMatching('onItemFiltered', { id: 'bye' }), 1);
  assert.deepEqual(await watched.next(), { done: true, value: undefined });
});

test("Amplify's filter argument: util.transform.toSubscriptionFilter(ctx.args.filter) with and/or; no filter receives everything", async (t) => {
  const { client } = await serve(t);
  const ON_CREATE = 'subscription ($filter: ModelSubscriptionItemFilterInput) { onCreateItem(filter: $filter) { id } }';
  type Got = { onCreateItem: { id: string } };
  // title begins with "he" AND (priority = 1 OR priority > 5): two groups. An operator sent as null is no condition.
  const matching = client.subscribe<Got>(ON_CREATE, { variableValues: { filter: { title: { beginsWith: 'he', ne: null }, or: [{ priority: { eq: 1 } }, { priority: { gt: 5 } }] } } });
  const anded = client.subscribe<Got>(ON_CREATE, { variableValues: { filter: { and: [{ room: { eq: 'x' } }, { priority: { between: [2, 4] } }] } } });
  const mismatching = client.subscribe<Got>(ON_CREATE, { variableValues: { filter: { title: { eq: 'nothing is called this' } } } });
  const everything = client.subscribe<Got>(ON_CREATE);
  await Promise.all([matching.started, anded.started, mismatching.started, everything.started]);
  const items = [
    { id: 'he-1', title: 'hello', priority: 1, room: 'x' },
    { id: 'he-3', title: 'hello', priority: 3, room: 'x' },
    { id: 'ho-9', title: 'howdy', priority: 9, room: 'y' },
    { id: 'he-9', title: 'help', priority: 9, room: 'y' },
  ];
  for (const input of items) await client.execute(PUBLISH, { variableValues: { input } });
  assert.deepEqual(await idsUntil(matching, 'he-9'), ['he-1', 'he-9']);
  assert.deepEqual(await idsUntil(anded, 'he-3'), ['he-3']);
  assert.deepEqual(await idsUntil(everything, 'he-9'), ['he-1', 'he-3', 'ho-9', 'he-9']);
  // The one that matches nothing: an item only it and `everything` would get, then proof nothing else came first.
  await client.execute(PUBLISH, { variableValues: { input: { id: 'named', title: 'nothing is called this' } } });
  assert.deepEqual(await idsUntil(mismatching, 'named'), ['named']);
});

test("AWS's NONE local publish: a mutation on a NONE data source returns its arguments to the subscribers of its name", async (t) => {
  const { server, client } = await serve(t);
  type Got = { subscribe: { name: string; data: unknown } };
  const a = client.subscribe<Got>('subscription { subscribe(name: "a") { name data } }');
  const b = client.subscribe<Got>('subscription { subscribe(name: "b") { name data } }');
  await Promise.all([a.started, b.started]);
  const sent = await client.execute('mutation { publish(name: "b", data: "{\\"n\\":1}") { name data } }');
  assert.deepEqual(sent, { data: { publish: { name: 'b', data: '{"n":1}' } } });
  await client.execute('mutation { publish(name: "a", data: "{\\"n\\":2}") { name data } }');
  // Frames of one socket arrive in order: a's first being n:2 means the n:1 for b did not reach it.
  assert.deepEqual((await a.next()).value, { data: { subscribe: { name: 'a', data: '{"n":2}' } } });
  assert.deepEqual((await b.next()).value, { data: { subscribe: { name: 'b', data: '{"n":1}' } } });
  // From a test, the same fan-out without a mutation: the argument filter applies, the value goes as given.
  assert.equal(server.realtime.publish('subscribe', { name: 'a', data: { n: 3 } }), 1);
  assert.deepEqual((await a.next()).value, { data: { subscribe: { name: 'a', data: '{"n":3}' } } });
});

test('the pure functions: limits read lengths first, the type rules, missing and null fields', () => {
  const parsed = (filter: unknown): SubscriptionFilter => {
    const result = parseSubscriptionFilter(filter);
    assert.ok(typeof result !== 'string', String(result));
    return result;
  };
  // A list that is not a filter is left to the parser.
  assert.equal(filterLimitBreach({ filterGroup: 'nope' }), undefined);
  assert.equal(filterLimitBreach(groups([rule('a.b.c.d.e')])), undefined);
  const ne = parsed(groups([rule('title', 'ne', 'x')]));
  assert.equal(matchesFilter(ne, { title: 'y' }), true);
  assert.equal(matchesFilter(ne, { title: null }), false);
  assert.equal(matchesFilter(ne, {}), false);
  assert.equal(matchesFilter(ne, null), false);
  // A nested path never reads through a list or an inherited property.
  const nested = parsed(groups([rule('owner.name', 'eq', 'ann')]));
  assert.equal(matchesFilter(nested, { owner: [{ name: 'ann' }] }), false);
  assert.equal(matchesFilter(parsed(groups([rule('title.length', 'eq', 3)])), { title: 'abc' }), false);
  assert.equal(matchesFilter(parsed(groups([rule('constructor', 'ne', 'x')])), {}), false);
  assert.equal(matchesFilter(parsed({ filterGroup: [] }), { anything: 1 }), true);
  assert.equal(matchesFilter(parsed(groups([rule('n', 'eq', 1)])), { n: '1' }), false);
  assert.equal(matchesFilter(parsed(groups([rule('n', 'ge', '1')])), { n: 2 }), false);
  assert.equal(matchesFilter(parsed(groups([rule('tags', 'containsAny', ['a'])])), { tags: 'a' }), false);
});

test('util.transform.toSubscriptionFilter: and/or to groups, ignoredFields, rules as alternatives, null operators skipped', async () => {
  const code = `import { util } from '@aws-appsync/utils';
    export const request = (ctx) => util.transform.toSubscriptionFilter(ctx.args.filter, ctx.args.ignored, ctx.args.rules);
    export const response = () => null;`;
  const sandbox = new Sandbox(await compileCode({ text: code, file: 'to-subscription-filter.js', firstLine: 1 }, 'ToSubscriptionFilter'), { timeoutMs: 1000, now: () => 0, log: () => {} });
  const convert = (args: Record<string, unknown>): unknown => (sandbox.evaluate({ handler: 'request', ctx: { arguments: args }, authType: 'API_KEY', typeName: 'Subscription', fieldName: 'onItem' }) as { value: unknown }).value;
  const f = (fieldName: string, operator: string, value: unknown): Filter => ({ fieldName, operator, value });
  assert.deepEqual(convert({ filter: { title: { beginsWith: 'he', ne: null }, or: [{ priority: { eq: 1 } }, { priority: { gt: 5 } }] } }), {
    filterGroup: [{ filters: [f('title', 'beginsWith', 'he'), f('priority', 'eq', 1)] }, { filters: [f('title', 'beginsWith', 'he'), f('priority', 'gt', 5)] }],
  });
  assert.deepEqual(convert({ filter: { and: [{ room: { eq: 'x' } }, { or: [{ title: { eq: 'a' } }, { title: { eq: 'b' } }] }] } }), {
    filterGroup: [{ filters: [f('room', 'eq', 'x'), f('title', 'eq', 'a')] }, { filters: [f('room', 'eq', 'x'), f('title', 'eq', 'b')] }],
  });
  // ignoredFields leave those fields out wherever they are; each rule is one alternative ANDed onto every group.
  assert.deepEqual(convert({ filter: { room: { eq: 'x' }, and: [{ secret: { eq: 1 } }, { title: { eq: 'a' } }] }, ignored: ['secret'], rules: { owner: { eq: 'ann' }, team: { eq: 'core' } } }), {
    filterGroup: [{ filters: [f('room', 'eq', 'x'), f('title', 'eq', 'a'), f('owner', 'eq', 'ann')] }, { filters: [f('room', 'eq', 'x'), f('title', 'eq', 'a'), f('team', 'eq', 'core')] }],
  });
  assert.deepEqual(convert({ filter: {} }), { filterGroup: [] });
});

test('extensions.invalidateSubscriptions with a payload that is not JSON (a cycle) fails the resolver with a one-line Code error', async () => {
  const code = `import { extensions } from '@aws-appsync/utils';
    export const request = () => ({});
    export function response() {
      const payload = { userId: 'ann' };
      payload.self = payload;
      extensions.invalidateSubscriptions({ subscriptionField: 'onItem', payload });
      return null;
    }`;
  const sandbox = new Sandbox(await compileCode({ text: code, file: 'invalidate-cycle.js', firstLine: 1 }, 'InvalidateCycle'), { timeoutMs: 1000, now: () => 0, log: () => {} });
  const outcome = sandbox.evaluate({ handler: 'response', ctx: { arguments: {} }, authType: 'API_KEY', typeName: 'Mutation', fieldName: 'removeUser' }) as { status: string; error?: { message: string; errorType: string } };
  assert.equal(outcome.status, 'error');
  assert.equal(outcome.error?.errorType, 'Code');
  assert.match(outcome.error?.message ?? '', /^extensions\.invalidateSubscriptions was given a payload that is not JSON \(.*circular.*\)\.$/i);
});
