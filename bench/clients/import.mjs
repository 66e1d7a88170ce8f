/**
 * Time to import a module in a fresh process (node's own start-up excluded). Imports nothing
 * else first: lib/clients.mjs would load `ws`.
 */
import { pathToFileURL } from 'node:url';

const libraryUrl = () =>
  process.env.BENCH_LIB ? pathToFileURL(process.env.BENCH_LIB).href : new URL('../../dist/src/index.js', import.meta.url).href;

const targets = {
  ws: () => import('ws'),
  ours: () => import(libraryUrl()),
  // What the first connect adds on Node 20: the library loads `ws` lazily.
  'ours+ws': async () => {
    await import(libraryUrl());
    await import('ws');
  },
  amplify: () => Promise.all([import('aws-amplify'), import('aws-amplify/api')]),
};
const target = process.argv[2];
const t0 = performance.now();
await targets[target]();
const ms = performance.now() - t0;
process.send({ type: 'result', ms }, () => process.exit(0));
