/** The local AppSync driven by a schema: HTTP queries and mutations, subscriptions fed by them, AppSync's errors. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildClientSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { TransportConfigurationError, TransportQueryError, signAppSyncRequest } from '../src/index.js';
import { CHAT_SCHEMA, LocalGraphQLExecutor, buildAppSyncSchema, startLocalAppSync, type LocalAppSync } from '../src/testing/index.js';
import { API_KEY, errorOf, localServer, subscriptionsOnServer, take, transportFor } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CREATE = 'mutation Create($room: String!, $text: String!) { createMessage(room: $room, text: $text) { id room text createdAt } }';

/** POSTs a body to the server's /graphql with the API key; returns status, headers and parsed body. */
async function post(server: LocalAppSync, body: unknown, headers: Record<string, string> = { 'x-api-key': API_KEY }) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

describe('buildAppSyncSchema', () => {
  test('builds an AppSync schema file that uses AppSync scalars and directives without declaring them', () => {
    const schema = buildAppSyncSchema(`
      type Event @aws_api_key @aws_iam {
        id: ID!
        on: AWSDate
        at: AWSTime
        when: AWSDateTime!
        epoch: AWSTimestamp
        email: AWSEmail @aws_cognito_user_pools(cognito_groups: ["admins"])
        meta: AWSJSON
        link: AWSURL
        phone: AWSPhone
        ip: AWSIPAddress
        old: String @deprecated(reason: "use meta")
      }
      type Query { getEvent(id: ID!): Event @aws_oidc @aws_lambda @aws_auth(cognito_groups: ["a"]) }
      type Mutation { putEvent(when: AWSDateTime!, meta: AWSJSON): Event }
      type Subscription { onPutEvent: Event @aws_subscribe(mutations: ["putEvent"]) }
    `);
    assert.equal(schema.getType('AWSDateTime')?.name, 'AWSDateTime');
    assert.ok(schema.getDirective('aws_subscribe'));
  });

  test('keeps the declarations a file makes itself instead of duplicating them', () => {
    const schema = buildAppSyncSchema(`
      scalar AWSDateTime
      directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
      type Query { now: AWSDateTime }
      type Subscription { onX: String @aws_subscribe(mutations: ["x"]) }
    `);
    assert.equal(schema.getDirective('aws_subscribe')?.args.length, 1);
  });

  test('names each problem with its line and column', () => {
    assert.throws(() => buildAppSyncSchema('type Query {\n  a: Missing\n}'), (error: unknown) => {
      assert.ok(error instanceof TransportConfigurationError);
      assert.equal(error.code, 'CONFIGURATION_ERROR');
      assert.equal(error.message, 'Expected a valid AppSync schema, but found a problem: Unknown type "Missing". (line 2, column 6).');
      return true;
    });
    assert.throws(() => buildAppSyncSchema('type Query {\n  a: String\n'), {
      name: 'TransportConfigurationError',
      message: 'Expected a valid AppSync schema, but found a problem: Syntax Error: Expected Name, found <EOF>. (line 3, column 1).',
    });
  });

  test('AppSync scalars check literals as AppSync does', () => {
    const schema = buildAppSyncSchema('type Query { at(when: AWSDateTime, ip: AWSIPAddress): String }');
    assert.deepEqual(validate(schema, parse('{ at(when: "2024-05-01T10:00:00.123Z", ip: "10.0.0.1/8") }')), []);
    const errors = validate(schema, parse('{ at(when: "2024-05-01T10:00:00") }'));
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /AWSDateTime does not accept "2024-05-01T10:00:00"/);
  });
});

describe('queries and mutations over HTTP', () => {
  test('a mutation echoes its arguments with a generated id and createdAt, and a query reads the store', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const created = await post(server, { query: CREATE, variables: { room: 'A', text: 'hello' } });
    assert.equal(created.status, 200);
    assert.equal(created.headers.get('access-control-allow-origin'), '*');
    const message = created.body.data.createMessage;
    assert.match(message.id, UUID);
    assert.match(message.createdAt, ISO);
    assert.deepEqual(message, { id: message.id, room: 'A', text: 'hello', createdAt: message.createdAt });
    assert.deepEqual(server.store.get('Message', message.id), message);

    const read = await post(server, { query: 'query Get($id: ID!) { getMessage(id: $id) { __typename id text } }', variables: { id: message.id } });
    assert.deepEqual(read.body, { data: { getMessage: { __typename: 'Message', id: message.id, text: 'hello' } } });
    const list = await post(server, { query: '{ listMessages { room text } missing: getMessage(id: "nope") { id } }' });
    assert.deepEqual(list.body, { data: { listMessages: [{ room: 'A', text: 'hello' }], missing: null } });
  });

  test('a single input argument is flattened, connections get { items }, and resolvers override the echo', async (t) => {
    const server = await localServer(t, {
      schema: `
        input CreateNoteInput { title: String!, tags: [String] }
        type Note { id: ID!, title: String!, tags: [String], createdAt: AWSTimestamp, updatedAt: AWSDateTime, owner: String }
        type NoteConnection { items: [Note], nextToken: String }
        type Query { listNotes: NoteConnection, shout(text: String!): String }
        type Mutation { createNote(input: CreateNoteInput!): Note }
      `,
      now: () => new Date('2026-01-02T03:04:05.678Z'),
      generateId: () => 'note-1',
      resolvers: {
        Query: { shout: (args) => String(args.text).toUpperCase() },
        Mutation: { createNote: (args, { fallback }) => ({ ...(fallback() as object), owner: 'local' }) },
      },
    });
    const created = await server.mutate('mutation { createNote(input: { title: "T", tags: ["a"] }) { id title tags createdAt updatedAt owner } }');
    assert.deepEqual(created, {
      data: { createNote: { id: 'note-1', title: 'T', tags: ['a'], createdAt: 1767323045, updatedAt: '2026-01-02T03:04:05.678Z', owner: 'local' } },
    });
    const listed = await post(server, { query: '{ listNotes { items { id title } nextToken } shout(text: "hi") }' });
    assert.deepEqual(listed.body, { data: { listNotes: { items: [{ id: 'note-1', title: 'T' }], nextToken: null }, shout: 'HI' } });
  });

  test('a resolver for a field the schema lacks is refused at startup', async () => {
    await assert.rejects(startLocalAppSync({ schema: CHAT_SCHEMA, resolvers: { Mutation: { createMesage: () => null } } }), {
      name: 'TransportConfigurationError',
      message: "Expected resolvers.Mutation.createMesage to match a field of the schema's Mutation type, but it has only createMessage.",
    });
  });

  test('an invalid document gets AppSync-shaped validation errors, and the server keeps working', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const invalid = await post(server, { query: '{ badfield listMessages { nope } }' });
    assert.equal(invalid.status, 200);
    assert.deepEqual(invalid.body, {
      data: null,
      errors: [
        {
          path: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: "Validation error of type FieldUndefined: Field 'badfield' in type 'Query' is undefined @ 'badfield'",
        },
        {
          path: null,
          locations: [{ line: 1, column: 27, sourceName: null }],
          message: "Validation error of type FieldUndefined: Field 'nope' in type 'Message' is undefined @ 'listMessages/nope'",
        },
      ],
    });
    const syntax = await post(server, { query: '{ listMessages {' });
    assert.deepEqual(syntax.body, {
      data: null,
      errors: [{ path: null, locations: [{ line: 1, column: 17, sourceName: null }], message: 'Invalid Syntax : Expected Name, found <EOF>.' }],
    });
    const missing = await post(server, { query: CREATE, variables: { room: 'A' } });
    assert.deepEqual(missing.body, {
      data: null,
      errors: [{ path: null, locations: null, message: "Variable 'text' has coerced Null value for NonNull type 'String!'" }],
    });
    const ok = await post(server, { query: CREATE, variables: { room: 'A', text: 'still here' } });
    assert.equal(ok.body.data.createMessage.text, 'still here');
  });

  test('malformed requests get 400 MalformedHttpRequestException', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    for (const [body, message] of [
      ['meow', 'Unable to parse GraphQL query.'],
      ['{}', 'Unable to parse GraphQL query.'],
      ['[]', 'Unable to parse GraphQL query.'],
      ['', 'Request body is empty.'],
    ]) {
      const response = await post(server, body);
      assert.equal(response.status, 400, body);
      assert.deepEqual(response.body, { errors: [{ errorType: 'MalformedHttpRequestException', message }] });
    }
  });

  test('a wrong or missing API key gets 401 UnauthorizedException', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const wrong = await post(server, { query: '{ listMessages { id } }' }, { 'x-api-key': 'da2-wrong' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, { errors: [{ errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' }] });
    // As AppSync does: the name in a header too (Amplify reads it from there), readable cross-origin.
    assert.equal(wrong.headers.get('x-amzn-errortype'), 'UnauthorizedException');
    assert.match(wrong.headers.get('access-control-expose-headers') ?? '', /x-amzn-errortype/);
    const none = await post(server, { query: '{ listMessages { id } }' }, {});
    assert.equal(none.status, 401);
    assert.equal(none.body.errors[0].errorType, 'UnauthorizedException');
    assert.equal(server.store.list('Message').length, 0);
  });

  test('IAM: a SigV4-signed POST is verified by recomputation', async (t) => {
    const credentials = { accessKeyId: 'AKIDEXAMPLEHTTP01', secretAccessKey: 'http-SECRET-key' };
    const server = await localServer(t, { schema: CHAT_SCHEMA, auth: { iam: { credentials: { [credentials.accessKeyId]: credentials } } } });
    const body = JSON.stringify({ query: CREATE, variables: { room: 'iam', text: 'signed' } });
    const signed = await signAppSyncRequest({
      credentials,
      region: 'us-east-1',
      host: server.host,
      path: '/graphql',
      body,
      date: new Date(),
      headers: { 'content-type': 'application/json' },
    });
    const { host: _host, ...headers } = signed; // fetch sets host itself, to the same value
    const accepted = await post(server, body, headers);
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.data.createMessage.text, 'signed');
    const tampered = await post(server, body.replace('signed', 'forged'), headers);
    assert.equal(tampered.status, 401);
  });

  test('OPTIONS answers a CORS preflight', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const response = await fetch(server.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('access-control-allow-headers'), 'content-type,x-api-key');
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  test('without a schema, POST /graphql says a schema is needed and mutate() throws', async (t) => {
    const server = await localServer(t);
    const response = await post(server, { query: '{ a }' });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body, {
      errors: [
        {
          errorType: 'BadRequestException',
          message:
            'This local AppSync has no schema, so it cannot run queries or mutations: start it with startLocalAppSync({ schema }) (SDL text or a GraphQLSchema).',
        },
      ],
    });
    await assert.rejects(server.mutate('mutation { a }'), { name: 'TransportConfigurationError' });
  });
});

describe('LocalGraphQLExecutor (no sockets)', () => {
  test('updates merge over the stored item, deletes remove it, and every result, as the mutation selected it, reaches the subscriptions it feeds', async () => {
    const published: [string, unknown][] = [];
    let clock = 0;
    const executor = new LocalGraphQLExecutor({
      schema: buildAppSyncSchema(`
        type Doc { id: ID!, title: String, meta: AWSJSON, createdAt: AWSDateTime, updatedAt: AWSDateTime }
        type Query { getDoc(id: ID!): Doc }
        type Mutation { createDoc(title: String, meta: AWSJSON): Doc, updateDoc(id: ID!, title: String): Doc, deleteDoc(id: ID!): Doc }
        type Subscription {
          onDoc: Doc @aws_subscribe(mutations: ["createDoc", "updateDoc", "deleteDoc"])
          onDelete: Doc @aws_subscribe(mutations: ["deleteDoc"])
        }
      `),
      now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)),
      generateId: () => 'd1',
      publish: (field, value) => published.push([field, value]),
    });
    const run = async (query: string) => JSON.parse(JSON.stringify(await executor.execute({ query })));
    assert.deepEqual(await run('mutation { createDoc(title: "one", meta: "{\\"k\\":1}") { id meta createdAt updatedAt } }'), {
      data: { createDoc: { id: 'd1', meta: '{"k":1}', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' } },
    });
    assert.deepEqual(await run('mutation { updateDoc(id: "d1", title: "two") { title meta createdAt updatedAt } }'), {
      data: { updateDoc: { title: 'two', meta: '{"k":1}', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:01.000Z' } },
    });
    assert.deepEqual(await run('mutation { deleteDoc(id: "d1") { title } }'), { data: { deleteDoc: { title: 'two' } } });
    assert.deepEqual(await run('{ getDoc(id: "d1") { id } }'), { data: { getDoc: null } });
    // What each mutation selected is what it publishes (AppSync's mutation-selection rule): createDoc did not select title.
    assert.deepEqual(JSON.parse(JSON.stringify(published)), [
      ['onDoc', { id: 'd1', meta: '{"k":1}', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' }],
      ['onDoc', { title: 'two', meta: '{"k":1}', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:01.000Z' }],
      ['onDoc', { title: 'two' }],
      ['onDelete', { title: 'two' }],
    ]);
  });
});

describe('subscriptions fed by mutations', () => {
  test('a subscriber gets the mutation result cut down to its own selection set', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const transport = transportFor(t, server);
    await transport.connect();
    const results = transport.subscribe('subscription OnCreate { onCreateMessage { __typename said: text } }');
    await subscriptionsOnServer(server, 1);
    const created = await post(server, { query: CREATE, variables: { room: 'A', text: 'hi' } });
    assert.equal(created.status, 200);
    const [result] = await take(results, 1);
    assert.deepEqual(result, { data: { onCreateMessage: { __typename: 'Message', said: 'hi' } } });
  });

  test('arguments filter as AppSync does: a room A subscriber does not get room B', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const transport = transportFor(t, server);
    await transport.connect();
    const document = 'subscription OnCreate($room: String) { onCreateMessage(room: $room) { room text } }';
    const roomA = transport.subscribe(document, { variableValues: { room: 'A' } });
    const everyRoom = transport.subscribe(document, { variableValues: { room: null } });
    await subscriptionsOnServer(server, 2);
    await server.mutate(CREATE, { room: 'B', text: 'for B' });
    await server.mutate(CREATE, { room: 'A', text: 'for A' });
    // Frames arrive in order on one socket: A's first result being "for A" means "for B" was not sent to it.
    assert.deepEqual(await take(roomA, 1), [{ data: { onCreateMessage: { room: 'A', text: 'for A' } } }]);
    assert.deepEqual(await take(everyRoom, 2), [
      { data: { onCreateMessage: { room: 'B', text: 'for B' } } },
      { data: { onCreateMessage: { room: 'A', text: 'for A' } } },
    ]);
  });

  test('an invalid subscription gets an AppSync-shaped error for its id, and the connection keeps working', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const transport = transportFor(t, server);
    await transport.connect();
    const error = await errorOf(transport.subscribe('subscription { onCreateMessage { id nope } }'));
    assert.ok(error instanceof TransportQueryError);
    assert.deepEqual(error.errors, [
      { message: "Validation error of type FieldUndefined: Field 'nope' in type 'Message' is undefined @ 'onCreateMessage/nope'" },
    ]);
    const unknownRoot = await errorOf(transport.subscribe('subscription { x }'));
    assert.deepEqual((unknownRoot as TransportQueryError).errors, [
      { message: "Validation error of type FieldUndefined: Field 'x' in type 'Subscription' is undefined @ 'x'" },
    ]);
    assert.equal(server.realtime.subscriptions.length, 0);
    const results = transport.subscribe('subscription { onCreateMessage { text } }');
    await subscriptionsOnServer(server, 1);
    await server.mutate(CREATE, { room: 'A', text: 'after' });
    assert.deepEqual(await take(results, 1), [{ data: { onCreateMessage: { text: 'after' } } }]);
  });

  test('publish() under a schema projects too, and coerces subscription arguments', async (t) => {
    const server = await localServer(t, {
      schema: `
        type Item { id: ID!, name: String, meta: AWSJSON }
        type Query { item(id: ID!): Item }
        type Subscription { onItem(id: ID): Item }
      `,
    });
    const transport = transportFor(t, server);
    await transport.connect();
    const results = transport.subscribe('subscription { onItem(id: 7) { id meta } }');
    await subscriptionsOnServer(server, 1);
    assert.deepEqual(server.realtime.subscriptions[0]?.args, { id: '7' });
    assert.equal(server.realtime.publish('onItem', { id: '8', name: 'other' }), 0);
    assert.equal(server.realtime.publish('onItem', { id: '7', name: 'x', meta: { a: 1 } }), 1);
    assert.deepEqual(await take(results, 1), [{ data: { onItem: { id: '7', meta: '{"a":1}' } } }]);
  });
});

describe('introspection that older clients can read (gql 3.5 with graphql-core 3.2)', () => {
  /** The directive locations graphql-core 3.2 knows: its `build_client_schema` throws on any other. */
  const GRAPHQL_CORE_32_LOCATIONS = new Set([
    'QUERY', 'MUTATION', 'SUBSCRIPTION', 'FIELD', 'FRAGMENT_DEFINITION', 'FRAGMENT_SPREAD', 'VARIABLE_DEFINITION', 'INLINE_FRAGMENT',
    'SCHEMA', 'SCALAR', 'OBJECT', 'FIELD_DEFINITION', 'ARGUMENT_DEFINITION', 'INTERFACE', 'UNION', 'ENUM', 'ENUM_VALUE',
    'INPUT_OBJECT', 'INPUT_FIELD_DEFINITION',
  ]);
  // What gql's fetch_schema_from_transport sends: graphql-core 3.2's default query, with deprecated input values.
  const QUERY = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true });

  async function directives(server: LocalAppSync): Promise<{ name: string; locations: string[] }[]> {
    const { status, body } = await post(server, { query: QUERY });
    assert.equal(status, 200);
    assert.equal(body.errors, undefined);
    assert.doesNotThrow(() => buildClientSchema(body.data));
    return body.data.__schema.directives;
  }

  test('no directive location graphql-core 3.2 lacks (graphql 16.15 puts DIRECTIVE_DEFINITION on @deprecated), no @specifiedBy or @oneOf', async (t) => {
    const server = await localServer(t, { schema: CHAT_SCHEMA });
    const served = await directives(server);
    assert.deepEqual(served.flatMap((d) => d.locations.filter((l) => !GRAPHQL_CORE_32_LOCATIONS.has(l)).map((l) => `@${d.name} on ${l}`)), []);
    assert.deepEqual(served.find((d) => d.name === 'deprecated')?.locations, ['FIELD_DEFINITION', 'ARGUMENT_DEFINITION', 'INPUT_FIELD_DEFINITION', 'ENUM_VALUE']);
    assert.deepEqual(served.map((d) => d.name).filter((name) => !name.startsWith('aws_')), ['canonical', 'hidden', 'renamed', 'include', 'skip', 'deprecated']);
    const old = await post(server, { query: '{ listMessages { text } }' });
    assert.equal(old.status, 200, 'the same types still execute');
  });

  test('a schema that uses @specifiedBy or @oneOf keeps them', async (t) => {
    const server = await localServer(t, {
      schema: `
        scalar Url @specifiedBy(url: "https://url.spec.whatwg.org/")
        input Pick @oneOf { a: String, b: Int }
        type Query { pick(by: Pick!): Url }
      `,
    });
    const names = (await directives(server)).map((d) => d.name);
    assert.ok(names.includes('specifiedBy') && names.includes('oneOf'), names.join(', '));
  });
});
