/**
 * Import cost is a measured goal (`npm run bench`: ≤ 1.5× importing `ws` alone). What keeps it
 * there is structural, so it is guarded here without timing: importing the library must load no
 * graphql module (documents are read by src/protocol/operations.ts; the printer loads on the
 * first DocumentNode, the validator with a Client schema) and no AWS SDK package. A child
 * process records every module URL through a resolve hook.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

// A synchronous write: on Node 22 and later the hooks run on a thread of their own, and an
// asynchronous write to a pipe may be lost when the process exits right after the import.
const HOOKS = `
import { writeSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, 'LOADED ' + result.url + '\\n');
  return result;
}`;

async function modulesLoadedBy(entry: string, extra = ''): Promise<string[]> {
  const script = `
    import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}));
    const lib = await import(${JSON.stringify(pathToFileURL(entry).href)});
    ${extra}
  `;
  const stderr = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, _out, err) => (error ? reject(error) : resolve(err)));
  });
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('LOADED '))
    .map((line) => line.slice('LOADED '.length));
}

const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
const anyGraphql = /node_modules\/graphql\//;
const heavyGraphql = /node_modules\/graphql\/(index|type|validation|execution|utilities)\b/;
const awsSdk = /node_modules\/@(smithy|aws-sdk|aws-crypto)\//;

test('importing the library loads no graphql module and no AWS SDK package', async () => {
  const loaded = await modulesLoadedBy(index);
  assert.ok(loaded.some((url) => url.endsWith('/src/transport/transport.js')), 'control: the hook sees every module');
  assert.deepEqual(loaded.filter((url) => anyGraphql.test(url)), []);
  assert.deepEqual(loaded.filter((url) => awsSdk.test(url)), []);
});

test('a DocumentNode loads graphql\'s printer, and nothing heavier', async () => {
  const loaded = await modulesLoadedBy(
    index,
    `const { body } = (await import(${JSON.stringify(pathToFileURL(fileURLToPath(new URL('../src/transport/document.js', import.meta.url))).href)})).toRequest({ kind: 'Document', definitions: [{ kind: 'OperationDefinition', operation: 'subscription', selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'Field', name: { kind: 'Name', value: 'a' } }] } }] }, {}, ['subscription'], '');
     if (!/^subscription {\\s+a\\s+}$/.test(JSON.parse(await body).query)) throw new Error(await body);`,
  );
  assert.ok(loaded.some((url) => url.includes('/graphql/language/printer')));
  assert.deepEqual(loaded.filter((url) => heavyGraphql.test(url)), []);
});

test('control: validating with a Client schema does load the rest of graphql', async () => {
  const loaded = await modulesLoadedBy(
    index,
    `await new lib.Client({ url: 'http://127.0.0.1:9/graphql', auth: new lib.AppSyncApiKeyAuthentication({ apiKey: 'k' }), schema: 'type Query { a: Int }', fetch: async () => new Response('{"data":{"a":1}}') }).execute('query { a }');`,
  );
  assert.ok(loaded.some((url) => heavyGraphql.test(url)));
});
