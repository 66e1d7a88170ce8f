// The installed package from CommonJS: require() of an ES module (Node 20.19+, 22.12+).
const assert = require('node:assert/strict');
const { AppSyncApiKeyAuthentication, AppSyncWebsocketsTransport, isTransportError } = require('appsync-websockets');
const { startLocalAppSync } = require('appsync-websockets/testing');

(async () => {
  const server = await startLocalAppSync({ auth: { apiKeys: ['da2-fixture'] } });
  const transport = new AppSyncWebsocketsTransport({ url: server.url, auth: new AppSyncApiKeyAuthentication({ apiKey: 'da2-fixture' }) });
  try {
    await transport.connect();
    const subscription = transport.subscribe('subscription { onCreateMessage { id text } }');
    const first = subscription.next();
    await server.realtime.waitFor(() => server.realtime.subscriptions.length === 1);
    server.realtime.publish('onCreateMessage', { id: '1', text: 'from require' });
    assert.equal((await first).value.data.onCreateMessage.text, 'from require');
    await subscription.return();
    assert.equal(isTransportError(new Error('x')), false);
  } finally {
    await transport.close();
    await server.close();
  }
  console.log('cjs: ok');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
