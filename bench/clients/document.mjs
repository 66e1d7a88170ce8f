/**
 * Checking a subscription document before it is sent, per call, in one process, alternating:
 * the library's `toRequest` (its scanner finds the operation and checks the syntax, then the
 * request is serialized) against graphql's `parse` of the same strings alone (what the library
 * ran before the scanner; the graphql the library itself depends on), over 1000 distinct
 * documents in turn, so that no cache anywhere (V8's included) can answer.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { libraryUrl } from '../lib/clients.mjs';

const { toRequest } = await import(new URL('./transport/document.js', libraryUrl()).href);
const require = createRequire(new URL(libraryUrl()));
const { parse } = await import(pathToFileURL(require.resolve('graphql/language/parser.js')).href);

const DOCUMENT = `subscription OnCreateMessage($room: String!) {
  onCreateMessage(room: $room) { id room text createdAt author { id name } }
}`;
const DOCUMENTS = Array.from({ length: 1000 }, (_, i) => `${DOCUMENT}\n# ${i}`);
const options = { variableValues: { room: 'lobby' } };
let i = 0;
const next = () => DOCUMENTS[(i = (i + 1) % DOCUMENTS.length)];

const subjects = {
  'ours-first': () => toRequest(next(), options, ['subscription'], ''),
  'graphql-first': () => parse(next(), { noLocation: true }),
};

function rate(fn, ms) {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
  }
  return (n * 1000) / ms;
}

const rounds = Number(process.argv[2] ?? 5);
const ms = Number(process.argv[3] ?? 300);
for (const fn of Object.values(subjects)) rate(fn, 200); // warm-up
const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(subjects)) results[name].push(rate(fn, ms));
}
process.send({ type: 'result', results }, () => process.exit(0));
