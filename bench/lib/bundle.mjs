/**
 * Browser bundle size with esbuild (platform browser, ESM, minify, code splitting as browser
 * bundlers do for dynamic `import()`), gzip level 9 with node:zlib.
 *
 * Externals, and why:
 * - `ws`: the library loads it with a dynamic import only when there is no global WebSocket, which
 *   never happens in a browser. Kept as a bare `import("ws")` in the output, never fetched.
 * - `@aws-sdk/credential-provider-node`, `@smithy/core/config`: the Node default credential chain
 *   and shared-config region loader, dynamically imported only when IAM gets no `credentials` /
 *   `region`; they need fs/os/child_process and cannot run in a browser (browser IAM users pass
 *   credentials, e.g. from Cognito).
 *
 * Reported: the initial chunk (what the page loads with the app) and every lazily loaded chunk
 * (the SigV4 signer is one: loaded on the first IAM signature).
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const EXTERNAL = ['ws', '@aws-sdk/credential-provider-node', '@smithy/core/config'];

export async function bundleSize(libUrl, names) {
  const libPath = fileURLToPath(libUrl);
  const result = await build({
    stdin: { contents: `export { ${names.join(', ')} } from ${JSON.stringify(libPath)};`, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    minify: true,
    target: 'es2022',
    outdir: '/virtual-out',
    write: false,
    metafile: true,
    external: EXTERNAL,
    logLevel: 'silent',
  });
  const meta = result.metafile.outputs;
  const key = (path) => Object.keys(meta).find((k) => path.endsWith(k.replace(/^.*virtual-out/, '')));
  const byKey = new Map(result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => [key(f.path), f]));
  // The initial load: the entry chunk and every chunk it imports statically, transitively.
  const entryKey = Object.keys(meta).find((k) => meta[k].entryPoint !== undefined);
  const initialKeys = new Set();
  const visit = (k) => {
    if (initialKeys.has(k) || !byKey.has(k)) return;
    initialKeys.add(k);
    for (const imported of meta[k].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entryKey);
  const sum = (keys) =>
    keys.reduce(
      (acc, k) => {
        const contents = byKey.get(k).contents;
        return { min: acc.min + contents.length, gzip: acc.gzip + gzipSync(contents, { level: 9 }).length };
      },
      { min: 0, gzip: 0 },
    );
  const initial = sum([...initialKeys]);
  const lazy = sum([...byKey.keys()].filter((k) => !initialKeys.has(k)));
  const files = [...byKey.keys()];
  // Minified bytes in the output by package, initial load only (for the report).
  const byPackage = {};
  for (const k of initialKeys) {
    for (const [input, { bytesInOutput }] of Object.entries(meta[k].inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = m ? m[1] : 'appsync-websockets';
      byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
    }
  }
  return { initial, lazy, chunks: files.length, initialChunks: initialKeys.size, byPackage };
}
