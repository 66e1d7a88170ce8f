/**
 * Browser size budgets, measured with esbuild on the built library (see scripts/size.mjs): fails
 * when a bundle grows past its `max`, and reports each size against the issue's goal.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

interface SizeResult {
  name: string;
  gzipBytes: number;
  goal: number;
  max: number;
  withinMax: boolean;
  meetsGoal: boolean;
  inputs: { path: string; bytes: number }[];
}
interface StandaloneResult {
  gzipBytes: number;
  max: number;
  withinMax: boolean;
  lazy: { path: string; gzip: number; label: string }[];
}
interface SizeModule {
  measureSizes(options: { lib: string }): Promise<SizeResult[]>;
  formatSize(result: SizeResult): string;
  measureStandalone(options: { lib: string }): Promise<StandaloneResult>;
  formatStandalone(result: StandaloneResult): string;
  measureApolloLink(): Promise<{ link: number; client: number; own: number; apolloBundled: boolean }>;
}

// A plain script (it runs without a build); loaded by URL, so TypeScript leaves it alone.
const SIZE_SCRIPT = new URL('../../scripts/size.mjs', import.meta.url).href;
const LIB = fileURLToPath(new URL('../src/index.js', import.meta.url));

test('browser bundles (esbuild, browser condition, min+gzip) stay within their budgets and reach nothing Node-only', async (t) => {
  const { measureSizes, formatSize } = (await import(SIZE_SCRIPT)) as SizeModule;
  const results = await measureSizes({ lib: LIB });
  for (const r of results) {
    t.diagnostic(formatSize(r));
    t.diagnostic(`  largest: ${r.inputs.slice(0, 4).map((i) => `${i.path} ${(i.bytes / 1024).toFixed(1)} KB min`).join(', ')}`);
  }
  const over = results.filter((r) => !r.withinMax);
  assert.deepEqual(
    over.map(formatSize),
    [],
    'A browser bundle grew past its max in scripts/size.mjs. Run `node scripts/size.mjs --verbose` to see what weighs most; raise `max` only if the growth is worth it.',
  );
});

test('the standalone bundle loads the API first within its max, and the IAM signer, graphql\'s printer and schema validation on demand', async (t) => {
  const { measureStandalone, formatStandalone } = (await import(SIZE_SCRIPT)) as SizeModule;
  const r = await measureStandalone({ lib: LIB });
  t.diagnostic(formatStandalone(r));
  assert.ok(r.withinMax, `${formatStandalone(r)}\nThe standalone bundle's first load grew past its max in scripts/size.mjs (STANDALONE_BUDGET).`);
  const labels = r.lazy.map((c) => c.label);
  for (const expected of [
    'IAM: the SigV4 signer',
    "DocumentNodes: graphql's printer",
    "Client schema: graphql's parser and validation",
  ]) {
    assert.ok(labels.includes(expected), `expected a lazy chunk for ${expected}, but the chunks are: ${labels.join('; ')}`);
  }
});

test("the Apollo link's own cost beyond the Client is reported, and Apollo is never bundled", async (t) => {
  const { measureApolloLink } = (await import(SIZE_SCRIPT)) as SizeModule;
  const apollo = await measureApolloLink();
  t.diagnostic(`AppSyncLink: ${apollo.own} bytes min+gzip beyond the Client (${apollo.link} with it)`);
  assert.equal(apollo.apolloBundled, false, '@apollo/client stays the app\'s');
  assert.ok(apollo.own > 0 && apollo.own < apollo.client);
});
