/**
 * The data sources of a template under the local AppSync, each through a real engine: DynamoDB's
 * batch and transact operations (dynalite through the AWS SDK), Lambda from inline `ZipFile` code
 * and from `lambdas` (`--lambda`), HTTP to a real server (transactions: the embedded engine has
 * none, and says so), `dataDir` keeping data across restarts,
 * and `dynamodbEndpoint` creating the template's tables on a DynamoDB endpoint of its own.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startLocalAppSync, type LocalAppSync } from '../src/testing/index.js';
import { signingRegion } from '../src/testing/datasources/dynamodb-engine.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/datasources/', import.meta.url));
const TEMPLATE = join(DIR, 'template.yaml');
const SHOUT = `${join(DIR, 'shout.mjs')}#shout`;

async function listen(t: TestContext, server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function serve(t: TestContext, options: Parameters<typeof startLocalAppSync>[0] = {}): Promise<LocalAppSync> {
  const server = await startLocalAppSync({ template: TEMPLATE, lambdas: { ShoutFunction: SHOUT }, ...options });
  t.after(() => server.close());
  return server;
}

/** data, or the errors' type and message. */
async function run(server: LocalAppSync, document: string): Promise<unknown> {
  const result = await server.mutate(document);
  return result.errors ? { errors: result.errors.map((e) => ({ errorType: e.errorType, message: e.message, ...(e.errorInfo ? { errorInfo: e.errorInfo } : {}) })) } : result.data;
}

test('DynamoDB batch and transact operations, Lambda inline and by --lambda, HTTP: through their engines', async (t) => {
  const seen: { url: string | undefined; headers: IncomingHttpHeaders }[] = [];
  const users = await listen(
    t,
    createServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      if (req.url?.startsWith('/users/1?')) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"Ann"}');
      res.writeHead(404).end('{}');
    }),
  );
  const server = await serve(t, { parameters: { UsersEndpoint: users } });

  assert.deepEqual(await run(server, 'mutation { putNotes(texts: ["a", "b", "c"]) { id text } }'), { putNotes: [{ id: 'n1', text: 'a' }, { id: 'n2', text: 'b' }, { id: 'n3', text: 'c' }] });
  // In the order of the keys, null where no item has the key, as AppSync answers.
  assert.deepEqual(await run(server, '{ notes(ids: ["n3", "n9", "n1"]) { id text } }'), { notes: [{ id: 'n3', text: 'c' }, null, { id: 'n1', text: 'a' }] });
  // dynalite has no transactions, and the local AppSync writes no DynamoDB semantics of its own:
  // on the embedded engine both transact operations fail their field, naming what to run instead.
  for (const [document, operation] of [['{ pair(a: "n2", b: "n9") { id } }', 'TransactGetItems'], ['mutation { move(from: "n1", to: "n4") }', 'TransactWriteItems']] as const) {
    const { errors } = (await run(server, document)) as { errors: { errorType: string; message: string }[] };
    assert.equal(errors[0]?.errorType, 'NotImplemented');
    assert.match(errors[0]?.message ?? '', new RegExp(`^${operation} needs DynamoDB transactions, which the embedded engine \\(dynalite\\) does not have: run DynamoDB Local .* --dynamodb-endpoint`));
  }
  assert.deepEqual(await run(server, 'mutation { deleteNotes(ids: ["n2", "n3"]) { id } }'), { deleteNotes: [{ id: 'n2' }, { id: 'n3' }] });
  assert.deepEqual(await run(server, '{ notes(ids: ["n1", "n2", "n3"]) { id } }'), { notes: [{ id: 'n1' }, null, null] });

  const echoed = (await run(server, '{ echo(text: "hi") }')) as { echo: string };
  assert.match(echoed.echo, /^hi \(.*EchoFunction.*\)$/, 'the inline ZipFile handler ran with its function name in the context');
  assert.deepEqual(await run(server, '{ shout(text: "hi") }'), { shout: 'HI' });
  assert.deepEqual(await run(server, '{ shout(text: "") }'), { errors: [{ errorType: 'Lambda:Unhandled', message: 'nothing to shout' }] });

  assert.deepEqual(await run(server, '{ user(id: "1") }'), { user: 'Ann' });
  assert.equal(seen[0]?.url, '/users/1?fields=name');
  assert.equal(seen[0]?.headers['x-trace'], 'local');
  assert.deepEqual(await run(server, '{ user(id: "2") }'), { errors: [{ errorType: 'UsersError', message: 'users answered 404' }] });
});

test('a Lambda function whose code is in S3 needs --lambda, and says so', async () => {
  const error = await startLocalAppSync({ template: TEMPLATE }).then(
    (server) => server.close().then(() => assert.fail('expected a refusal')),
    (e: unknown) => e as Error,
  );
  assert.match(error.message, /resource ShoutFunction: the Lambda function shout has its code in S3, which the local AppSync cannot read: give a local handler with --lambda ShoutFunction=<file>#<export>/);
});

test('dataDir keeps the embedded DynamoDB on disk: a restart finds what was written', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'appsync-data-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startLocalAppSync({ template: TEMPLATE, lambdas: { ShoutFunction: SHOUT }, dataDir });
  await first.mutate('mutation { putNotes(texts: ["kept"]) { id } }');
  await first.close();
  const second = await serve(t, { dataDir });
  assert.deepEqual(await run(second, '{ notes(ids: ["n1"]) { id text } }'), { notes: [{ id: 'n1', text: 'kept' }] });
  // The API keys are kept with the data, so a saved key keeps working; only the owner may read them.
  assert.equal(second.apiKeys.length, 1);
  assert.deepEqual(second.apiKeys, first.apiKeys);
  assert.equal(statSync(join(dataDir, 'appsync-api-keys.json')).mode & 0o777, 0o600);
  // Without a data directory, each start makes new ones.
  const fresh = await serve(t);
  assert.notDeepEqual(fresh.apiKeys, first.apiKeys);
});

test('dataDir: a key file that is not the one the local AppSync writes is a start error naming it, not silently replaced', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'appsync-data-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  writeFileSync(join(dataDir, 'appsync-api-keys.json'), '["not", "ours"]');
  await assert.rejects(startLocalAppSync({ template: TEMPLATE, lambdas: { ShoutFunction: SHOUT }, dataDir }), (error: Error) => {
    assert.match(error.message, /keeps its API keys in .*appsync-api-keys\.json, which is not the JSON object of keys by resource it writes: delete it to get new keys\./);
    return true;
  });
});

test("dynamodbEndpoint: the template's tables are created on that endpoint and the app's writes land there", async (t) => {
  const dynalite = ((await import('dynalite' as string)) as { default: (options: object) => Server }).default;
  const endpoint = await listen(t, dynalite({ createTableMs: 0 }));
  // A real endpoint is reached with the usual credential chain: the environment's here.
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  const server = await serve(t, { dynamodbEndpoint: endpoint });
  await server.mutate('mutation { putNotes(texts: ["remote"]) { id } }');
  const { DynamoDBClient, ScanCommand, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  t.after(() => client.destroy());
  const tables = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  assert.equal(tables.length, 1, String(tables));
  const items = (await client.send(new ScanCommand({ TableName: tables[0] }))).Items;
  assert.deepEqual(items, [{ id: { S: 'n1' }, text: { S: 'remote' } }]);
});

test("dynamodbEndpoint: requests to a real DynamoDB endpoint are signed for the region it names, others for us-east-1", () => {
  assert.equal(signingRegion('https://dynamodb.eu-west-1.amazonaws.com', 'us-east-1'), 'eu-west-1');
  assert.equal(signingRegion('https://dynamodb-fips.us-gov-west-1.amazonaws.com/', 'us-east-1'), 'us-gov-west-1');
  assert.equal(signingRegion('https://dynamodb.cn-north-1.amazonaws.com.cn', 'us-east-1'), 'cn-north-1');
  assert.equal(signingRegion('http://localhost:8000', 'us-east-1'), 'us-east-1');
});
