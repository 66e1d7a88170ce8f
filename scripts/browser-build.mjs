#!/usr/bin/env node
/**
 * The browser build, with esbuild. Run by `npm run build` after `tsc`:
 *
 *   node scripts/browser-build.mjs            # writes dist/browser/appsync-websockets.js
 *
 * Bundlers need none of this: they resolve the package's `#platform` import with the `browser`
 * condition to `dist/src/platform/browser.js` and tree-shake as usual. The file written here is
 * the whole public API of `appsync-websockets` in one self-contained, minified ES module (graphql
 * and the SigV4 signer included), for pages without a bundler: the local AppSync serves it at
 * `/appsync-websockets.js` to its live page, and the browser tests load it in Chromium.
 *
 * The options are shared with `scripts/size.mjs`. Both fail when the output would reach a Node
 * built-in or `ws`, or use the globals `process`, `Buffer`, `__dirname` or `__filename`.
 */
import { build } from 'esbuild';
import { mkdir, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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


/**
 * `graphql/<path>.js` is graphql's CommonJS build (what Node loads for that specifier); the
 * package root resolves to its ES modules in a browser build. Without this, the schema module's
 * `graphql/validation/validate.js` would bring a second, CommonJS copy of half of graphql.
 */
const graphqlEsm = {
  name: 'graphql-esm',
  setup(b) {
    b.onResolve({ filter: /^graphql\/.+\.js$/ }, async (args) => {
      const esm = await b.resolve(args.path.replace(/\.js$/, '.mjs'), { kind: args.kind, resolveDir: args.resolveDir });
      return esm.errors.length === 0 ? { path: esm.path } : undefined;
    });
  },
};

/**
 * Bundles `entry` (default: the built `dist/src/index.js`) into one ES module at `outfile`.
 * Resolves with its size in bytes.
 */
export async function buildStandalone({ entry = resolve(ROOT, 'dist/src/index.js'), outfile = resolve(ROOT, STANDALONE_PATH) } = {}) {
  const options = browserBuildOptions();
  const result = await build({
    ...options,
    entryPoints: [entry],
    outfile,
    legalComments: 'eof',
    plugins: [...options.plugins, graphqlEsm],
  });
  const file = result.outputFiles.find((f) => f.path === outfile);
  if (file === undefined) throw new Error(`esbuild wrote no ${outfile}`);
  assertNoNodeGlobals(file.text, outfile);
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, file.contents);
  return file.contents.length;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bytes = await buildStandalone();
  console.log(`${STANDALONE_PATH}: ${(bytes / 1024).toFixed(1)} KB minified`);
}
