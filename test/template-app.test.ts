/**
 * `startLocalAppSync({ template })` runs published AppSync apps unmodified (aws-samples'
 * todo-api-cfn with UNIT resolvers and todo-api-pipeline-cfn with PIPELINE resolvers, both on
 * DynamoDB through dynalite), driven by this library's Client over real sockets; and refuses or
 * contains what AppSync would refuse or fail.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppSyncApiKeyAuthentication, Client, TransportConfigurationError } from '../src/index.js';
import { startLocalAppSync, type LocalAppSync } from '../src/testing/index.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/aws-appsync-resolver-samples/', import.meta.url));
const UNIT = join(FIXTURES, 'todo-api-cfn/template.yaml');
const DIR_OF_CHAT = fileURLToPath(new URL('../../examples/chat-app/', import.meta.url));
const PIPELINE = join(FIXTURES, 'todo-api-pipeline-cfn/template.yaml');

async function serve(t: TestContext, template: string, extra: Parameters<typeof startLocalAppSync>[0] = {}): Promise<{ server: LocalAppSync; client: Client; logs: string[] }> {
  const logs: string[] = [];
  const server = await startLocalAppSync({ template, resolverLog: (line) => logs.push(line), ...extra });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? '' }), retry: false });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  return { server, client, logs };
}

/** A copy of a published template with one edit, for the bad-input cases. */
function edited(source: string, from: string | RegExp, to: string): string {
  const text = readFileSync(source, 'utf8');
  const changed = text.replace(from, to);
  assert.notEqual(changed, text, 'control: the edit applies');
  const file = join(mkdtempSync(join(tmpdir(), 'appsync-template-')), 'template.yaml');
  writeFileSync(file, changed);
  return file;
}

async function refusal(template: string): Promise<TransportConfigurationError> {
  const error = await startLocalAppSync({ template }).then(
    (server) => server.close().then(() => assert.fail('expected the template to be refused')),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TransportConfigurationError, String(error));
  return error;
}

test('aws-samples todo-api-cfn runs unmodified: create, get, list with filter and pages, GSI query, failed condition, delete, subscription', async (t) => {
  const { server, client, logs } = await serve(t, UNIT);
  assert.match(server.apiKeys[0] ?? '', /^da2-[a-z0-9]{26}$/);
  assert.deepEqual([...server.notEmulated], [['DataSourceServiceRole', 'AWS::IAM::Role'], ['ServiceRoleDefaultPolicy', 'AWS::IAM::Policy']]);

  const created = client.subscribe<{ onCreateTodo: { title: string; owner: string } }>('subscription { onCreateTodo(owner: "ann") { title owner } }');
  const firstEvent = created.next();
  await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
  const made = await client.execute<{ createTodo: { id: string; title: string; owner: string } }>('mutation { createTodo(input: { title: "a", owner: "ann" }) { id title owner } }');
  const id = made.data?.createTodo.id ?? '';
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.deepEqual((await firstEvent).value, { data: { onCreateTodo: { title: 'a', owner: 'ann' } } });
  await created.return?.();
  assert.ok(logs.some((line) => line.startsWith('[CreateTodoResolver] INFO --> create todo with requested values:')), logs.join('\n'));

  for (const [title, owner] of [['b', 'bob'], ['c', 'ann'], ['d', 'bob']]) await client.execute(`mutation { createTodo(input: { title: "${title}", owner: "${owner}" }) { id } }`);
  assert.deepEqual((await client.execute(`{ getTodo(id: "${id}") { title owner } }`)).data, { getTodo: { title: 'a', owner: 'ann' } });

  const seen: string[] = [];
  let nextToken: string | null = null;
  do {
    const page: { data?: { listTodos: { items: { title: string }[]; nextToken: string | null } } | null } = await client.execute('query ($t: String) { listTodos(limit: 3, nextToken: $t) { items { title } nextToken } }', { variableValues: { t: nextToken } });
    assert.ok((page.data?.listTodos.items.length ?? 0) <= 3);
    seen.push(...(page.data?.listTodos.items ?? []).map((i) => i.title));
    nextToken = page.data?.listTodos.nextToken ?? null;
  } while (nextToken !== null);
  assert.deepEqual(seen.sort(), ['a', 'b', 'c', 'd']);

  const bobs = await client.execute<{ listTodos: { items: { title: string }[] } }>('{ listTodos(filter: { owner: { eq: "bob" } }) { items { title } } }');
  assert.deepEqual(bobs.data?.listTodos.items.map((i) => i.title).sort(), ['b', 'd']);
  const anns = await client.execute<{ queryTodosByOwnerIndex: { items: { title: string }[] } }>('{ queryTodosByOwnerIndex(owner: "ann") { items { title } } }');
  assert.deepEqual(anns.data?.queryTodosByOwnerIndex.items.map((i) => i.title).sort(), ['a', 'c']);

  // updateTodo's condition (attributeExists on id) fails for an id that is not there.
  const failed = await client.execute('mutation { updateTodo(input: { id: "missing", title: "x" }) { id } }').then(
    () => assert.fail('expected GraphQL errors'),
    (e: { errors?: { errorType?: string; path?: unknown; message: string }[]; data?: unknown }) => e,
  );
  assert.deepEqual(failed.data, { updateTodo: null });
  assert.equal(failed.errors?.[0]?.errorType, 'DynamoDB:ConditionalCheckFailedException');
  assert.deepEqual(failed.errors?.[0]?.path, ['updateTodo']);
  assert.match(failed.errors?.[0]?.message ?? '', /^The conditional request failed \(Service: DynamoDb, Status Code: 400, Request ID: \S+\)$/);

  assert.deepEqual((await client.execute(`mutation { deleteTodo(input: { id: "${id}" }) { title } }`)).data, { deleteTodo: { title: 'a' } });
  assert.deepEqual((await client.execute(`{ getTodo(id: "${id}") { title } }`)).data, { getTodo: null });
});

test('aws-samples todo-api-pipeline-cfn runs unmodified: pipeline resolvers with functions', async (t) => {
  const { client } = await serve(t, PIPELINE);
  const made = await client.execute<{ createTodo: { id: string } }>('mutation { createTodo(input: { title: "p", owner: "pat" }) { id } }');
  const id = made.data?.createTodo.id ?? '';
  assert.deepEqual((await client.execute(`{ getTodo(id: "${id}") { title owner } }`)).data, { getTodo: { title: 'p', owner: 'pat' } });
  assert.deepEqual((await client.execute(`mutation { updateTodo(input: { id: "${id}", title: "q" }) { title } }`)).data, { updateTodo: { title: 'q' } });
  const listed = await client.execute<{ listTodos: { items: { title: string }[] } }>('{ listTodos { items { title } } }');
  assert.deepEqual(listed.data?.listTodos.items, [{ title: 'q' }]);
});

test('a typo in a resource reference is refused at start, naming the resource and line', async () => {
  const error = await refusal(edited(UNIT, 'TableName: !Ref TodoTable', 'TableName: !Ref TodoTabel'));
  assert.match(error.message, /template\.yaml:\d+: resource TodoTableDataSource: !Ref TodoTabel names no parameter, pseudo parameter or resource \(resources: TodoAPI, /);
});

test('a parameter the template does not declare is refused, naming those it has', async () => {
  const error = await startLocalAppSync({ template: join(DIR_OF_CHAT, 'template.yaml'), parameters: { Stage: 'dev' } }).then(
    (server) => server.close().then(() => assert.fail('expected the parameter to be refused')),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TransportConfigurationError, String(error));
  assert.match(error.message, /template\.yaml: Stage \(given with --parameter or parameters\) is not a parameter of this template \(it has PrivatePrefix\)\.$/);
});

test('a resolver on a field the schema lacks is refused at start, naming the resource and line', async () => {
  const file = edited(UNIT, 'FieldName: deleteTodo', 'FieldName: deleteTodos');
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('FieldName: deleteTodos')) + 1;
  const error = await refusal(file);
  assert.match(error.message, new RegExp(`template\\.yaml:${line}: resource \\w+: the resolver of Mutation\\.deleteTodos names a field the schema lacks: AppSync would refuse to deploy it\\.$`));
});

test('resolver code with a syntax error is refused at start, naming resource, file and line', async () => {
  const file = edited(UNIT, "return { operation: 'Scan', filter, limit, nextToken };", "return { operation: 'Scan' filter };");
  const error = await refusal(file);
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes("operation: 'Scan' filter")) + 1;
  assert.equal(error.message, `${file}:${line}: resource ListTodosResolver: the code does not parse, so AppSync would refuse to deploy it: Expected "}" but found "filter".`);
});

test('a VTL resolver and an unsupported data source are refused at start, saying what to do', async () => {
  const vtl = await refusal(edited(UNIT, /Runtime:\n\s+Name: 'APPSYNC_JS'\n\s+RuntimeVersion: '1.0.0'\n(\s+)Code: \|\n\s+import \{ util \} from '@aws-appsync\/utils';\n\n\s+export function request\(ctx\) \{\n\s+return \{\n\s+operation: 'DeleteItem'/, "RequestMappingTemplate: '{}'\n$1Code: |\n        export function request(ctx) {\n          return {\n            operation: 'DeleteItem'"));
  assert.match(vtl.message, /resource DeleteTodoResolver: the resolver of Mutation\.deleteTodo uses VTL mapping templates, which the local AppSync does not run: rewrite it as an APPSYNC_JS resolver/);
  const search = await refusal(edited(UNIT, 'Type: AMAZON_DYNAMODB', 'Type: AMAZON_OPENSEARCH_SERVICE'));
  assert.match(search.message, /resource TodoTableDataSource: data source table is of type AMAZON_OPENSEARCH_SERVICE, which the local AppSync does not run/);
  const imported = await refusal(edited(UNIT, 'TableName: !Ref TodoTable', 'TableName: !ImportValue shared-table'));
  assert.match(imported.message, /resource TodoTableDataSource: Fn::ImportValue "shared-table" reads another stack's export, which only a deployed account has: replace it with a parameter/);
});

test('a resolver that loops forever and a request for a missing table fail their field; the server goes on', async (t) => {
  let file = edited(UNIT, "const { filter: f, limit = 20, nextToken } = ctx.args;", 'const { filter: f, limit = 20, nextToken } = ctx.args; while (limit > 0) {}');
  file = edited(file, 'TableName: !Ref TodoTable', 'TableName: no-such-table');
  // Enough that the other handlers finish on a loaded machine (the limit is wall time in node:vm).
  const { client } = await serve(t, file, { evaluationTimeoutMs: 500 });
  const looped = await client.execute('{ listTodos { items { id } } }').then(
    () => assert.fail('expected errors'),
    (e: { errors?: { errorType?: string; message: string; path?: unknown }[] }) => e.errors?.[0],
  );
  assert.deepEqual(looped, { path: ['listTodos'], data: null, errorType: 'Code', errorInfo: null, locations: [{ line: 1, column: 3, sourceName: null }], message: 'The request handler of ListTodosResolver ran longer than 500 ms (the local AppSync\'s CPU time limit per evaluation) and was stopped.' });
  // The server keeps serving: the next field reaches DynamoDB, which has no such table.
  const missing = await client.execute('{ getTodo(id: "1") { id } }').then(
    () => assert.fail('expected errors'),
    (e: { errors?: { errorType?: string; message: string }[] }) => e.errors?.[0],
  );
  assert.equal(missing?.errorType, 'DynamoDB:ResourceNotFoundException');
  assert.match(missing?.message ?? '', /^Requested resource not found/);
});

test('a resolver on a Subscription field runs at start: util.unauthorized() refuses that id, its filter (reading ctx.env) picks the results', async (t) => {
  const CHAT = fileURLToPath(new URL('../../examples/chat-app/template.yaml', import.meta.url));
  const file = edited(CHAT, 'if (room.startsWith(ctx.env.PRIVATE_PREFIX)) util.unauthorized();', "if (room.startsWith(ctx.env.PRIVATE_PREFIX)) util.unauthorized();\n          if (room === 'closed') util.error('The room is closed.', 'RoomClosed');\n          if (room === 'broken') null.x;");
  const { server, client } = await serve(t, file, { parameters: { PrivatePrefix: 'staff-' } });
  const urgent = client.subscribe<{ onPost: { room: string; text: string } }>('subscription { onPost(room: "lobby", minPriority: 2) { room text } }');
  await urgent.started;
  // Under the overridden prefix (ctx.env.PRIVATE_PREFIX), private-ops is an ordinary room.
  const ops = client.subscribe<{ onPost: { text: string } }>('subscription { onPost(room: "private-ops") { text } }');
  await ops.started;
  const staff = client.subscribe('subscription Staff { onPost(room: "staff-room") { text } }');
  const refused = await staff.next().then(
    () => assert.fail('expected the start to be refused'),
    (e: { errors?: unknown[] }) => e.errors,
  );
  assert.deepEqual(refused, [{ errorType: 'Unauthorized', message: 'Not Authorized to access onPost on type Subscription' }]);
  for (const [room, errors] of [
    ['closed', [{ errorType: 'RoomClosed', message: 'The room is closed.' }]],
    ['broken', [{ errorType: 'Code', message: "TypeError: Cannot read properties of null (reading 'x')" }]],
  ] as const) {
    const refusedToo = await client.subscribe(`subscription { onPost(room: "${room}") { text } }`).next().then(
      () => assert.fail(`expected the start for ${room} to be refused`),
      (e: { errors?: unknown[] }) => e.errors,
    );
    assert.deepEqual(refusedToo, errors);
  }

  for (const [room, text, priority] of [['lobby', 'low', 1], ['hall', 'elsewhere', 3], ['private-ops', 'ops', 1], ['lobby', 'high', 2]] as const) {
    // The filter reads room and priority: the mutation selects them (what it selects is what is published).
    await client.execute(`mutation { post(room: "${room}", text: "${text}", priority: ${priority}) { id room text priority } }`);
  }
  assert.deepEqual((await urgent.next()).value, { data: { onPost: { room: 'lobby', text: 'high' } } });
  assert.deepEqual((await ops.next()).value, { data: { onPost: { text: 'ops' } } });
  assert.equal(server.realtime.subscriptions.length, 2, 'the refused start holds no subscription');
});

test("the deploy check: AWS's @aws-appsync/eslint-plugin passes the published samples and refuses a forbidden feature, naming resource, file, line and rule", async (t) => {
  const LINT = fileURLToPath(new URL('../../lint/', import.meta.url));
  const CHAT = fileURLToPath(new URL('../../examples/chat-app/template.yaml', import.meta.url));
  // Without TypeScript (or with TypeScript 7) where the packages are found: the base rules only.
  const baseOnly = mkdtempSync(join(tmpdir(), 'appsync-lint-'));
  mkdirSync(join(baseOnly, 'node_modules', '@aws-appsync'), { recursive: true });
  symlinkSync(join(LINT, 'node_modules', 'eslint'), join(baseOnly, 'node_modules', 'eslint'));
  symlinkSync(join(LINT, 'node_modules', '@aws-appsync', 'eslint-plugin'), join(baseOnly, 'node_modules', '@aws-appsync', 'eslint-plugin'));
  t.after(() => rmSync(baseOnly, { recursive: true, force: true }));
  const configurations = [
    [LINT, /^\[deploy check\] @aws-appsync\/eslint-plugin 2\.0\.2, 22 recommended rules \(TypeScript 5\.\d+\.\d+\)$/],
    [baseOnly, /^\[deploy check\] @aws-appsync\/eslint-plugin 2\.0\.2, 17 base rules$/],
  ] as const;
  for (const [lintFrom, described] of configurations) {
    for (const template of lintFrom === LINT ? [UNIT, PIPELINE, CHAT] : [UNIT]) {
      const { logs } = await serve(t, template, { lintFrom });
      assert.ok(logs.some((l) => described.test(l)), logs.join('\n'));
    }
  }
  const file = edited(UNIT, 'const { filter: f, limit = 20, nextToken } = ctx.args;', 'const { filter: f, limit = 20, nextToken } = ctx.args; for (let i = 0; i < limit; i += 1) {}');
  const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('for (let i = 0')) + 1;
  for (const [lintFrom] of configurations) {
    const error = await startLocalAppSync({ template: file, lintFrom, resolverLog: () => {} }).then(
      (server) => server.close().then(() => assert.fail('expected the template to be refused')),
      (e: unknown) => e as Error,
    );
    assert.equal(error.message, `${file}:${line}: resource ListTodosResolver: AppSync would refuse to deploy this code: For statements are not supported. (@aws-appsync/no-for, column 58).`);
  }
  // A type-aware rule (recursion), which only the whole configuration has.
  const recursive = edited(UNIT, 'export function request(ctx) {\n          const { filter: f', 'function depth(n) { return n > 0 ? depth(n - 1) : 0; }\n        export function request(ctx) {\n          depth(1);\n          const { filter: f');
  const refused = await startLocalAppSync({ template: recursive, lintFrom: LINT, resolverLog: () => {} }).then(
    (server) => server.close().then(() => assert.fail('expected the template to be refused')),
    (e: unknown) => e as Error,
  );
  assert.match(refused.message, /: resource ListTodosResolver: AppSync would refuse to deploy this code: Recursive function calls not supported\. Detected cycle in depth <-depth \(@aws-appsync\/no-recursion, column \d+\)/);
  // Without the packages the check is skipped, and the log says so.
  const { logs } = await serve(t, UNIT, { lintFrom: tmpdir() });
  assert.ok(logs.some((l) => l.startsWith('[deploy check] skipped: eslint and @aws-appsync/eslint-plugin are not installed where')), logs.join('\n'));
});
