#!/usr/bin/env node
/**
 * Browser size budgets, measured with a real bundler: esbuild bundles an entry that imports only
 * what a budget covers (platform browser, so the `browser` condition; ESM, minified, tree-shaken,
 * code splitting as apps get it), then gzip -9 per chunk. Node built-ins, `ws`, and the free
 * globals `process` and `Buffer` fail the build: the `browser` condition must keep them out.
 *
 *   node scripts/size.mjs [--lib dist/src/index.js] [--verbose] [--goals]
 *
 * Also measures the standalone bundle (`dist/browser/`, see scripts/browser-build.mjs): what it
 * loads first, and each chunk it loads on demand. Prints one line per budget (`--verbose`: what weighs most, and the initial load's weight
 * without its string literals, i.e. code without messages) and exits 1 when a size is over
 * its `max` (with `--goals`: over its goal). `test/size-budget.test.ts` runs the same
 * measurement under `npm test`. `--external-node` measures an older build that still reached
 * Node-only modules (they are left out, as the bench did).
 */
import { build } from 'esbuild';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { assertNoNodeGlobals, browserBuildOptions, buildStandalone } from './browser-build.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const STRING_LITERAL = /`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g;

const CORE = ['AppSyncWebsocketsTransport', 'AppSyncApiKeyAuthentication', 'AppSyncJWTAuthentication'];

/**
 * Each budget: what an app imports, which chunks count (`initial`: what the page loads with the
 * app; `all`: with every lazy chunk its features load), min+gzip in bytes. `goal` and `max` are
 * the decision on the browser issue: the core (transport + API key + JWT) loads at most 12 KB
 * first, lazy chunks reported apart; core + IAM, signer chunks included, at most 20 KB; the
 * teaching error messages stay. Both are enforced in CI (`npm test`), so growth is a decision
 * (change it here) and not an accident.
 * History: 22.6 / 31.4 KB until 2026-11-25, when documents stopped going through graphql's parser
 * (src/protocol/operations.ts reads them; graphql's printer loads only for DocumentNodes, whose
 * apps bundle graphql already, so its chunk is reported but not counted), IAM's Node-only
 * defaults moved behind `#platform`, and the connection's handshake and open phases merged:
 * 11.8 / 19.8 KB; then checks of every option and of custom auth objects: 12.0 / 20.0 KB (12,324
 * bytes, over 12 KB); then the browser's explanation for a missing `auth` became a lazy chunk
 * (it loads only when `auth` is left out): 11.9 / 20.0 KB. The core's initial load with every
 * string literal emptied (code without its messages; `--verbose`) is 8.3 KB: the messages are
 * the rest, and they stay. Readiness, liveness, auth deadlines, error previews and the Session
 * then grew it to 14.8 / 23.1 KB (15,192 / 23,655 bytes; standalone 23,363). Then, measured
 * in bytes: graphql's SDL validation imported as ES modules for the `browser` condition
 * (`#graphql-validate`), so no CommonJS interop chunk loads with the core: 14,816 / 23,265
 * (standalone unchanged: its build already rewrote the import); then the lazy chunks (the
 * schema builder, the missing-`auth` explanation) stopped importing `errors.js`, which had made
 * the error classes a chunk of their own: 14,410 / 22,848 (standalone 22,942); then
 * `Client.observe` (the Apollo link's fast path): 14,510 / 22,950.
 * Then the two decisions of 2026-12 on #15, measured in bytes. 1: IAM signs with aws4fetch's
 * `AwsV4Signer` (WebCrypto) instead of the AWS SDK's `@smithy/signature-v4` and its @smithy
 * helpers (src/auth/sigv4.ts, a lazy chunk; checked against botocore's vectors and the SDK's
 * signer): core + IAM 23,211 -> 19,910 (signer chunks 6.2 -> 3.6 KB), standalone 23,968 -> 23,419,
 * core unchanged (the signer chunk takes the error classes as an argument: importing errors.js
 * had split them into a chunk of their own, +0.5 KB); 19,933 once the signer's URL was
 * https (which browsers before 2024 parse); 19,947 after the review's fixes (the Authorization from
 * `authHeader()`, -13; empty body hashes refused, +26; a whitespace-only token signed, +1); 20,041 with the
 * shared signing-key cache and its region check (+71, +23). 2: what a connection needs only later as a lazy chunk
 * prefetched when a socket opens was built and measured, then taken out: moving the liveness probe
 * saved 100 bytes of the first load (14,776 -> 14,676) but cost 341 on core + IAM (a chunk
 * compresses apart), and the reconnection loop only 40 bytes more (its state went in and out
 * through ten closures): not worth a failure mode. Not reachable by lazy loading either: with every candidate simply deleted (reconnection and backoff, wake-ups and the
 * probe, error summaries and previews, the open-failure explanations, reconnect(), close()),
 * the first load would still be 12,778 bytes; error previews and summaries also run while a frame is handled, where
 * waiting for a chunk would reorder deliveries, and every error must keep its full message
 * when a chunk cannot load. So the core's max stays 14.5 KB (goal 12 KB, reported, unmet:
 * meeting it needs shorter messages or first-connection code loaded lazily, a decision); core
 * + IAM's max is its goal, 20 KB; the standalone's max is its size plus ~0.2 KB, 23 KB. The IAM
 * review's fixes (six signer defects, then clearer offline and clock errors): core + IAM 20,189.
 */
export const BUDGETS = [
  { name: 'core (transport + API key + JWT), initial load', imports: CORE, counts: 'initial', goal: 12 * 1024, max: 14.5 * 1024 },
  { name: 'core + IAM, initial + lazy chunks', imports: [...CORE, 'AppSyncIAMAuthentication'], counts: 'all', goal: 20 * 1024, max: 20 * 1024 },
];

/**
 * Lazy chunks that load only in a situation the budgets do not cover; each is reported apart,
 * not counted. A chunk is one of these when every input in it matches.
 */
export const UNCOUNTED_LAZY = [
  // A DocumentNode means the app bundles graphql already; string documents never load it.
  { key: 'printer', label: "graphql's printer for DocumentNodes", matches: (path) => path.includes('node_modules/graphql/') },
  // Only when `auth` is left out, which in a browser is a mistake this chunk explains.
  { key: 'missingAuth', label: 'the explanation of a missing `auth`', matches: (path) => path.endsWith('platform/browser-missing-auth.js') },
];

/**
 * Bundles each budget's imports from `lib` (the built entry, default `dist/src/index.js`) with
 * code splitting, as browser bundlers treat a dynamic `import()`: the initial load is the entry
 * chunk and what it imports statically; lazy chunks load on first use (the SigV4 signer, and
 * IAM itself when a transport gets no `auth`). A budget counts `initial` or `all` chunks.
 * Resolves with `{ name, counts, initial: {min, gzip}, lazy: {min, gzip}, gzipBytes, goal, max,
 * withinMax, meetsGoal, inputs }`; `inputs` lists every input by its minified bytes in the
 * output, largest first.
 */
export async function measureSizes({ lib = resolve(ROOT, 'dist/src/index.js'), options = {} } = {}) {
  const { allowNodeGlobals, ...esbuildOptions } = options;
  const results = [];
  for (const budget of BUDGETS) {
    const outdir = resolve(ROOT, '.size-out'); // nothing is written: `write: false`
    const result = await build({
      ...browserBuildOptions(),
      ...esbuildOptions,
      stdin: {
        contents: `export { ${budget.imports.join(', ')} } from ${JSON.stringify(lib)};`,
        resolveDir: ROOT,
        sourcefile: 'budget-entry.js',
        loader: 'js',
      },
      splitting: true,
      outdir,
    });
    const meta = result.metafile.outputs;
    const files = new Map(result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => [relative(ROOT, f.path), f.contents]));
    const entry = Object.keys(meta).find((k) => meta[k].entryPoint !== undefined);
    // The initial load follows static imports from the entry; lazy chunks are those reachable
    // through a dynamic import from there. (esbuild also emits chunks for dynamic imports in code
    // that tree-shaking removed; nothing loads those, so they are not counted.)
    const reach = (from, kinds, seen = new Set()) => {
      const walk = (k) => {
        if (seen.has(k) || !files.has(k)) return;
        seen.add(k);
        for (const i of meta[k].imports) if (kinds.includes(i.kind) && !i.external) walk(i.path);
      };
      for (const k of from) walk(k);
      return seen;
    };
    const initialKeys = reach([entry], ['import-statement']);
    const allKeys = reach([entry], ['import-statement', 'dynamic-import']);
    const sum = (keys) =>
      [...keys].reduce((acc, k) => ({ min: acc.min + files.get(k).length, gzip: acc.gzip + gzipSync(files.get(k), { level: 9 }).length }), { min: 0, gzip: 0 });
    const initial = sum(initialKeys);
    // What the code weighs without its string literals (mostly error messages): an estimate, as
    // the pattern does not parse JavaScript, reported with --verbose.
    const withoutStrings = [...initialKeys].reduce(
      (acc, k) => acc + gzipSync(new TextDecoder().decode(files.get(k)).replace(STRING_LITERAL, '""'), { level: 9 }).length,
      0,
    );
    const lazyKeys = [...allKeys].filter((k) => !initialKeys.has(k));
    const uncountedRule = (k) => UNCOUNTED_LAZY.find((rule) => Object.keys(meta[k].inputs).every(rule.matches));
    const lazy = sum(lazyKeys.filter((k) => uncountedRule(k) === undefined));
    const uncounted = UNCOUNTED_LAZY.map((rule) => ({ label: rule.label, ...sum(lazyKeys.filter((k) => uncountedRule(k) === rule)) }));
    const printer = uncounted[0];
    for (const k of allKeys) {
      const text = new TextDecoder().decode(files.get(k));
      if (allowNodeGlobals) results.nodeGlobals = [...(results.nodeGlobals ?? []), ...(text.match(/__NODE_ONLY_GLOBAL_\w+__.{0,60}/g) ?? [])];
      else assertNoNodeGlobals(text, `${budget.name} (${k})`);
    }
    const bytes = new Map();
    for (const k of allKeys) {
      for (const [path, { bytesInOutput }] of Object.entries(meta[k].inputs)) {
        const name = path.replace(/^.*node_modules\//, '').replace(/^(.*\/)?dist\/src\//, 'src/');
        if (bytesInOutput > 0) bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
      }
    }
    const inputs = [...bytes].map(([path, n]) => ({ path, bytes: n })).sort((a, b) => b.bytes - a.bytes);
    const gzipBytes = budget.counts === 'initial' ? initial.gzip : initial.gzip + lazy.gzip;
    results.push({
      name: budget.name,
      counts: budget.counts,
      initial,
      withoutStrings,
      lazy,
      printer,
      uncounted,
      gzipBytes,
      goal: budget.goal,
      max: budget.max,
      withinMax: gzipBytes <= budget.max,
      meetsGoal: gzipBytes <= budget.goal,
      inputs,
    });
  }
  return results;
}

/**
 * The standalone bundle for pages without a bundler (`dist/browser/`, the whole API): what it
 * loads first, with its `max` (today's size plus ~0.2 KB, so growth is a decision), and each
 * chunk it loads on demand, named after what it holds.
 */
// 23.25 KB since the IAM review's fixes and messages (an offline signer chunk, a throwing clock): 23,603 bytes; 23,612 after the last review.
export const STANDALONE_BUDGET = { name: 'standalone dist/browser/appsync-websockets.js (whole API), first load', max: 23.25 * 1024 };

function chunkLabel(inputs) {
  const has = (re) => inputs.some((i) => re.test(i.path));
  if (has(/^aws4fetch\//) || has(/^src\/auth\/sigv4/)) return 'IAM: the SigV4 signer';
  if (has(/^src\/schema\//)) return 'Client schema: AppSync SDL';
  if (has(/^graphql\/(type|validation|utilities|execution)\//)) return 'Client schema: graphql\'s parser and validation';
  if (has(/^graphql\/language\/printer/)) return 'DocumentNodes: graphql\'s printer';
  if (has(/platform\/browser-missing-auth/)) return 'the explanation of a missing `auth`';
  return 'graphql: re-exports between its chunks (Client schema, DocumentNodes)';
}

/** Builds the standalone bundle into a temporary directory and measures it. */
export async function measureStandalone({ lib = resolve(ROOT, 'dist/src/index.js') } = {}) {
  const outdir = await mkdtemp(resolve(tmpdir(), 'appsync-websockets-standalone-'));
  try {
    const files = await buildStandalone({ entry: lib, outdir });
    const first = files.filter((f) => f.initial);
    const gzipBytes = first.reduce((n, f) => n + f.gzip, 0);
    return {
      ...STANDALONE_BUDGET,
      gzipBytes,
      minBytes: first.reduce((n, f) => n + f.min, 0),
      withinMax: gzipBytes <= STANDALONE_BUDGET.max,
      lazy: files.filter((f) => f.loaded && !f.initial).map((f) => ({ path: f.path, gzip: f.gzip, min: f.min, label: chunkLabel(f.inputs) })),
      neverLoaded: files.filter((f) => !f.loaded).map((f) => f.path),
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/**
 * The Apollo link's own cost: `AppSyncLink` with API-key auth bundled with `@apollo/client`
 * external (apps bundle Apollo already), minus the same for the `Client` it wraps. Reported,
 * not budgeted. Resolves with `{ link, client, own }` in min+gzip bytes, and whether Apollo
 * stayed out of the bundle.
 */
export async function measureApolloLink({ lib = resolve(ROOT, 'dist/src') } = {}) {
  const size = async (contents) => {
    const result = await build({
      ...browserBuildOptions(),
      stdin: { contents, resolveDir: ROOT, sourcefile: 'apollo-entry.js', loader: 'js' },
      external: ['@apollo/client', '@apollo/client/*'],
      outdir: resolve(ROOT, '.size-out'),
    });
    const js = result.outputFiles.filter((f) => f.path.endsWith('.js'));
    const text = js.map((f) => new TextDecoder().decode(f.contents)).join('');
    return { gzip: js.reduce((n, f) => n + gzipSync(f.contents, { level: 9 }).length, 0), apolloInside: Object.keys(result.metafile.inputs).some((i) => i.includes('node_modules/@apollo/')), text };
  };
  const link = await size(`export { AppSyncLink } from ${JSON.stringify(resolve(lib, 'apollo/index.js'))}; export { AppSyncApiKeyAuthentication } from ${JSON.stringify(resolve(lib, 'index.js'))};`);
  const client = await size(`export { Client, AppSyncApiKeyAuthentication } from ${JSON.stringify(resolve(lib, 'index.js'))};`);
  return { link: link.gzip, client: client.gzip, own: link.gzip - client.gzip, apolloBundled: link.apolloInside };
}

export function formatStandalone(r) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `${r.name}: ${kb(r.gzipBytes)} min+gzip (${kb(r.minBytes)} min) — max ${kb(r.max)}: ${r.withinMax ? 'ok' : 'OVER MAX'}`,
    ...r.lazy.map((c) => `       on demand: ${c.label}: ${kb(c.gzip)} gzip / ${kb(c.min)} min`),
  ].join('\n');
}

export function formatSize(r) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const verdict = !r.withinMax ? 'OVER MAX' : r.meetsGoal ? 'ok' : 'ok (goal not met)';
  return (
    `${r.name}: ${kb(r.gzipBytes)} min+gzip — max ${kb(r.max)}, goal ${kb(r.goal)}: ${verdict} ` +
    `[initial ${kb(r.initial.gzip)} gzip / ${kb(r.initial.min)} min; lazy ${kb(r.lazy.gzip)} gzip / ${kb(r.lazy.min)} min; ` +
    `not counted, lazy: ${r.uncounted.filter((u) => u.gzip > 0).map((u) => `${u.label} ${kb(u.gzip)} gzip`).join('; ') || 'none'}]`
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const libArg = args.indexOf('--lib');
  const lib = libArg >= 0 ? resolve(args[libArg + 1]) : undefined;
  const external = args.includes('--external-node') ? { external: ['ws', '@aws-sdk/credential-provider-node', '@smithy/core/config'], plugins: [], allowNodeGlobals: true } : {};
  const results = await measureSizes({ ...(lib ? { lib } : {}), options: external });
  if (results.nodeGlobals) console.log(results.nodeGlobals);
  for (const r of results) {
    console.log(formatSize(r));
    if (args.includes('--verbose')) {
      console.log(`       initial load without its string literals (mostly messages), gzip: ${(r.withoutStrings / 1024).toFixed(1)} KB (estimate)`);
      const byPackage = new Map();
      for (const i of r.inputs) {
        const m = /^((?:@[^/]+\/)?[^/]+)\//.exec(i.path);
        const name = i.path.startsWith('src/') || !m ? 'appsync-websockets' : m[1];
        byPackage.set(name, (byPackage.get(name) ?? 0) + i.bytes);
      }
      for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) console.log(`       ${name}: ${(bytes / 1024).toFixed(1)} KB min`);
      for (const i of r.inputs.slice(0, 12)) console.log(`       ${i.path}: ${i.bytes} B`);
    }
  }
  const standalone = await measureStandalone(lib ? { lib } : {});
  console.log(formatStandalone(standalone));
  const apollo = await measureApolloLink();
  console.log(
    `appsync-websockets/apollo (AppSyncLink, @apollo/client external, one file with lazy chunks inlined): ${(apollo.link / 1024).toFixed(1)} KB min+gzip, of which the link itself ${(apollo.own / 1024).toFixed(2)} KB beyond the Client it wraps (${(apollo.client / 1024).toFixed(1)} KB); report only${apollo.apolloBundled ? ' — APOLLO WAS BUNDLED' : ''}`,
  );
  if (apollo.apolloBundled) process.exitCode = 1;
  if (results.some((r) => !r.withinMax || (args.includes('--goals') && !r.meetsGoal)) || !standalone.withinMax) process.exitCode = 1;
}
