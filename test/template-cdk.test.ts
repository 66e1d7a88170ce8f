/**
 * A CDK app's synthesized template runs as it is (test/fixtures/cdk-app: synthesized offline by
 * aws-cdk-lib 2.276.0 from synth.mjs there): the resolvers' `CodeS3Location` points at CDK
 * assets, which the local AppSync reads from cdk.out through NotesStack.assets.json; a UNIT
 * resolver from a file asset, a PIPELINE with an inline resolver and a file-asset function, the
 * API key CDK adds, the table, and a subscription receiving the mutation.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppSyncApiKeyAuthentication, Client } from '../src/index.js';
import { startLocalAppSync } from '../src/testing/index.js';

const TEMPLATE = fileURLToPath(new URL('../../test/fixtures/cdk-app/cdk.out/NotesStack.template.json', import.meta.url));

test("a CDK app's cdk.out template: assets read from cdk.out, unit and pipeline resolvers, the API key, a subscription", async (t) => {
  const server = await startLocalAppSync({ template: TEMPLATE, resolverLog: () => {} });
  const client = new Client({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: server.apiKeys[0] ?? '' }), retry: false });
  t.after(async () => {
    await client.close();
    await server.close();
  });
  assert.equal(server.apiKeys.length, 1, 'the ApiKey CDK adds for API_KEY auth');
  assert.deepEqual([...server.notEmulated.values()].sort(), ['AWS::IAM::Policy', 'AWS::IAM::Role']);
  const created = client.subscribe<{ onCreateNote: { text: string } }>('subscription { onCreateNote { text } }');
  await created.started;
  const made = await client.execute<{ createNote: { id: string; text: string; createdAt: string } }>('mutation { createNote(text: "from cdk") { id text createdAt } }');
  assert.match(made.data?.createNote.id ?? '', /^[0-9a-f-]{36}$/);
  assert.deepEqual((await created.next()).value, { data: { onCreateNote: { text: 'from cdk' } } });
  const got = await client.execute(`{ getNote(id: "${made.data?.createNote.id ?? ''}") { text createdAt } }`);
  assert.deepEqual(got.data, { getNote: { text: 'from cdk', createdAt: made.data?.createNote.createdAt } });
});
