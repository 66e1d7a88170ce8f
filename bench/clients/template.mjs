/**
 * The template section of `npm run bench`, one round in one process:
 * - resolver evaluations per second (bench/lib/resolvers-template.yaml: a UNIT resolver, 2
 *   evaluations per call, and a PIPELINE of two functions, 6 per call), each in its node:vm
 *   sandbox, against the baseline of the same handlers called as plain functions in this realm;
 * - a DynamoDB-backed mutation over HTTP with its subscription fan-out (examples/chat-app:
 *   PutItem on the embedded dynalite, a subscription resolver with a filter): the time from just
 *   before the POST to the moment every subscriber has the `data` frame, against the baseline of
 *   the bundled chat schema's NONE mutation (no template) on the same sockets and subscriptions.
 * Args: sockets, subscriptions per socket, mutations, evaluation milliseconds, and `first`: which
 * server runs first (`baseline` or `template`; rounds alternate it, the first one pays the warm-up).
 */
import { Fanout } from '../../dist/test/fanout-driver.js';
import { startTemplateApp } from '../../dist/src/testing/template/app.js';
import { CHAT_SCHEMA, startLocalAppSync } from '../../dist/src/testing/index.js';

const [sockets, per, mutations, evalMs] = process.argv.slice(2, 6).map(Number);
const first = process.argv[6] === 'template' ? 'template' : 'baseline';
const here = (path) => new URL(path, import.meta.url).pathname;
const info = { fieldName: 'unit', parentType: { name: 'Query' }, fieldNodes: [], fragments: {}, variableValues: {} };

/** Calls per second of `call` over about `ms` milliseconds (after a short warm-up). */
async function rate(call, ms) {
  for (let i = 0; i < 200; i++) await call(i);
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 50; i++) await call(calls++);
  }
  return calls / ((performance.now() - start) / 1000);
}

async function evaluations() {
  const app = await startTemplateApp(here('../lib/resolvers-template.yaml'), { log: () => {} });
  const unit = app.fieldResolvers.get('Query.unit');
  const pipe = app.fieldResolvers.get('Query.pipe');
  const call = (resolver, fieldName) => (n) => resolver({ source: null, args: { n }, info: { ...info, fieldName }, headers: {}, authMode: 'API_KEY' });
  // The same handlers as plain functions, with the context built the same way (no sandbox, no JSON crossing).
  const plain = {
    request: (ctx) => ({ payload: { id: `item-${ctx.args.n}`, n: (ctx.prev.result?.n ?? ctx.args.n) + 1 } }),
    response: (ctx) => ctx.result,
  };
  const direct = (steps) => async (n) => {
    let prev = null;
    for (let s = 0; s < steps; s++) {
      const ctx = { args: { n }, arguments: { n }, stash: {}, prev: { result: prev }, result: null };
      ctx.result = plain.request(ctx).payload;
      prev = plain.response(ctx);
    }
    return prev;
  };
  const result = {
    unit: (await rate(call(unit, 'unit'), evalMs)) * 2,
    unitBaseline: (await rate(direct(1), evalMs)) * 2,
    pipeline: (await rate(call(pipe, 'pipe'), evalMs)) * 6,
    pipelineBaseline: (await rate(direct(3), evalMs)) * 6,
  };
  await app.close();
  return result;
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function mutationFanout(kind) {
  const apiKey = 'da2-bench';
  const server =
    kind === 'template'
      ? await startLocalAppSync({ template: here('../../examples/chat-app/template.yaml'), auth: { apiKeys: [apiKey] } })
      : await startLocalAppSync({ schema: CHAT_SCHEMA, auth: { apiKeys: [apiKey] } });
  const query = kind === 'template' ? 'subscription { onPost(room: "bench") { id room text } }' : 'subscription { onCreateMessage(room: "bench") { id room text } }';
  // Subscribers get what the mutation selects (AppSync's rule), and the template's filter reads room and priority.
  const mutation = kind === 'template' ? 'mutation ($t: String!) { post(room: "bench", text: $t) { id room text priority } }' : 'mutation ($t: String!) { createMessage(room: "bench", text: $t) { id room text } }';
  const fanout = await Fanout.open({ realtimeUrl: server.realtimeUrl, host: server.host, apiKey, handshake: 'subprotocol', connections: sockets, subscriptionsPerConnection: per, query }, 120_000);
  const subscribers = sockets * per;
  const latencies = [];
  for (let e = 0; e < mutations; e++) {
    const sent = performance.now();
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query: mutation, variables: { t: `m${e}` } }) });
    const body = await response.json();
    const id = (body.data?.post ?? body.data?.createMessage)?.id;
    if (id === undefined) throw new Error(`${kind} mutation failed: ${JSON.stringify(body)}`);
    await fanout.whenReceived(subscribers * (e + 1), 60_000);
    latencies.push(Math.max(...(fanout.arrivals.get(id) ?? [Number.NaN])) - sent);
  }
  fanout.close();
  await server.close();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

try {
  const evals = await evaluations();
  const measured = {};
  for (const kind of first === 'template' ? ['template', 'baseline'] : ['baseline', 'template']) measured[kind] = await mutationFanout(kind);
  const { baseline, template } = measured;
  process.send({ type: 'result', ...evals, baselineP50: baseline.p50, baselineP99: baseline.p99, templateP50: template.p50, templateP99: template.p99 }, () => process.exit(0));
} catch (error) {
  process.send({ type: 'error', message: error instanceof Error ? error.stack : String(error) }, () => process.exit(1));
}
