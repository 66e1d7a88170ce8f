/** IAM end to end: the local AppSync recomputes every SigV4 signature it receives. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AppSyncIAMAuthentication, AppSyncWebsocketsTransport, TransportServerError } from '../src/index.js';
import { AWS_PACKAGE_COUNTER, SUBSCRIPTION, framesOfType, localServer, subscriptionsOnServer, take } from './helpers.js';

const SESSION = { accessKeyId: 'ASIAEXAMPLESESSION01', secretAccessKey: 'session-SECRET-key/with+chars', sessionToken: 'session-TOKEN-SECRET+/=' };
const ROTATED = { accessKeyId: 'ASIAEXAMPLEROTATED02', secretAccessKey: 'rotated-SECRET-key', sessionToken: 'rotated-TOKEN-SECRET' };

test('a subscription signed with a session token is verified by recomputation, end to end', async (t) => {
  const server = await localServer(t, { auth: { iam: { credentials: { [SESSION.accessKeyId]: SESSION } } } });
  const transport = new AppSyncWebsocketsTransport({
    url: server.url,
    auth: new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: SESSION }),
    retry: false,
  });
  t.after(() => transport.close());
  await transport.connect();
  const iterator = transport.subscribe(SUBSCRIPTION, { variableValues: { text: 'ünïcode ✓' } });
  await subscriptionsOnServer(server, 1);
  server.realtime.publish('onCreateMessage', { id: '1', text: 'signed' });
  assert.deepEqual((await take(iterator, 1))[0]?.data, { onCreateMessage: { id: '1', text: 'signed' } });
  const start = framesOfType(server, 'start')[0] as { payload: { extensions: { authorization: Record<string, string> } } };
  const authorization = start.payload.extensions.authorization;
  assert.equal(authorization['X-Amz-Security-Token'], SESSION.sessionToken);
  assert.match(authorization.Authorization ?? '', /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLESESSION01\/\d{8}\/us-east-1\/appsync\/aws4_request, SignedHeaders=accept;content-encoding;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
});

test('a wrong secret is refused by the verifying server with connection_error, no secret in the message', async (t) => {
  const server = await localServer(t, { auth: { iam: { credentials: { [SESSION.accessKeyId]: SESSION } } } });
  const transport = new AppSyncWebsocketsTransport({
    url: server.url,
    auth: new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { ...SESSION, secretAccessKey: 'WRONG-SECRET' } }),
    retry: false,
  });
  t.after(() => transport.close());
  const error = await transport.connect().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TransportServerError);
  assert.equal(error.errors[0]?.errorType, 'UnauthorizedException');
  assert.match(error.message, /The request signature we calculated does not match/);
  assert.ok(!/SECRET/.test(error.message));
});

test('the credentials provider is called per signature: rotated credentials are used on the next connect', async (t) => {
  const server = await localServer(t, {
    auth: { iam: { credentials: { [SESSION.accessKeyId]: SESSION, [ROTATED.accessKeyId]: ROTATED } } },
  });
  let current = SESSION;
  let calls = 0;
  const transport = new AppSyncWebsocketsTransport({
    url: server.url,
    auth: new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: async () => (calls++, current) }),
    retry: false,
  });
  t.after(() => transport.close());
  await transport.connect();
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  assert.equal(calls, 2, 'one for the connect, one for the start');
  await transport.close();
  current = ROTATED;
  await transport.connect();
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
  const starts = framesOfType(server, 'start') as Array<{ payload: { extensions: { authorization: Record<string, string> } } }>;
  assert.match(starts[1]?.payload.extensions.authorization.Authorization ?? '', /Credential=ASIAEXAMPLEROTATED02\//);
});

test('no auth given → IAM from the default chain (env vars), verified by the server', async (t) => {
  const server = await localServer(t, { auth: { iam: { credentials: { [SESSION.accessKeyId]: SESSION } } } });
  const saved = { ...process.env };
  t.after(() => {
    process.env = saved;
  });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: SESSION.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SESSION.secretAccessKey,
    AWS_SESSION_TOKEN: SESSION.sessionToken,
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  const transport = new AppSyncWebsocketsTransport({ url: server.url, retry: false });
  t.after(() => transport.close());
  await transport.connect();
  assert.equal(transport.auth?.mode, 'AWS_IAM');
  transport.subscribe(SUBSCRIPTION);
  await subscriptionsOnServer(server, 1);
});

test('importing the library (API-key path) loads neither the signer nor an AWS SDK package', async () => {
  const index = fileURLToPath(new URL('../src/index.js', import.meta.url));
  const script = `${AWS_PACKAGE_COUNTER}
    const lib = await import(${JSON.stringify(index)});
    new lib.AppSyncWebsocketsTransport({ url: 'https://x.appsync-api.us-east-1.amazonaws.com/graphql', auth: new lib.AppSyncApiKeyAuthentication({ apiKey: 'k' }) });
    const before = await awsPackagesLoaded();
    await new lib.AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } }).getHeaders({ host: 'h', path: '/graphql', body: '{}' });
    console.log(JSON.stringify({ before, after: await awsPackagesLoaded() }));
    stopCounting();
  `;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, out) => (error ? reject(error) : resolve(out)));
  });
  const { before, after } = JSON.parse(stdout) as { before: number; after: number };
  assert.equal(before, 0);
  assert.ok(after > 0, 'the control: signing does load the SDK, so the count can see it');
});
