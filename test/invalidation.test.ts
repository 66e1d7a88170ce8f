/**
 * Subscription invalidation as AppSync does it, on AWS's own example (test/fixtures/invalidation):
 * a Subscription resolver's `extensions.setSubscriptionInvalidationFilter` and a mutation
 * resolver's `extensions.invalidateSubscriptions({ subscriptionField, payload })` end exactly the
 * subscriptions whose invalidation filter the payload passes, each with AppSync's
 * `Subscription complete.` error for its id; this library's Client ends them normally.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TransportQueryError } from '../src/index.js';
import { templateServer } from './helpers.js';
import { GRAPHQL, rawSocket } from './raw-socket.js';

const TEMPLATE = fileURLToPath(new URL('../../test/fixtures/invalidation/template.yaml', import.meta.url));
const ON_MESSAGE = 'subscription ($u: ID!, $g: ID!) { onGroupMessageCreated(userId: $u, groupId: $g) { userId groupId message } }';

test('invalidateSubscriptions ends exactly the subscriptions whose invalidation filter matches, with "Subscription complete."; the others go on', async (t) => {
  const { server, client, apiKey } = await templateServer(t, TEMPLATE);
  type Message = { onGroupMessageCreated: { userId: string; groupId: string; message: string } };
  const subscribe = (u: string, g: string) => client.subscribe<Message>(ON_MESSAGE, { variableValues: { u, g } });
  const annG1 = subscribe('ann', 'g1');
  const bobG1 = subscribe('bob', 'g1');
  const annG2 = subscribe('ann', 'g2');
  await Promise.all([annG1.started, bobG1.started, annG2.started]);
  // A bare socket beside them, to see the frame itself.
  const raw = await rawSocket(t, server, GRAPHQL, { host: server.host, 'x-api-key': apiKey });
  raw.send({ type: 'connection_init' });
  await raw.frame((f) => f.type === 'connection_ack');
  raw.send({ type: 'start', id: 'ann-g3', payload: { data: JSON.stringify({ query: ON_MESSAGE, variables: { u: 'ann', g: 'g3' } }), extensions: { authorization: { host: server.host, 'x-api-key': apiKey } } } });
  await raw.frame((f) => f.type === 'start_ack');
  assert.equal(server.realtime.subscriptions.length, 4);

  const removed = await client.execute('mutation { removeUserFromGroup(userId: "ann", groupId: "g1") { userId } }');
  assert.deepEqual(removed, { data: { removeUserFromGroup: { userId: 'ann' } } });
  assert.deepEqual(await annG1.next(), { done: true, value: undefined });
  assert.equal(server.realtime.subscriptions.length, 3, 'only ann in g1 was ended');

  // The others still receive: bob in g1 gets g1's next message.
  await client.execute('mutation { createGroupMessage(userId: "bob", groupId: "g1", message: "still here") { userId groupId message } }');
  assert.deepEqual((await bobG1.next()).value, { data: { onGroupMessageCreated: { userId: 'bob', groupId: 'g1', message: 'still here' } } });

  // A subscriptionField the schema lacks ends nothing, and says so beside the result.
  const typo = await client.execute('mutation { removeUserFromGroup(userId: "ann", groupId: "typo") { userId } }').then(
    () => assert.fail('expected the error beside the result'),
    (error: unknown) => error,
  );
  assert.ok(typo instanceof TransportQueryError);
  assert.deepEqual(typo.data, { removeUserFromGroup: { userId: 'ann' } });
  assert.equal(typo.errors[0]?.errorType, 'Code');
  assert.match(String(typo.errors[0]?.message), /^extensions\.invalidateSubscriptions names subscriptionField "onGroupMessageCreatd", but the schema's Subscription type has only onGroupMessageCreated: no subscription was ended\.$/);
  assert.equal(server.realtime.subscriptions.length, 3);

  // Two calls in one resolver: both count (the first names nobody, the second ann).
  await client.execute('mutation { removeUserEverywhere(userId: "ann") { userId } }');
  assert.deepEqual(await annG2.next(), { done: true, value: undefined });
  assert.deepEqual(await raw.frame((f) => f.id === 'ann-g3' && f.type !== 'start_ack'), { type: 'error', id: 'ann-g3', payload: { errors: [{ message: 'Subscription complete.' }] } });
  assert.deepEqual(server.realtime.subscriptions.map((s) => s.args), [{ userId: 'bob', groupId: 'g1' }]);

  // Bob's subscription is untouched by all of it.
  await client.execute('mutation { createGroupMessage(userId: "ann", groupId: "g1", message: "after") { userId groupId message } }');
  assert.deepEqual((await bobG1.next()).value, { data: { onGroupMessageCreated: { userId: 'ann', groupId: 'g1', message: 'after' } } });
});

test('each unique invalidateSubscriptions call counts, a repeated one once; a sixth unique call in one request is a GraphQL error', async (t) => {
  const { server, client } = await templateServer(t, TEMPLATE);
  const subscribe = (u: string, g: string) => client.subscribe(ON_MESSAGE, { variableValues: { u, g } });
  const [ann, bob, cat] = [subscribe('ann', 'g1'), subscribe('bob', 'g1'), subscribe('cat', 'g1')];
  await Promise.all([ann.started, bob.started, cat.started]);

  // Ten calls, five of them unique: within the limit, and both named users are ended.
  assert.deepEqual(await client.execute('mutation { removeUsers(userIds: ["ann", "bob", "x", "y", "z"]) }'), { data: { removeUsers: ['ann', 'bob', 'x', 'y', 'z'] } });
  assert.deepEqual(await ann.next(), { done: true, value: undefined });
  assert.deepEqual(await bob.next(), { done: true, value: undefined });
  assert.deepEqual(server.realtime.subscriptions.map((s) => s.args), [{ userId: 'cat', groupId: 'g1' }]);

  // Six unique calls: the field fails naming the limit, and nothing is ended.
  const refused = await client.execute('mutation { removeUsers(userIds: ["cat", "b", "c", "d", "e", "f"]) }').then(
    () => assert.fail('expected a GraphQL error'),
    (error: unknown) => error,
  );
  assert.ok(refused instanceof TransportQueryError);
  assert.deepEqual(refused.data, { removeUsers: null });
  assert.match(String(refused.errors[0]?.message), /called with 6 different arguments; AppSync allows at most 5 unique calls in one request/);
  assert.deepEqual(server.realtime.subscriptions.map((s) => s.args), [{ userId: 'cat', groupId: 'g1' }]);

  // Two mutation fields in one request share the limit: 3 + 3 unique calls, the second field's refused.
  const shared = await client.execute('mutation { a: removeUsers(userIds: ["p", "q", "r"]) b: removeUsers(userIds: ["cat", "s", "t"]) }').then(
    () => assert.fail('expected a GraphQL error'),
    (error: unknown) => error,
  );
  assert.ok(shared instanceof TransportQueryError);
  assert.deepEqual(shared.data, { a: ['p', 'q', 'r'], b: ['cat', 's', 't'] });
  assert.match(String(shared.errors[0]?.message), /already made 5 unique calls, AppSync's limit per request/);
  assert.equal(shared.errors.length, 1, 'only the sixth call is refused');
  assert.deepEqual((await cat.next()).done, true, 'cat, within the five, was ended');
});
