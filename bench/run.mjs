/**
 * `npm run bench`: appsync-websockets against a raw `ws` client (the floor) and AWS Amplify JS v6,
 * all in the same run against the same local blast server (lib/server.mjs), each client in its
 * own process. Prints a Markdown table of medians and ratios next to the goals.
 * appsync-websockets is measured with both consumer styles: `for await` over `subscribe()`
 * (ours) and callbacks through `observe()` (ours-observe). A goal holds when the better of the
 * two meets it; the holds column says which.
 *
 * The machine is shared and noisy: every measurement is repeated in alternating rounds
 * (raw, ours, ours-observe, amplify, raw, …) and the medians are reported; ratios are medians of
 * the per-round ratios. Nothing here is a pass/fail test.
 *
 * Options: --quick (fewer rounds and frames, for a smoke run), --only=cpu,apollo,latency,heap,rss,import,iam,document,bundle,fanout,template
 * Env: BENCH_LIB=/path/to/src/index.js to measure another build than ../dist.
 * The bundle rows are scripts/size.mjs's measurement (the CI size check's), called from here.
 */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureSizes } from '../scripts/size.mjs';
import { run, start } from './lib/child.mjs';
import { KINDS, libraryUrl } from './lib/clients.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wants = (section) => only === undefined || only.includes(section);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const P = quick
  ? { cpuRounds: 2, warmup: 1000, frames: 5000, latencyProcs: 1, cycles: 4, heapRounds: 1, heapSubs: 500, rssRounds: 1, importRounds: 3, iamRounds: 2, iamMs: 200, fanoutRounds: 1, fanoutSockets: 200, fanoutEvents: 3, templateRounds: 1, templateSockets: 20, templatePer: 5, templateMutations: 20, templateEvalMs: 300 }
  : { cpuRounds: 11, warmup: 5000, frames: 30000, latencyProcs: 3, cycles: 10, heapRounds: 3, heapSubs: 2000, rssRounds: 2, importRounds: 8, iamRounds: 7, iamMs: 300, fanoutRounds: 3, fanoutSockets: 2000, fanoutEvents: 5, templateRounds: 3, templateSockets: 100, templatePer: 10, templateMutations: 100, templateEvalMs: 1000 };

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const log = (...a) => console.error('[bench]', ...a);
/** Our consumer styles, in the order the table shows them. */
const OURS = ['ours', 'ours-observe'];
/** Per consumer style: does the median ratio (or value) meet the goal? */
const holdsFor = (test) => Object.fromEntries(OURS.map((k) => [k, test(k)]));
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
      holds: holdsFor((k) => median(ratioList(per, k, 'raw')) <= 1.05 && median(ratioList(per, k, 'amplify')) <= 1),
    });
  }
}

// ---- Apollo Client: AppSyncLink beside the legacy AppSync link ------------------------------
/** Both links under Apollo Client 4.3.8, on the blast server; a frame counts when Apollo's observer has it. */
const APOLLO_KINDS = ['apollo-appsync-link', 'apollo-legacy-link'];
const apolloRows = [];
if (wants('apollo')) {
  const per = Object.fromEntries(APOLLO_KINDS.map((k) => [k, []]));
  for (let round = 0; round < P.cpuRounds; round++) {
    for (const kind of APOLLO_KINDS) {
      await configure({ mode: 'blast', subs: 1, frames: P.warmup + P.frames + 1000 });
      const r = await run(here('./clients/cpu.mjs'), [kind, port, 1, P.warmup, P.frames]);
      per[kind].push(r.cpuUs / r.frames);
    }
    log(`apollo round ${round + 1}:`, APOLLO_KINDS.map((k) => `${k} ${per[k].at(-1).toFixed(2)} µs`).join(', '));
  }
  apolloRows.push({
    ours: median(per['apollo-appsync-link']),
    legacy: median(per['apollo-legacy-link']),
    ratio: median(ratioList(per, 'apollo-appsync-link', 'apollo-legacy-link')),
  });
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
  const kinds = ['raw', 'ours', 'ours-observe', 'ours-then', 'amplify'];
  const per = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let round = 0; round < P.heapRounds; round++) {
    for (const kind of kinds) {
      const r = await run(here('./clients/heap.mjs'), [kind, port, P.heapSubs], { execArgv: ['--expose-gc'] });
      per[kind].push(r.bytesPerSubscription);
    }
    log(`heap round ${round + 1}:`, kinds.map((k) => `${k} ${per[k].at(-1).toFixed(0)} B`).join(', '));
  }
  const view = { raw: per.raw, ours: per.ours, 'ours-observe': per['ours-observe'], amplify: per.amplify };
  rows.push({
    metric: `heap per idle subscription (${P.heapSubs} on one socket)`,
    unit: 'bytes',
    values: Object.fromEntries(Object.entries(view).map(([k, v]) => [k, median(v)])),
    ratios: ratiosFrom(view),
    goal: '≤ 1 KB (Amplify ~2.7 KB)',
    holds: holdsFor((k) => median(per[k]) <= 1024),
  });
  rows.push({
    metric: '… ours: the `subscribe()` iterator read with a `next().then()` chain (no consumer async function)',
    unit: 'bytes',
    values: { ours: median(per['ours-then']) },
    ratios: ratiosFrom({ raw: per.raw, ours: per['ours-then'], amplify: per.amplify }),
    goal: '—',
  });
}

// ---- RSS with 10 000 subscriptions over 100 sockets ----------------------------------------
if (wants('rss')) {
  await configure({ mode: 'once' });
  const kinds = ['raw', ...OURS];
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
    values: Object.fromEntries(kinds.map((k) => [k, median(rss[k])])),
    ratios: ratiosFrom(rss),
    goal: '≤ 150 MB',
    holds: holdsFor((k) => median(rss[k]) <= 150),
  });
  rows.push({
    metric: '… of which JS heap',
    unit: 'MB',
    values: Object.fromEntries(kinds.map((k) => [k, median(heap[k])])),
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
    metric: '`import()` in a fresh process (ws alone = raw; one module for both consumer styles)',
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
    metric: 'IAM signatures per second (`getHeaders`, static credentials); raw = bare `aws4fetch` `AwsV4Signer.sign()`, the signer it adapts',
    unit: '/s',
    values: { raw: median(results.aws4fetch), ours: median(results.ours) },
    ratios: { 'ours/raw': ratio('ours', 'aws4fetch') },
    goal: 'report',
  });
  rows.push({
    metric: '… the AWS SDK signer it replaced: bare `@smithy/signature-v4` `sign()`, one signer',
    unit: '/s',
    values: { raw: median(results.smithy) },
    ratios: { 'ours/raw': ratio('ours', 'smithy') },
    goal: '—',
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

// ---- document check per call ---------------------------------------------------------------
if (wants('document')) {
  const { results } = await run(here('./clients/document.mjs'), [P.iamRounds, P.iamMs]);
  log('document:', Object.entries(results).map(([k, v]) => `${k} ${median(v).toFixed(0)}/s`).join(', '));
  const ratio = (a, b) => median(results[a].map((v, i) => v / results[b][i]));
  rows.push({
    metric: 'documents checked per second by `subscribe()` (syntax, operation, request JSON); raw = graphql `parse()` alone, what it replaced',
    unit: '/s',
    values: { raw: median(results['graphql-first']), ours: median(results['ours-first']) },
    ratios: { 'ours/raw': ratio('ours-first', 'graphql-first') },
    goal: 'report',
  });
}

// ---- browser bundle ------------------------------------------------------------------------
// scripts/size.mjs's measurement, the one `npm test` checks against its ceilings.
const bundles = [];
if (wants('bundle')) {
  const lib = fileURLToPath(libraryUrl());
  let sizes;
  try {
    sizes = await measureSizes({ lib });
  } catch (error) {
    // An older build (BENCH_LIB) that still reaches Node-only modules: leave them out, as
    // `node scripts/size.mjs --external-node` does.
    log(`bundle: ${error.message.split('\n')[0]}; measuring again with the Node-only modules external`);
    sizes = await measureSizes({
      lib,
      options: { external: ['ws', '@aws-sdk/credential-provider-node', '@smithy/core/config'], plugins: [], allowNodeGlobals: true },
    });
  }
  for (const r of sizes) {
    bundles.push(r);
    rows.push({
      metric: `browser bundle, ${r.name}, min+gzip (\`scripts/size.mjs\`; CI ceiling ${(r.max / 1024).toFixed(1)} KB)`,
      unit: 'KB',
      values: { ours: r.gzipBytes / 1024 },
      ratios: {},
      goal: `≤ ${(r.goal / 1024).toFixed(0)} KB`,
      holds: r.meetsGoal,
    });
  }
}

// ---- server fan-out: the local AppSync beside the Amplify simulator -------------------------
// Each server in its own process (its RSS is its own), the subscribers in another
// (clients/fanout.mjs, the load test's driver); mutations over HTTP, one after another.
const FANOUT_PER_SOCKET = 10;
const serverRows = [];
const serverNotes = [];
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
async function fanoutRound(kind) {
  const server = start(here('./lib/fanout-server.mjs'), [kind], { execArgv: ['--expose-gc'] });
  try {
    const ready = await server.next();
    if (ready.type === 'error') throw new Error(ready.message);
    const args = [ready.realtimeUrl, ready.url, ready.host, ready.apiKey, ready.handshake, P.fanoutSockets, FANOUT_PER_SOCKET, P.fanoutEvents].map(String);
    const clients = start(here('./clients/fanout.mjs'), args);
    try {
      await clients.next(600_000);
      server.send({ type: 'rss' });
      const { rss } = await server.next();
      clients.send({ type: 'go' });
      const result = await clients.next(600_000);
      if (result.mismatches > 0) throw new Error(`${result.mismatches} subscriptions did not get every event exactly once (${result.example})`);
      const sorted = result.latencies.sort((a, b) => a - b);
      return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1), rss: rss / 1048576 };
    } finally {
      clients.child.kill();
    }
  } finally {
    if (server.child.exitCode === null) server.send({ type: 'stop' });
    await server.exited;
  }
}
if (wants('fanout')) {
  const kinds = ['ours', 'simulator'];
  const per = Object.fromEntries(kinds.map((k) => [k, { p50: [], p99: [], max: [], rss: [] }]));
  const failed = {};
  for (let round = 0; round < P.fanoutRounds; round++) {
    for (const kind of kinds) {
      if (failed[kind]) continue;
      try {
        for (const [metric, value] of Object.entries(await fanoutRound(kind))) per[kind][metric].push(value);
        log(`fan-out round ${round + 1}, ${kind}: p50 ${per[kind].p50.at(-1).toFixed(1)} ms, p99 ${per[kind].p99.at(-1).toFixed(1)} ms, RSS ${per[kind].rss.at(-1).toFixed(0)} MB`);
      } catch (error) {
        failed[kind] = error.message.split('\n')[0];
        serverNotes.push(`${kind === 'ours' ? 'local AppSync' : 'Amplify simulator'} not measured: ${failed[kind]}`);
      }
    }
  }
  const subscriptions = (P.fanoutSockets * FANOUT_PER_SOCKET).toLocaleString('en-US');
  for (const [metric, label, unit] of [
    ['p50', 'fan-out latency, median receipt', 'ms'],
    ['p99', 'fan-out latency, 99th percentile receipt', 'ms'],
    ['max', 'fan-out latency, last subscriber', 'ms'],
    ['rss', `server RSS with ${subscriptions} live subscriptions`, 'MB'],
  ]) {
    const ours = per.ours[metric].length ? median(per.ours[metric]) : undefined;
    const sim = per.simulator[metric].length ? median(per.simulator[metric]) : undefined;
    serverRows.push({ metric: label, unit, ours, sim, ratio: ours !== undefined && sim !== undefined ? ours / sim : undefined });
  }
}

// ---- report --------------------------------------------------------------------------------
function ratioList(per, a, b) {
  return per[a].map((v, i) => v / per[b][i]);
}
function ratiosFrom(per) {
  const out = {};
  for (const k of OURS) {
    if (!per[k]) continue;
    if (per.raw) out[`${k}/raw`] = median(ratioList(per, k, 'raw'));
    if (per.amplify) out[`${k}/amplify`] = median(ratioList(per, k, 'amplify'));
  }
  return out;
}
/** `yes` when every consumer style measured meets the goal, `yes with …` when only some do. */
function fmtHolds(holds) {
  if (holds === undefined) return '';
  if (typeof holds === 'boolean') return holds ? 'yes' : '**no**';
  const names = { ours: '`for await`', 'ours-observe': '`observe`' };
  const yes = OURS.filter((k) => holds[k] === true);
  const no = OURS.filter((k) => holds[k] === false);
  if (no.length === 0) return 'yes';
  if (yes.length === 0) return '**no**';
  return `yes with ${yes.map((k) => names[k]).join(', ')} (${no.map((k) => names[k]).join(', ')}: **no**)`;
}
const fmt = (v, unit) => {
  if (v === undefined) return '';
  if (unit === 'bytes' || unit === '/s') return Math.round(v).toLocaleString('en-US');
  if (unit === 'MB' || unit === 'KB') return v.toFixed(1);
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
};
const fmtRatio = (r) => (r === undefined ? '' : `${r.toFixed(2)}×`);

// ---- a template app: resolver evaluations and a DynamoDB-backed mutation's fan-out ---------------
// (clients/template.mjs, one process per round; each figure beside its baseline from the same round.)
const templateRows = [];
if (wants('template')) {
  const per = { unit: [], unitBaseline: [], pipeline: [], pipelineBaseline: [], templateP50: [], baselineP50: [], templateP99: [], baselineP99: [] };
  for (let round = 0; round < P.templateRounds; round++) {
    const args = [P.templateSockets, P.templatePer, P.templateMutations, P.templateEvalMs, round % 2 === 0 ? 'baseline' : 'template'].map(String);
    const r = await run(here('./clients/template.mjs'), args, { timeoutMs: 300_000 });
    for (const key of Object.keys(per)) per[key].push(r[key]);
    log(`template round ${round + 1}: unit ${Math.round(r.unit)} evals/s, pipeline ${Math.round(r.pipeline)} evals/s, mutation p50 ${r.templateP50.toFixed(1)} ms (baseline ${r.baselineP50.toFixed(1)} ms)`);
  }
  const ratio = (a, b) => median(per[a].map((v, i) => v / per[b][i]));
  templateRows.push(
    { metric: 'resolver evaluations per second, UNIT (request + response on NONE, each in its sandbox)', unit: '/s', value: median(per.unit), baseline: median(per.unitBaseline), ratio: ratio('unit', 'unitBaseline') },
    { metric: 'resolver evaluations per second, PIPELINE of two functions (6 per call)', unit: '/s', value: median(per.pipeline), baseline: median(per.pipelineBaseline), ratio: ratio('pipeline', 'pipelineBaseline') },
    { metric: 'DynamoDB-backed mutation over HTTP until every subscriber has it, p50', unit: 'ms', value: median(per.templateP50), baseline: median(per.baselineP50), ratio: ratio('templateP50', 'baselineP50') },
    { metric: 'DynamoDB-backed mutation over HTTP until every subscriber has it, p99', unit: 'ms', value: median(per.templateP99), baseline: median(per.baselineP99), ratio: ratio('templateP99', 'baselineP99') },
  );
}

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {}
const out = [];
out.push(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, commit ${commit}, library ${process.env.BENCH_LIB ? `BENCH_LIB=${process.env.BENCH_LIB}` : 'dist/'}, ${new Date().toISOString().slice(0, 10)}` +
    `${quick ? ' (--quick)' : ''}; medians of alternating rounds, ratios are medians of per-round ratios.`,
  '',
);
if (rows.length > 0) {
  out.push(
    '| measurement | unit | raw `ws` | ours, `for await` | ours, `observe` | Amplify v6 | `for await` / raw | `observe` / raw | `for await` / Amplify | `observe` / Amplify | goal | holds |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  );
}
for (const row of rows) {
  const v = (k) => fmt(row.values[k], row.unit);
  const r = (k) => fmtRatio(row.ratios[k]);
  out.push(
    `| ${row.metric} | ${row.unit} | ${v('raw')} | ${v('ours')} | ${v('ours-observe')} | ${v('amplify')} | ` +
      `${r('ours/raw')} | ${r('ours-observe/raw')} | ${r('ours/amplify')} | ${r('ours-observe/amplify')} | ${row.goal} | ${fmtHolds(row.holds)} |`,
  );
}
if (bundles.length > 0) {
  out.push('', 'Bundles (scripts/size.mjs: esbuild, browser condition, ESM with code splitting, minified, gzip -9 per chunk):', '');
  for (const b of bundles) {
    const byPackage = new Map();
    for (const i of b.inputs) {
      const m = /^((?:@[^/]+\/)?[^/]+)\//.exec(i.path);
      const name = i.path.startsWith('src/') || !m ? 'appsync-websockets' : m[1];
      byPackage.set(name, (byPackage.get(name) ?? 0) + i.bytes);
    }
    const parts = [...byPackage]
      .sort((x, y) => y[1] - x[1])
      .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KB`)
      .join(', ');
    out.push(
      `- ${b.name}: initial ${(b.initial.gzip / 1024).toFixed(1)} KB gz (${(b.initial.min / 1024).toFixed(1)} KB min); ` +
        `lazy ${(b.lazy.gzip / 1024).toFixed(1)} KB gz (${(b.lazy.min / 1024).toFixed(1)} KB min). Minified bytes by package, all reachable chunks: ${parts}.`,
    );
  }
}
if (serverRows.length > 0) {
  out.push(
    '',
    `Server fan-out: ${P.fanoutSockets.toLocaleString('en-US')} sockets × ${FANOUT_PER_SOCKET} subscriptions, ${P.fanoutEvents} mutations over HTTP one after another; latency from just before each mutation is sent to each \`data\` frame's arrival; every subscriber got every event exactly once (else not measured). Medians of ${P.fanoutRounds} round(s) alternating between the servers; the ratio is of the medians.`,
    '',
    '| measurement | unit | local AppSync | Amplify simulator | local / simulator |',
    '|---|---|---:|---:|---:|',
  );
  for (const row of serverRows) out.push(`| ${row.metric} | ${row.unit} | ${fmt(row.ours, row.unit)} | ${fmt(row.sim, row.unit)} | ${fmtRatio(row.ratio)} |`);
  for (const note of serverNotes) out.push('', note);
}
for (const row of apolloRows) {
  out.push(
    '',
    'Apollo Client 4.3.8, `client.subscribe()` with `fetchPolicy: "no-cache"`, one subscription, the same blast server: client CPU per delivered `data` frame.',
    '',
    '| measurement | unit | `AppSyncLink` | `aws-appsync-subscription-link` 4.0.3 | AppSyncLink / legacy |',
    '|---|---|---:|---:|---:|',
    `| client CPU per \`data\` frame (~1 KB) | µs | ${fmt(row.ours, 'µs')} | ${fmt(row.legacy, 'µs')} | ${fmtRatio(row.ratio)} |`,
  );
}
if (templateRows.length > 0) {
  out.push(
    '',
    `A template app (clients/template.mjs, ${P.templateRounds} round(s), medians; ratios are medians of per-round ratios): evaluations against the same handlers called as plain functions in the server's realm (no sandbox, no JSON crossing); the mutation is examples/chat-app's \`post\` (APPSYNC_JS, PutItem on the embedded dynalite, a subscription resolver's filter) with ${(P.templateSockets * P.templatePer).toLocaleString('en-US')} subscribers on ${P.templateSockets} sockets, ${P.templateMutations} mutations one after another, against the bundled chat schema's NONE \`createMessage\` (no template) on as many subscribers.`,
    '',
    '| measurement | unit | template app | baseline | template / baseline |',
    '|---|---|---:|---:|---:|',
  );
  // An evaluation in its sandbox costs a thousand plain calls: such ratios read better as 1/N.
  const small = (r) => (r < 0.01 ? `${r.toPrecision(2)}× (1/${Math.round(1 / r).toLocaleString('en-US')})` : fmtRatio(r));
  for (const row of templateRows) out.push(`| ${row.metric} | ${row.unit} | ${fmt(row.value, row.unit)} | ${fmt(row.baseline, row.unit)} | ${small(row.ratio)} |`);
}
out.push('', `Took ${((performance.now() - t0) / 1000).toFixed(0)} s.`);
console.log(out.join('\n'));
