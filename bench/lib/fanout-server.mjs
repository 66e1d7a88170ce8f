/**
 * A server for the fan-out section, in its own process so that its memory is its own: the local
 * AppSync (`ours`, ../dist/src/testing) or the Amplify AppSync simulator (`simulator`, started
 * as interop/ starts it), both with interop's chat schema and API key. Answers over IPC:
 * `ready` with its URLs, `{ type: 'rss' }` with its resident memory after a GC, `stop`.
 */
const kind = process.argv[2];

async function startServer() {
  // The chat module alone: importing the simulator would load it into our server's process too.
  const { API_KEY, SCHEMA } = await import('../../interop/chat.mjs');
  if (kind === 'simulator') {
    const { startSimulator } = await import('../../interop/simulator.mjs');
    const simulator = await startSimulator();
    return { apiKey: API_KEY, url: simulator.url, realtimeUrl: simulator.realtimeUrl, host: simulator.host, handshake: 'query', stop: () => simulator.stop() };
  }
  const { startLocalAppSync } = await import(new URL('../../dist/src/testing/index.js', import.meta.url).href);
  const server = await startLocalAppSync({ schema: SCHEMA, auth: { apiKeys: [API_KEY] } });
  return { apiKey: API_KEY, url: server.url, realtimeUrl: server.realtimeUrl, host: server.host, handshake: 'subprotocol', stop: () => server.close() };
}

try {
  const server = await startServer();
  const { stop, ...urls } = server;
  process.send({ type: 'ready', ...urls });
  process.on('message', async (message) => {
    if (message.type === 'rss') {
      for (let i = 0; i < 2; i++) globalThis.gc();
      process.send({ type: 'rss', rss: process.memoryUsage().rss, heap: process.memoryUsage().heapUsed });
    } else if (message.type === 'stop') {
      await stop();
      process.exit(0);
    }
  });
} catch (error) {
  process.send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
