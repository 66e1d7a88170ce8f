import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppSyncIAMAuthentication, signAppSyncRequest } from '../src/auth/iam.js';
import { verifyAppSyncSignature, type SigV4VerifierCredentials, type VerifyAppSyncSignatureOptions } from '../src/testing/sigv4-verify.js';

const AKID = 'AKIDEXAMPLE0123456789';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const TOKEN = 'FwoGZXIvYXdzEXAMPLETOKEN+with/slash=and+plus==';
const HOST = 'abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-3.amazonaws.com';
const SIGNED_AT = new Date('2026-11-25T19:13:46Z');
const START_BODY = '{"query":"subscription { onMessage { id } }","variables":{}}';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const store = new Map<string, SigV4VerifierCredentials>([
  [AKID, { secretAccessKey: SECRET, sessionToken: TOKEN }],
  ['AKIDLONGTERM', { secretAccessKey: SECRET }],
]);
const lookup = (id: string) => store.get(id);

async function signed(options: { host?: string; path?: string; body?: string; region?: string; accessKeyId?: string; secretAccessKey?: string; sessionToken?: string; at?: Date } = {}) {
  const auth = new AppSyncIAMAuthentication({
    region: options.region ?? 'eu-west-3',
    credentials: {
      accessKeyId: options.accessKeyId ?? AKID,
      secretAccessKey: options.secretAccessKey ?? SECRET,
      ...('sessionToken' in options ? (options.sessionToken === undefined ? {} : { sessionToken: options.sessionToken }) : { sessionToken: TOKEN }),
    },
    clock: () => options.at ?? SIGNED_AT,
  });
  return auth.getHeaders({ host: options.host ?? HOST, path: options.path ?? '/graphql', body: options.body ?? START_BODY });
}

async function verify(headers: Record<string, unknown>, overrides: Partial<VerifyAppSyncSignatureOptions> = {}) {
  return verifyAppSyncSignature({ headers, path: '/graphql', body: START_BODY, credentials: lookup, now: SIGNED_AT, ...overrides });
}

function signatureOf(headers: Record<string, string>): string {
  return /Signature=([0-9a-f]{64})$/.exec(headers.Authorization ?? '')?.[1] ?? assert.fail('no signature');
}

/** Asserts a failure whose reason holds neither the secret, the token nor any signature. */
function assertFails(result: Awaited<ReturnType<typeof verify>>, reason: string | RegExp, signatures: string[] = []): void {
  assert.equal(result.ok, false, 'expected the verification to fail');
  if (result.ok) return;
  if (typeof reason === 'string') assert.equal(result.reason, reason);
  else assert.match(result.reason, reason);
  for (const secret of [SECRET, TOKEN, ...signatures]) assert.ok(!result.reason.includes(secret), `reason leaks a secret: ${result.reason}`);
}

test('a signature from our signer verifies (start, connect, long-term key, any key casing)', async () => {
  assert.deepEqual(await verify(await signed()), { ok: true, accessKeyId: AKID, region: 'eu-west-3' });

  const connect = await signed({ path: '/graphql/connect', body: '{}' });
  assert.deepEqual(await verify(connect, { path: '/graphql/connect', body: '{}' }), { ok: true, accessKeyId: AKID, region: 'eu-west-3' });

  const longTerm = await signed({ accessKeyId: 'AKIDLONGTERM', sessionToken: undefined });
  assert.equal((await verify(longTerm)).ok, true);

  const shouted = Object.fromEntries(Object.entries(await signed()).map(([k, v]) => [k.toUpperCase(), v]));
  assert.equal((await verify(shouted)).ok, true);
});

test('a local server host with a port verifies (any region: the host names none)', async () => {
  const headers = await signed({ host: '127.0.0.1:1234', region: 'us-east-1' });
  assert.equal(headers.host, '127.0.0.1:1234');
  assert.deepEqual(await verify(headers), { ok: true, accessKeyId: AKID, region: 'us-east-1' });
});

test('the botocore vectors verify', async () => {
  const file = new URL('../../test/vectors/appsync-sigv4.json', import.meta.url);
  const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as {
    vectors: Array<{ name: string; credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }; host: string; path: string; body: string; headersToSign: Record<string, string>; signingDate: string; expected: Record<string, string> }>;
  };
  for (const v of vectors) {
    const headers: Record<string, string> = { ...v.headersToSign, host: v.host, ...v.expected };
    const result = await verifyAppSyncSignature({
      headers,
      path: v.path,
      body: v.body,
      credentials: (id) => (id === v.credentials.accessKeyId ? v.credentials : undefined),
      now: new Date(v.signingDate),
    });
    assert.equal(result.ok, true, `${v.name}: ${result.ok ? '' : result.reason}`);
  }
});

test('a tampered body fails', async () => {
  const headers = await signed();
  assertFails(await verify(headers, { body: START_BODY.replace('onMessage', 'onSecret') }), SIGNATURE_MISMATCH, [signatureOf(headers)]);
});

test('a tampered signed header or path fails', async () => {
  const headers = await signed();
  assertFails(await verify({ ...headers, 'content-type': 'text/plain' }), SIGNATURE_MISMATCH, [signatureOf(headers)]);
  assertFails(await verify(headers, { path: '/graphql/connect' }), SIGNATURE_MISMATCH, [signatureOf(headers)]);
});

test('a signature made with the wrong secret fails', async () => {
  const headers = await signed({ secretAccessKey: 'not-the-secret-0123456789' });
  assertFails(await verify(headers), SIGNATURE_MISMATCH, [signatureOf(headers)]);
});

test('an unknown access key id fails', async () => {
  const headers = await signed({ accessKeyId: 'AKIDUNKNOWN' });
  assertFails(await verify(headers), 'The security token included in the request is invalid.');
});

test('a wrong, missing or unexpected session token fails', async () => {
  const wrong = await signed({ sessionToken: 'another-token' });
  assertFails(await verify(wrong), 'The security token included in the request is invalid.', [signatureOf(wrong)]);

  const missing = await signed({ sessionToken: undefined });
  assertFails(await verify(missing), 'The security token included in the request is invalid.', [signatureOf(missing)]);

  const unexpected = await signed({ accessKeyId: 'AKIDLONGTERM', sessionToken: TOKEN });
  assertFails(await verify(unexpected), 'The security token included in the request is invalid.', [signatureOf(unexpected)]);

  // Swapping the token after signing: the header matches the store but not the signature.
  const swapped = await signed({ sessionToken: 'another-token' });
  assertFails(await verify({ ...swapped, 'X-Amz-Security-Token': TOKEN }), SIGNATURE_MISMATCH, [signatureOf(swapped)]);
});

test('a stale or future date beyond the skew fails; within it passes', async () => {
  const stale = await signed({ at: new Date(SIGNED_AT.getTime() - 5 * 60_000 - 1000) });
  assertFails(
    await verify(stale),
    'Signature expired: 20261125T190845Z is now earlier than 20261125T190846Z (20261125T191346Z - 5 min.)',
    [signatureOf(stale)],
  );
  const future = await signed({ at: new Date(SIGNED_AT.getTime() + 5 * 60_000 + 1000) });
  assertFails(
    await verify(future),
    'Signature not yet current: 20261125T191847Z is still later than 20261125T191846Z (20261125T191346Z + 5 min.)',
    [signatureOf(future)],
  );
  const edge = await signed({ at: new Date(SIGNED_AT.getTime() - 5 * 60_000) });
  assert.equal((await verify(edge)).ok, true);
  assertFails(await verify(await signed(), { maxSkewMs: 60_000, now: new Date(SIGNED_AT.getTime() + 61_000) }), /^Signature expired: .* - 1 min\.\)$/);
});

test('a credential scope naming the wrong region fails', async () => {
  // Signed for us-east-1 while the host says eu-west-3.
  const headers = await signed({ region: 'us-east-1' });
  assertFails(await verify(headers), "Credential should be scoped to a valid region, not 'us-east-1'; this API is in 'eu-west-3'.", [signatureOf(headers)]);

  // The scope's region edited after signing, on a host that names no region: the recomputed signature differs.
  const local = await signed({ host: '127.0.0.1:1234', region: 'us-east-1' });
  const edited = { ...local, Authorization: (local.Authorization ?? '').replace('/us-east-1/', '/eu-west-1/') };
  assertFails(await verify(edited), SIGNATURE_MISMATCH, [signatureOf(local)]);
  // And an explicit expected region.
  assertFails(await verify(local, { region: 'eu-west-1' }), "Credential should be scoped to a valid region, not 'us-east-1'; this API is in 'eu-west-1'.");
});

test('malformed auth objects fail with a precise reason', async () => {
  const good = await signed();
  const sig = signatureOf(good);
  const cases: Array<[Record<string, unknown>, string | RegExp]> = [
    [{ ...good, Authorization: undefined }, 'Header \'authorization\' must be a string, but got undefined.'],
    [Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'Authorization')), 'Missing Authentication Token'],
    [{ ...good, Authorization: 'Bearer abc' }, /^Authorization header must look like 'AWS4-HMAC-SHA256 Credential=/],
    [{ ...good, Authorization: (good.Authorization ?? '').replace('/appsync/', '/execute-api/') }, "Credential should be scoped to correct service: 'appsync', not 'execute-api'."],
    [{ ...good, Authorization: (good.Authorization ?? '').replace('/20261125/', '/20261124/') }, /^Date in Credential scope does not match YYYYMMDD/],
    [{ ...good, 'x-amz-date': '2026-11-25T19:13:46Z' }, "X-Amz-Date must have the form YYYYMMDDTHHMMSSZ, not '2026-11-25T19:13:46Z'."],
    [{ ...good, Authorization: (good.Authorization ?? '').replace(';host;', ';') }, "'Host' must be a signed header."],
    [Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'accept')), "SignedHeaders lists 'accept', but the request has no such header."],
    [{ ...good, 'X-AMZ-DATE': '20261125T191347Z' }, "Header 'x-amz-date' appears twice with different values."],
  ];
  for (const [headers, reason] of cases) assertFails(await verify(headers), reason, [sig]);
});

test('other clients\' signatures: a signed x-amz-content-sha256 must match the body; user-agent may be signed', async () => {
  const bodyHash = createHash('sha256').update(START_BODY).digest('hex');
  const lower = await signAppSyncRequest({
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: TOKEN },
    region: 'eu-west-3',
    host: HOST,
    path: '/graphql',
    body: START_BODY,
    headers: { 'content-type': 'application/json', 'user-agent': 'some-client/1.0', 'x-amz-content-sha256': bodyHash },
    date: SIGNED_AT,
  });
  assert.match(lower.authorization ?? '', /SignedHeaders=content-type;host;user-agent;x-amz-content-sha256;x-amz-date;x-amz-security-token, /);
  assert.deepEqual(await verify(lower), { ok: true, accessKeyId: AKID, region: 'eu-west-3' });
  assertFails(await verify(lower, { body: '{}' }), 'The provided x-amz-content-sha256 header does not match what was computed.');
  assertFails(await verify({ ...lower, 'user-agent': 'other/2.0' }), SIGNATURE_MISMATCH);
});
