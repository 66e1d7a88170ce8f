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
interface SizeModule {
  measureSizes(options: { lib: string }): Promise<SizeResult[]>;
  formatSize(result: SizeResult): string;
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
