import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { AppSyncIAMAuthentication, APPSYNC_IAM_SIGNED_HEADERS, signAppSyncRequest } from '../src/auth/iam.js';
import { TransportAuthError } from '../src/errors.js';
import { AWS_PACKAGE_COUNTER } from './helpers.js';

interface Vector {
  name: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  service: string;
  method: string;
  scheme?: string;
  host: string;
  path: string;
  body: string;
  headersToSign: Record<string, string>;
  signingDate: string;
  expected: { 'x-amz-date': string; 'x-amz-security-token'?: string; authorization: string };
}

// Compiled to <outDir>/test/, two levels under the repository root.
const vectorsDir = new URL('../../test/vectors/', import.meta.url);
function readVectors(file: string): Vector[] {
  return (JSON.parse(readFileSync(new URL(file, vectorsDir), 'utf8')) as { vectors: Vector[] }).vectors;
}
const vectors = [...readVectors('appsync-sigv4.json'), ...readVectors('appsync-sigv4-extra.json')];

const AKID = 'AKIDEXAMPLE0123456789';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'FwoGZXIvYXdzEXAMPLETOKEN+with/slash=and+plus==';
const API_HOST = 'abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-3.amazonaws.com';
const CUSTOM_HOST = 'api.example.com';
const CONNECT = { path: '/graphql/connect', body: '{}' };
const fixedClock = () => new Date('2026-11-25T19:13:46Z');

function isAppSyncTrio(headers: Record<string, string>): boolean {
  return JSON.stringify(Object.entries(headers).sort()) === JSON.stringify(Object.entries(APPSYNC_IAM_SIGNED_HEADERS).sort());
}

function scopeOf(authorization: string | undefined): string[] {
  const match = /Credential=([^,]+),/.exec(authorization ?? '');
  assert.ok(match?.[1], `no Credential in ${authorization}`);
  return match[1].split('/');
}

function signatureOf(authorization: string | undefined): string {
  const match = /Signature=([0-9a-f]{64})$/.exec(authorization ?? '');
  assert.ok(match?.[1], `no Signature in ${authorization}`);
  return match[1];
}

/** Runs `fn` with the given env vars set (undefined: unset), restoring every one afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(vars).map((k) => [k, process.env[k]] as const));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * An environment where the AWS SDK finds no credentials, no region and never touches the
 * network: config files that do not exist, IMDS disabled, every other source unset.
 */
function isolatedAwsEnv(dir: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AWS_CONFIG_FILE: join(dir, 'no-such-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-such-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CREDENTIAL_EXPIRATION: undefined,
    AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
    AWS_ROLE_ARN: undefined,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: undefined,
    ...extra,
  };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'appsync-iam-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function assertNoSecret(text: string, what: string, extraSecrets: string[] = []): void {
  for (const secret of [SECRET, TOKEN, ...extraSecrets]) {
    assert.ok(!text.includes(secret), `${what} leaks a secret: ${text}`);
  }
}

async function authErrorOf(promise: Promise<unknown>): Promise<TransportAuthError> {
  const error = await promise.then(
    () => assert.fail('expected a TransportAuthError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TransportAuthError, `expected a TransportAuthError, got ${inspect(error)}`);
  assert.equal(error.name, 'TransportAuthError');
  assert.equal(error.code, 'AUTH_ERROR');
  return error;
}

// ---------------------------------------------------------------------------------------------
// Golden vectors (botocore)

for (const vector of vectors) {
  test(`vector ${vector.name}: signAppSyncRequest reproduces botocore`, async () => {
    const signed = await signAppSyncRequest({
      credentials: vector.credentials,
      region: vector.region,
      host: vector.host,
      path: vector.path,
      body: vector.body,
      headers: vector.headersToSign,
      date: new Date(vector.signingDate),
    });
    assert.equal(signed.authorization, vector.expected.authorization);
    assert.equal(signed['x-amz-date'], vector.expected['x-amz-date']);
    assert.equal(signed['x-amz-security-token'], vector.expected['x-amz-security-token']);
    assert.equal(signed.host, vector.host);
    assert.equal(signed['x-amz-content-sha256'], undefined, 'x-amz-content-sha256 must be neither sent nor signed');
  });

  if (isAppSyncTrio(vector.headersToSign)) {
    test(`vector ${vector.name}: getHeaders returns AppSync's auth object`, async () => {
      const auth = new AppSyncIAMAuthentication({
        credentials: vector.credentials,
        region: vector.region,
        clock: () => new Date(vector.signingDate),
      });
      const headers = await auth.getHeaders({
        host: vector.host,
        path: vector.path,
        body: vector.body,
        scheme: vector.scheme === 'http' ? 'http' : 'https',
      });
      const expected: Record<string, string> = {
        accept: 'application/json, text/javascript',
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=UTF-8',
        host: vector.host,
        'x-amz-date': vector.expected['x-amz-date'],
      };
      if (vector.expected['x-amz-security-token'] !== undefined) {
        expected['X-Amz-Security-Token'] = vector.expected['x-amz-security-token'];
      }
      expected.Authorization = vector.expected.authorization;
      assert.deepEqual(headers, expected);
      // Key order as in docs/PROTOCOL.md §3.2, since the object is serialised as is.
      assert.deepEqual(Object.keys(headers), Object.keys(expected));
    });
  }
}

test('the vectors cover connect, start, custom domain, HTTP, Events and a host with a port', () => {
  const names = vectors.map((v) => v.name);
  for (const name of ['connect-with-session-token', 'custom-domain-connect', 'http-mutation', 'events-subscribe', 'local-server-host-with-port']) {
    assert.ok(names.includes(name), `missing vector ${name}`);
  }
});

test('getHeaders takes the region from an AppSync host when no region is given (China partition too)', async () => {
  for (const vector of vectors.filter((v) => v.host.includes('.appsync-api.') && isAppSyncTrio(v.headersToSign))) {
    const auth = new AppSyncIAMAuthentication({ credentials: vector.credentials, clock: () => new Date(vector.signingDate) });
    const headers = await auth.getHeaders({ host: vector.host, path: vector.path, body: vector.body });
    assert.equal(headers.Authorization, vector.expected.authorization, vector.name);
  }
});

test('the host option overrides the request host; a port stays in the signed host', async () => {
  const auth = new AppSyncIAMAuthentication({
    host: '127.0.0.1:1234',
    region: 'us-east-1',
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    clock: fixedClock,
  });
  const headers = await auth.getHeaders({ host: API_HOST, ...CONNECT, scheme: 'http' });
  assert.equal(headers.host, '127.0.0.1:1234');
  assert.deepEqual(scopeOf(headers.Authorization), [AKID, '20261125', 'us-east-1', 'appsync', 'aws4_request']);
});

test('each getHeaders reads the clock again: a later call gets a fresh x-amz-date and signature', async () => {
  let now = new Date('2026-11-25T19:13:46Z');
  const auth = new AppSyncIAMAuthentication({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, clock: () => now });
  const first = await auth.getHeaders({ host: API_HOST, ...CONNECT });
  now = new Date('2026-11-25T20:13:46Z');
  const second = await auth.getHeaders({ host: API_HOST, ...CONNECT });
  assert.equal(first['x-amz-date'], '20261125T191346Z');
  assert.equal(second['x-amz-date'], '20261125T201346Z');
  assert.notEqual(signatureOf(first.Authorization), signatureOf(second.Authorization));
});

test('a clock returning an Invalid Date is a configuration error', async () => {
  const auth = new AppSyncIAMAuthentication({
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    clock: () => new Date(Number.NaN),
  });
  await assert.rejects(auth.getHeaders({ host: API_HOST, ...CONNECT }), {
    name: 'TransportConfigurationError',
    code: 'CONFIGURATION_ERROR',
    message: 'Expected the signing date (option `clock`) to be a valid Date, but got Invalid Date.',
  });
});

// ---------------------------------------------------------------------------------------------
// Region

test('region: from AWS_REGION, then AWS_DEFAULT_REGION, for a custom domain', async (t) => {
  const dir = tempDir(t);
  const credentials = { accessKeyId: AKID, secretAccessKey: SECRET };
  await withEnv(isolatedAwsEnv(dir, { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'sa-east-1' }), async () => {
    const auth = new AppSyncIAMAuthentication({ credentials, clock: fixedClock });
    assert.equal(scopeOf((await auth.getHeaders({ host: CUSTOM_HOST, ...CONNECT })).Authorization)[2], 'ap-south-1');
  });
  await withEnv(isolatedAwsEnv(dir, { AWS_DEFAULT_REGION: 'sa-east-1' }), async () => {
    const auth = new AppSyncIAMAuthentication({ credentials, clock: fixedClock });
    assert.equal(scopeOf((await auth.getHeaders({ host: CUSTOM_HOST, ...CONNECT })).Authorization)[2], 'sa-east-1');
  });
});

test('region: the host wins over AWS_REGION, and the region option wins over both', async (t) => {
  const dir = tempDir(t);
  const credentials = { accessKeyId: AKID, secretAccessKey: SECRET };
  await withEnv(isolatedAwsEnv(dir, { AWS_REGION: 'ap-south-1' }), async () => {
    const fromHost = new AppSyncIAMAuthentication({ credentials, clock: fixedClock });
    assert.equal(scopeOf((await fromHost.getHeaders({ host: API_HOST, ...CONNECT })).Authorization)[2], 'eu-west-3');
    const explicit = new AppSyncIAMAuthentication({ credentials, region: 'us-west-2', clock: fixedClock });
    assert.equal(scopeOf((await explicit.getHeaders({ host: API_HOST, ...CONNECT })).Authorization)[2], 'us-west-2');
  });
});

test('region: from the shared config profile (profile option, then AWS_PROFILE)', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'config');
  writeFileSync(config, '[default]\nregion = eu-north-1\n\n[profile staging]\nregion = ca-central-1\n');
  const credentials = { accessKeyId: AKID, secretAccessKey: SECRET };
  await withEnv(isolatedAwsEnv(dir, { AWS_CONFIG_FILE: config }), async () => {
    const byDefault = new AppSyncIAMAuthentication({ credentials, clock: fixedClock });
    assert.equal(scopeOf((await byDefault.getHeaders({ host: CUSTOM_HOST, ...CONNECT })).Authorization)[2], 'eu-north-1');
    const byOption = new AppSyncIAMAuthentication({ credentials, profile: 'staging', clock: fixedClock });
    assert.equal(scopeOf((await byOption.getHeaders({ host: CUSTOM_HOST, ...CONNECT })).Authorization)[2], 'ca-central-1');
  });
  await withEnv(isolatedAwsEnv(dir, { AWS_CONFIG_FILE: config, AWS_PROFILE: 'staging' }), async () => {
    const byEnv = new AppSyncIAMAuthentication({ credentials, clock: fixedClock });
    assert.equal(scopeOf((await byEnv.getHeaders({ host: CUSTOM_HOST, ...CONNECT })).Authorization)[2], 'ca-central-1');
  });
});

test('region: none anywhere is a TransportAuthError saying what was tried and how to fix it', async (t) => {
  const dir = tempDir(t);
  await withEnv(isolatedAwsEnv(dir), async () => {
    let calls = 0;
    const auth = new AppSyncIAMAuthentication({
      credentials: async () => {
        calls += 1;
        return { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN };
      },
      clock: fixedClock,
    });
    const error = await authErrorOf(auth.getHeaders({ host: CUSTOM_HOST, ...CONNECT }));
    assert.equal(
      error.message,
      'AWS_IAM auth needs the API\'s region to sign, but found none for host "api.example.com". Tried: the host name ' +
        '(only <id>.appsync-api.<region>.amazonaws.com hosts name their region; custom domains and local servers do not), ' +
        'the environment variables AWS_REGION and AWS_DEFAULT_REGION (unset), ' +
        'and the `region` of profile "default" in the shared config files, then EC2 instance metadata (none). ' +
        'Set AWS_REGION or pass `region` to AppSyncIAMAuthentication.',
    );
    assertNoSecret(error.message, 'region error');
    assert.equal(calls, 0, 'credentials are not read when the region is missing');
  });
});

// ---------------------------------------------------------------------------------------------
// Credentials

test('credentials: an async provider is called for every signature, and new credentials are used at once', async () => {
  let calls = 0;
  const auth = new AppSyncIAMAuthentication({
    credentials: async () => {
      calls += 1;
      return calls === 1
        ? { accessKeyId: 'AKIDFIRST', secretAccessKey: SECRET, sessionToken: TOKEN }
        : { accessKeyId: 'AKIDSECOND', secretAccessKey: 'second-secret', sessionToken: 'second-token' };
    },
    clock: fixedClock,
  });
  const first = await auth.getHeaders({ host: API_HOST, ...CONNECT });
  const second = await auth.getHeaders({ host: API_HOST, ...CONNECT });
  assert.equal(calls, 2);
  assert.equal(scopeOf(first.Authorization)[0], 'AKIDFIRST');
  assert.equal(first['X-Amz-Security-Token'], TOKEN);
  assert.equal(scopeOf(second.Authorization)[0], 'AKIDSECOND');
  assert.equal(second['X-Amz-Security-Token'], 'second-token');
});

test('credentials: without a session token there is no X-Amz-Security-Token and it is not signed', async () => {
  const auth = new AppSyncIAMAuthentication({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, clock: fixedClock });
  const headers = await auth.getHeaders({ host: API_HOST, ...CONNECT });
  assert.deepEqual(Object.keys(headers), ['accept', 'content-encoding', 'content-type', 'host', 'x-amz-date', 'Authorization']);
  assert.match(headers.Authorization ?? '', /SignedHeaders=accept;content-encoding;content-type;host;x-amz-date, /);
});

test('credentials: a provider that throws becomes a TransportAuthError with the error as cause', async () => {
  // A user's error may say anything; only its name is quoted, the error itself is kept as cause.
  const failure = new Error(`refresh failed for ${SECRET}`);
  const auth = new AppSyncIAMAuthentication({
    region: 'us-east-1',
    credentials: async () => {
      throw failure;
    },
  });
  const error = await authErrorOf(auth.getHeaders({ host: API_HOST, ...CONNECT }));
  assert.equal(
    error.message,
    'AWS_IAM auth: the credentials provider (option `credentials`) threw Error. Fix the function passed as `credentials`; the original error is in `cause`.',
  );
  assert.equal(error.cause, failure);
  assertNoSecret(error.message, 'provider error (the provider message is never quoted)');
});

test('credentials: missing or wrongly typed fields are named, their values never shown', async () => {
  const cases: Array<[unknown, string]> = [
    [
      { accessKeyId: AKID },
      'AWS_IAM auth expected option `credentials` to give non-empty strings `accessKeyId` and `secretAccessKey` (and optionally `sessionToken`), but `secretAccessKey` is missing.',
    ],
    [
      { accessKeyId: '', secretAccessKey: SECRET, sessionToken: 42 },
      'AWS_IAM auth expected option `credentials` to give non-empty strings `accessKeyId` and `secretAccessKey` (and optionally `sessionToken`), but `accessKeyId` is an empty string and `sessionToken` is of type number.',
    ],
    [null, 'AWS_IAM auth expected option `credentials` to give an object { accessKeyId, secretAccessKey, sessionToken? }, but got null.'],
  ];
  for (const [credentials, message] of cases) {
    const auth = new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: credentials as never });
    const error = await authErrorOf(auth.getHeaders({ host: API_HOST, ...CONNECT }));
    assert.equal(error.message, message);
    assert.equal(error.cause, undefined);
  }
  const fromProvider = new AppSyncIAMAuthentication({
    region: 'us-east-1',
    credentials: async () => ({ secretAccessKey: SECRET, sessionToken: TOKEN }) as never,
  });
  const error = await authErrorOf(fromProvider.getHeaders({ host: API_HOST, ...CONNECT }));
  assert.equal(
    error.message,
    'AWS_IAM auth expected the function passed as `credentials` to give non-empty strings `accessKeyId` and `secretAccessKey` (and optionally `sessionToken`), but `accessKeyId` is missing.',
  );
});

test('credentials: the default chain reads env vars; invalidate() makes it read them again', async (t) => {
  const dir = tempDir(t);
  const env = isolatedAwsEnv(dir, { AWS_ACCESS_KEY_ID: 'AKIDFROMENV', AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN });
  await withEnv(env, async () => {
    const auth = new AppSyncIAMAuthentication({ clock: fixedClock });
    const first = await auth.getHeaders({ host: API_HOST, ...CONNECT });
    assert.equal(scopeOf(first.Authorization)[0], 'AKIDFROMENV');
    assert.equal(first['X-Amz-Security-Token'], TOKEN);

    process.env.AWS_ACCESS_KEY_ID = 'AKIDROTATED';
    // The SDK's chain keeps credentials without an expiry until told otherwise.
    assert.equal(scopeOf((await auth.getHeaders({ host: API_HOST, ...CONNECT })).Authorization)[0], 'AKIDFROMENV');
    auth.invalidate();
    assert.equal(scopeOf((await auth.getHeaders({ host: API_HOST, ...CONNECT })).Authorization)[0], 'AKIDROTATED');
  });
});

test('credentials: a default chain that finds nothing fails fast with a teaching TransportAuthError', { timeout: 20_000 }, async (t) => {
  const dir = tempDir(t);
  await withEnv(isolatedAwsEnv(dir), async () => {
    const auth = new AppSyncIAMAuthentication({ region: 'us-east-1' });
    const error = await authErrorOf(auth.getHeaders({ host: API_HOST, ...CONNECT }));
    assert.match(error.message, /^AWS_IAM auth found no AWS credentials \(AWS SDK: "[^"]+"\)\. The AWS SDK default chain tried, in order: /);
    for (const phrase of [
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      'shared config and credentials files',
      'SSO',
      'web identity',
      'ECS/EKS container endpoint',
      'EC2 instance metadata (skipped when AWS_EC2_METADATA_DISABLED=true)',
      'Fix: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login`',
      'pass `credentials`',
    ]) {
      assert.ok(error.message.includes(phrase), `message lacks "${phrase}": ${error.message}`);
    }
    assert.ok(error.cause instanceof Error && error.cause.name === 'CredentialsProviderError', inspect(error.cause));
  });
});

test('credentials: the default chain honours the profile option', async (t) => {
  const dir = tempDir(t);
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(
    credentialsFile,
    `[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = ${SECRET}\n\n[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ${SECRET}\n`,
  );
  await withEnv(isolatedAwsEnv(dir, { AWS_SHARED_CREDENTIALS_FILE: credentialsFile }), async () => {
    const byProfile = new AppSyncIAMAuthentication({ profile: 'ci', clock: fixedClock });
    assert.equal(scopeOf((await byProfile.getHeaders({ host: API_HOST, ...CONNECT })).Authorization)[0], 'AKIDCI');
    const missing = new AppSyncIAMAuthentication({ profile: 'nope', region: 'us-east-1' });
    const error = await authErrorOf(missing.getHeaders({ host: API_HOST, ...CONNECT }));
    assert.ok(error.message.startsWith('AWS_IAM auth found no AWS credentials for profile "nope"'), error.message);
    assertNoSecret(error.message, 'profile error');
  });
});

// ---------------------------------------------------------------------------------------------
// Secret hygiene and lazy loading

test('toString, JSON.stringify and util.inspect of the auth object show no secret', async () => {
  const auth = new AppSyncIAMAuthentication({
    host: API_HOST,
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN },
    clock: fixedClock,
  });
  const signature = signatureOf((await auth.getHeaders({ host: API_HOST, ...CONNECT })).Authorization);
  for (const [what, text] of [
    ['toString', String(auth)],
    ['JSON.stringify', JSON.stringify({ auth })],
    ['util.inspect', inspect(auth, { depth: 5, showHidden: true })],
    ['util.inspect in an object', inspect({ auth }, { depth: 5 })],
  ] as const) {
    assertNoSecret(text, what, [signature]);
  }
  assert.equal(
    String(auth),
    `AppSyncIAMAuthentication { host: "${API_HOST}", region: (from host, env or profile), credentials: <redacted> }`,
  );
  assert.equal(
    String(new AppSyncIAMAuthentication({ profile: 'ci', region: 'us-east-1' })),
    'AppSyncIAMAuthentication { host: (from url), region: "us-east-1", credentials: default chain, profile: "ci" }',
  );
});

test('loading the IAM module loads neither the signer nor an AWS SDK package; the first signature does', async () => {
  const iamModule = fileURLToPath(new URL('../src/auth/iam.js', import.meta.url));
  const script = `${AWS_PACKAGE_COUNTER}
    const { AppSyncIAMAuthentication } = await import(${JSON.stringify(iamModule)});
    const auth = new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } });
    const before = await awsPackagesLoaded();
    await auth.getHeaders({ host: 'h', path: '/graphql', body: '{}' });
    console.log(JSON.stringify({ before, after: await awsPackagesLoaded() }));
    stopCounting();
  `;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], (error, out) => (error ? reject(error) : resolve(out)));
  });
  const { before, after } = JSON.parse(stdout) as { before: number; after: number };
  assert.equal(before, 0);
  assert.ok(after > 0, 'the control: signing does load the signer');
});
