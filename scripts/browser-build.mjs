#!/usr/bin/env node
/**
 * The browser build, with esbuild. Run by `npm run build` after `tsc`:
 *
 *   node scripts/browser-build.mjs            # writes dist/browser/appsync-websockets.js and dist/browser/chunks/
 *
 * Bundlers need none of this: they resolve the package's `#platform` import with the `browser`
 * condition to `dist/src/platform/browser.js` and tree-shake as usual. What is written here is
 * the whole public API of `appsync-websockets` as minified ES modules for pages without a
 * bundler: `appsync-websockets.js` holds what the transports, the Events client and the auth
 * classes need; what only some pages use loads on first use from `chunks/` beside it (the SigV4
 * signer for IAM, graphql's printer for DocumentNodes, graphql's validation for a `Client`
 * schema, the explanation of a missing `auth`). Serve the directory as it is. The local AppSync
 * serves it to its live page, and the browser tests load it in Chromium.
 *
 * The options are shared with `scripts/size.mjs`. Both fail when the output would reach a Node
 * built-in or `ws`, or use the globals `process`, `Buffer`, `__dirname` or `__filename`.
 */
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the standalone bundle goes, relative to the package root (served by the local AppSync). */
export const STANDALONE_PATH = 'dist/browser/appsync-websockets.js';

const NODE_ONLY = new Set(['ws', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * Globals a browser does not have; `define` renames them so any use shows in the output.
 * (`require` is esbuild's to handle: it inlines the CommonJS modules it bundles, and the plugin
 * below refuses Node's.)
 */
const FORBIDDEN_GLOBALS = ['process', 'Buffer', '__dirname', '__filename'];

/**
 * esbuild options shared by the budgets and the standalone browser bundle: the `browser`
 * condition, and a plugin that fails on anything Node-only.
 */
export function browserBuildOptions() {
  return {
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    treeShaking: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    define: {
      // What every browser bundler defines (graphql reads it, guarded by `globalThis.process`).
      'process.env.NODE_ENV': '"production"',
      ...Object.fromEntries(FORBIDDEN_GLOBALS.map((g) => [g, `__NODE_ONLY_GLOBAL_${g}__`])),
    },
    plugins: [
      {
        name: 'no-node',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (NODE_ONLY.has(args.path)) {
              return { errors: [{ text: `"${args.path}" is Node-only, imported by ${args.importer}: the browser build must not reach it.` }] };
            }
            return undefined;
          });
        },
      },
    ],
  };
}

/** Throws when the output uses a Node-only global. */
export function assertNoNodeGlobals(code, what) {
  const found = FORBIDDEN_GLOBALS.filter((g) => code.includes(`__NODE_ONLY_GLOBAL_${g}__`));
  if (found.length > 0) throw new Error(`${what} uses the Node-only global(s) ${found.join(', ')}.`);
}


/** Where the standalone chunks go, inside the standalone bundle's directory. */
export const STANDALONE_CHUNKS_DIR = 'chunks';

/**
 * Bundles `entry` (default: the built `dist/src/index.js`) into `outdir` (default
 * `dist/browser/`): `appsync-websockets.js` and its chunks, with code splitting. Resolves with
 * every file written: `{ path, min, gzip, initial, loaded, inputs }`: `initial` when it loads
 * with the entry (static imports), `loaded` when anything can load it (else it is a chunk esbuild
 * wrote for code that tree-shaking removed); `inputs` are its inputs by bytes, largest first.
 */
export async function buildStandalone({ entry = resolve(ROOT, 'dist/src/index.js'), outdir = resolve(ROOT, dirname(STANDALONE_PATH)) } = {}) {
  const options = browserBuildOptions();
  const result = await build({
    ...options,
    entryPoints: { 'appsync-websockets': entry },
    outdir,
    splitting: true,
    chunkNames: `${STANDALONE_CHUNKS_DIR}/[name]-[hash]`,
    legalComments: 'eof',
  });
  const meta = result.metafile.outputs;
  const key = (path) => relative(process.cwd(), path).split(sep).join('/');
  // (With splitting, every dynamically imported module is an entry point of its own too.)
  const entryKey = Object.keys(meta).find((k) => k.endsWith('/appsync-websockets.js'));
  const reach = (kinds, from, seen = new Set()) => {
    const walk = (k) => {
      if (seen.has(k) || meta[k] === undefined) return;
      seen.add(k);
      for (const i of meta[k].imports) if (kinds.includes(i.kind) && !i.external) walk(i.path);
    };
    for (const k of from) walk(k);
    return seen;
  };
  const initial = reach(['import-statement'], [entryKey]);
  // esbuild also writes chunks for dynamic imports in code that tree-shaking removed (in
  // dependencies): nothing loads those. They stay on disk, reported as never loaded.
  const reachable = reach(['import-statement', 'dynamic-import'], [entryKey]);
  await rm(outdir, { recursive: true, force: true });
  const files = [];
  for (const file of result.outputFiles) {
    assertNoNodeGlobals(file.text, file.path);
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.contents);
    const k = key(file.path);
    const inputs = Object.entries(meta[k]?.inputs ?? {})
      .filter(([, i]) => i.bytesInOutput > 0)
      .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
      .map(([path, i]) => ({ path: path.replace(/^.*node_modules\//, '').replace(/^(.*\/)?dist\/src\//, 'src/'), bytes: i.bytesInOutput }));
    files.push({ path: relative(outdir, file.path).split(sep).join('/'), min: file.contents.length, gzip: gzipSync(file.contents, { level: 9 }).length, initial: initial.has(k), loaded: reachable.has(k), inputs });
  }
  return files.sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildStandalone();
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
  const sum = (list, k) => list.reduce((acc, f) => acc + f[k], 0);
  const first = files.filter((f) => f.initial);
  console.log(`${STANDALONE_PATH}: loads ${kb(sum(first, 'gzip'))} min+gzip first (${kb(sum(first, 'min'))} min)`);
  const lazy = files.filter((f) => f.loaded && !f.initial);
  console.log(`dist/browser/chunks/: ${lazy.length} chunks loaded on demand, ${kb(sum(lazy, 'gzip'))} min+gzip in all`);
}
