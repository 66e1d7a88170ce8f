/**
 * `npm run bench`: appsync-websockets against a raw `ws` client (the floor) and AWS Amplify JS v6,
 * all in the same run against the same local blast server (lib/server.mjs), each client in its
 * own process. Prints a Markdown table of medians and ratios next to the goals.
 *
 * The machine is shared and noisy: every measurement is repeated in alternating rounds
 * (raw, ours, amplify, raw, ours, …) and the medians are reported; ratios are medians of the
 * per-round ratios. Nothing here is a pass/fail test.
 *
 * Options: --quick (fewer rounds and frames, for a smoke run), --only=cpu,latency,heap,rss,import,iam,bundle
 * Env: BENCH_LIB=/path/to/src/index.js to measure another build than ../dist.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundleSize, EXTERNAL } from './lib/bundle.mjs';
import { run, start } from './lib/child.mjs';
import { KINDS, libraryUrl } from './lib/clients.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wants = (section) => only === undefined || only.includes(section);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const P = quick
  ? { cpuRounds: 2, warmup: 1000, frames: 5000, latencyProcs: 1, cycles: 4, heapRounds: 1, heapSubs: 500, rssRounds: 1, importRounds: 3, iamRounds: 2, iamMs: 200 }
  : { cpuRounds: 11, warmup: 5000, frames: 30000, latencyProcs: 3, cycles: 10, heapRounds: 3, heapSubs: 2000, rssRounds: 2, importRounds: 8, iamRounds: 7, iamMs: 300 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const log = (...a) => console.error('[bench]', ...a);
const rows = [];
const t0 = performance.now();

const server = start(here('./lib/server.mjs'));
const { port } = await server.next();
async function configure(config) {
  server.send({ type: 'config', config });
  await server.next();
}

// ---- CPU per frame -----------------------------------------------------------------------
if (wants('cpu')) {
  for (const subs of [1, 100]) {
    const per = Object.fromEntries(KINDS.map((k) => [k, []]));
    for (let round = 0; round < P.cpuRounds; round++) {
      for (const kind of KINDS) {
        await configure({ mode: 'blast', subs, frames: P.warmup + P.frames + 1000 });
        const r = await run(here('./clients/cpu.mjs'), [kind, port, subs, P.warmup, P.frames]);
        per[kind].push(r.cpuUs / r.frames);
      }
      log(`cpu ${subs} sub(s) round ${round + 1}:`, KINDS.map((k) => `${k} ${per[k].at(-1).toFixed(2)} µs`).join(', '));
    }
    rows.push({
      metric: `client CPU per \`data\` frame (~1 KB), ${subs} subscription${subs > 1 ? 's' : ''} on one socket`,
      unit: 'µs',
      values: Object.fromEntries(KINDS.map((k) => [k, median(per[k])])),
      ratios: ratiosFrom(per),
      goal: '≤ 1.05× raw, ≤ Amplify',
      holds: median(ratioList(per, 'ours', 'raw')) <= 1.05 && median(ratioList(per, 'ours', 'amplify')) <= 1,
    });
  }
}

// ---- connect() to first data ---------------------------------------------------------------
if (wants('latency')) {
  await configure({ mode: 'once' });
  const cold = Object.fromEntries(KINDS.map((k) => [k, []]));
  const warm = Object.fromEntries(KINDS.map((k) => [k, []]));
  for (let p = 0; p < P.latencyProcs; p++) {
    for (const kind of KINDS) {
      const { times } = await run(here('./clients/latency.mjs'), [kind, port, P.cycles]);
      cold[kind].push(times[0]);
      // Cycles 1-2 still warm up the JIT; the rest is the steady state.
      warm[kind].push(median(times.slice(2)));
    }
    log(`latency round ${p + 1}:`, KINDS.map((k) => `${k} cold ${cold[k].at(-1).toFixed(1)} / warm ${warm[k].at(-1).toFixed(2)} ms`).join(', '));
  }
  for (const [label, per] of [['first in a process (cold)', cold], [`cycles 3-${P.cycles} in the same process (warm)`, warm]]) {
    rows.push({
      metric: `connect → first \`data\`, ${label}`,
      unit: 'ms',
      values: Object.fromEntries(KINDS.map((k) => [k, median(per[k])])),
      ratios: ratiosFrom(per),
      goal: '—',
    });
  }
}

// ---- heap per idle subscription -------------------------------------------------------------
if (wants('heap')) {
  await configure({ mode: 'once' });
  const kinds = ['raw', 'ours', 'ours-then', 'amplify'];
  const per = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let round = 0; round < P.heapRounds; round++) {
    for (const kind of kinds) {
      const r = await run(here('./clients/heap.mjs'), [kind, port, P.heapSubs], { execArgv: ['--expose-gc'] });
      per[kind].push(r.bytesPerSubscription);
    }
    log(`heap round ${round + 1}:`, kinds.map((k) => `${k} ${per[k].at(-1).toFixed(0)} B`).join(', '));
  }
  for (const [label, ours] of [
    ['consumer `for await` (async function)', 'ours'],
    ['consumer `next().then()` chain, a callback like the others\'', 'ours-then'],
  ]) {
    const view = { raw: per.raw, ours: per[ours], amplify: per.amplify };
    rows.push({
      metric: `heap per idle subscription (${P.heapSubs} on one socket); ours: ${label}`,
      unit: 'bytes',
      values: { raw: median(per.raw), ours: median(per[ours]), amplify: median(per.amplify) },
      ratios: ratiosFrom(view),
      goal: '≤ 1 KB (Amplify ~2.7 KB)',
      holds: median(per[ours]) <= 1024,
    });
  }
}

// ---- RSS with 10 000 subscriptions over 100 sockets ----------------------------------------
if (wants('rss')) {
  await configure({ mode: 'once' });
  const kinds = ['raw', 'ours'];
  const rss = Object.fromEntries(kinds.map((k) => [k, []]));
  const heap = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let round = 0; round < P.rssRounds; round++) {
    for (const kind of kinds) {
      const r = await run(here('./clients/rss.mjs'), [kind, port, 100, 100], { execArgv: ['--expose-gc'] });
      rss[kind].push(r.rss / 2 ** 20);
      heap[kind].push(r.heapUsed / 2 ** 20);
    }
    log(`rss round ${round + 1}:`, kinds.map((k) => `${k} ${rss[k].at(-1).toFixed(1)} MB (heap ${heap[k].at(-1).toFixed(1)})`).join(', '));
  }
  rows.push({
    metric: 'RSS, 10 000 subscriptions over 100 sockets, one process',
    unit: 'MB',
    values: { raw: median(rss.raw), ours: median(rss.ours) },
    ratios: ratiosFrom(rss),
    goal: '≤ 150 MB',
    holds: median(rss.ours) <= 150,
  });
  rows.push({
    metric: '… of which JS heap',
    unit: 'MB',
    values: { raw: median(heap.raw), ours: median(heap.ours) },
    ratios: ratiosFrom(heap),
    goal: '—',
  });
}

await configure({ mode: 'once' });
server.send({ type: 'exit' });
await server.exited;

// ---- cold import ---------------------------------------------------------------------------
if (wants('import')) {
  const targets = ['ws', 'ours', 'ours+ws', 'amplify'];
  const per = Object.fromEntries(targets.map((k) => [k, []]));
  // One discarded round first: it warms the file-system cache.
  for (let round = -1; round < P.importRounds; round++) {
    for (const target of targets) {
      const { ms } = await run(here('./clients/import.mjs'), [target]);
      if (round >= 0) per[target].push(ms);
    }
  }
  log('import:', targets.map((k) => `${k} ${median(per[k]).toFixed(1)} ms`).join(', '));
  const vsWs = (k) => median(per[k].map((v, i) => v / per.ws[i]));
  rows.push({
    metric: '`import()` in a fresh process (ws alone = raw)',
    unit: 'ms',
    values: { raw: median(per.ws), ours: median(per.ours), amplify: median(per.amplify) },
    ratios: { 'ours/raw': vsWs('ours'), 'ours/amplify': median(per.ours.map((v, i) => v / per.amplify[i])) },
    goal: '≤ 1.5× ws alone',
    holds: vsWs('ours') <= 1.5,
  });
  rows.push({
    metric: '… ours + the `ws` it loads on the first connect (Node 20)',
    unit: 'ms',
    values: { raw: median(per.ws), ours: median(per['ours+ws']) },
    ratios: { 'ours/raw': vsWs('ours+ws') },
    goal: '—',
  });
}

// ---- IAM signatures per second -------------------------------------------------------------
if (wants('iam')) {
  const { results } = await run(here('./clients/iam.mjs'), [P.iamRounds, P.iamMs]);
  const ratio = (a, b) => median(results[a].map((v, i) => v / results[b][i]));
  log('iam:', Object.entries(results).map(([k, v]) => `${k} ${median(v).toFixed(0)}/s`).join(', '));
  rows.push({
    metric: 'IAM signatures per second (`getHeaders`, static credentials); raw = bare `@smithy/signature-v4` `sign()`, one signer',
    unit: '/s',
    values: { raw: median(results.smithy), ours: median(results.ours) },
    ratios: { 'ours/raw': ratio('ours', 'smithy') },
    goal: 'report',
  });
  rows.push({
    metric: '… bare `sign()` with a new `SignatureV4` per call',
    unit: '/s',
    values: { raw: median(results['smithy-new-signer']) },
    ratios: {},
    goal: '—',
  });
  rows.push({
    metric: '… bare `sign()`, one signer, hash from node:crypto instead of `@aws-crypto/sha256-js`',
    unit: '/s',
    values: { raw: median(results['smithy-node-crypto']) },
    ratios: { 'ours/raw': ratio('ours', 'smithy-node-crypto') },
    goal: '—',
  });
}

// ---- browser bundle ------------------------------------------------------------------------
const bundles = [];
if (wants('bundle')) {
  const core = ['AppSyncWebsocketsTransport', 'AppSyncApiKeyAuthentication', 'AppSyncJWTAuthentication'];
  for (const [label, names, goalKb] of [
    ['core (transport + API key + JWT)', core, 8],
    ['core + IAM', [...core, 'AppSyncIAMAuthentication'], 20],
  ]) {
    const b = await bundleSize(libraryUrl(), names);
    bundles.push({ label, ...b });
    const total = b.initial.gzip + b.lazy.gzip;
    const measured = label.startsWith('core +') ? total : b.initial.gzip;
    rows.push({
      metric: `browser bundle, ${label}: ${label.startsWith('core +') ? 'initial + lazy chunks' : 'initial load'}, min+gzip`,
      unit: 'KB',
      values: { ours: measured / 1024 },
      ratios: {},
      goal: `≤ ${goalKb} KB`,
      holds: measured / 1024 <= goalKb,
    });
  }
}

// ---- report --------------------------------------------------------------------------------
function ratioList(per, a, b) {
  return per[a].map((v, i) => v / per[b][i]);
}
function ratiosFrom(per) {
  const out = {};
  if (per.raw && per.ours) out['ours/raw'] = median(ratioList(per, 'ours', 'raw'));
  if (per.amplify && per.ours) out['ours/amplify'] = median(ratioList(per, 'ours', 'amplify'));
  return out;
}
const fmt = (v, unit) => {
  if (v === undefined) return '';
  if (unit === 'bytes' || unit === '/s') return Math.round(v).toLocaleString('en-US');
  if (unit === 'MB' || unit === 'KB') return v.toFixed(1);
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
};
const fmtRatio = (r) => (r === undefined ? '' : `${r.toFixed(2)}×`);

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {}
const out = [];
out.push(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, commit ${commit}, library ${process.env.BENCH_LIB ? `BENCH_LIB=${process.env.BENCH_LIB}` : 'dist/'}, ${new Date().toISOString().slice(0, 10)}` +
    `${quick ? ' (--quick)' : ''}; medians of alternating rounds, ratios are medians of per-round ratios.`,
  '',
  '| measurement | unit | raw `ws` | appsync-websockets | Amplify v6 | ours / raw | ours / Amplify | goal | holds |',
  '|---|---|---:|---:|---:|---:|---:|---|---|',
);
for (const row of rows) {
  out.push(
    `| ${row.metric} | ${row.unit} | ${fmt(row.values.raw, row.unit)} | ${fmt(row.values.ours, row.unit)} | ${fmt(row.values.amplify, row.unit)} | ` +
      `${fmtRatio(row.ratios['ours/raw'])} | ${fmtRatio(row.ratios['ours/amplify'])} | ${row.goal} | ${row.holds === undefined ? '' : row.holds ? 'yes' : '**no**'} |`,
  );
}
if (bundles.length > 0) {
  out.push('', 'Bundles (esbuild, platform browser, ESM with code splitting, minified; gzip -9 per chunk; external: ' + EXTERNAL.map((e) => `\`${e}\``).join(', ') + '):', '');
  for (const b of bundles) {
    const parts = Object.entries(b.byPackage)
      .sort((x, y) => y[1] - x[1])
      .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KB`)
      .join(', ');
    out.push(
      `- ${b.label}: initial ${(b.initial.gzip / 1024).toFixed(1)} KB gz (${(b.initial.min / 1024).toFixed(1)} KB min, ${b.initialChunks} chunk(s)); ` +
        `lazy ${(b.lazy.gzip / 1024).toFixed(1)} KB gz (${(b.lazy.min / 1024).toFixed(1)} KB min). Initial minified bytes by package: ${parts}.`,
    );
  }
}
out.push('', `Took ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
console.log(out.join('\n'));
