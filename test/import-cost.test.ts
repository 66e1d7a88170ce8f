/**
 * Import cost is a measured goal (`npm run bench`: ≤ 1.5× importing `ws` alone). What keeps it
 * there is structural, so it is guarded here without timing: importing the library must not load
 * graphql's type system, validation or execution (only its language modules), nor any AWS SDK
 * package. A child process records every module URL through a resolve hook.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HOOKS = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('LOADED ' + result.url + '\\n');
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
const heavyGraphql = /node_modules\/graphql\/(index|type|validation|execution|utilities)\b/;
const awsSdk = /node_modules\/@(smithy|aws-sdk|aws-crypto)\//;

test('importing the library loads graphql language modules only, and no AWS SDK package', async () => {
  const loaded = await modulesLoadedBy(index);
  assert.ok(loaded.some((url) => url.includes('/graphql/language/parser')), 'control: the hook sees graphql modules');
  assert.deepEqual(loaded.filter((url) => heavyGraphql.test(url)), []);
  assert.deepEqual(loaded.filter((url) => awsSdk.test(url)), []);
});

test('control: validating with a Client schema does load the rest of graphql', async () => {
  const loaded = await modulesLoadedBy(
    index,
    `await new lib.Client({ url: 'http://127.0.0.1:9/graphql', auth: new lib.AppSyncApiKeyAuthentication({ apiKey: 'k' }), schema: 'type Query { a: Int }', fetch: async () => new Response('{"data":{"a":1}}') }).execute('query { a }');`,
  );
  assert.ok(loaded.some((url) => heavyGraphql.test(url)));
});
