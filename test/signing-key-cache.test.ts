/**
 * The signing-key cache the IAM signer keeps (aws4fetch derives a key per secret, day, region and
 * service with four async HMACs unless it is given one): bounded, oldest out first, and a key
 * set again counts as new.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SigningKeyCache } from '../src/auth/signing-key-cache.js';

test('the cache keeps the 8 most recently set keys and drops the oldest first', () => {
  const cache = new SigningKeyCache<number>();
  for (let i = 0; i < 20; i++) cache.set(`k${i}`, i);
  assert.deepEqual([...cache.keys()], ['k12', 'k13', 'k14', 'k15', 'k16', 'k17', 'k18', 'k19']);
  assert.equal(cache.get('k19'), 19);
  assert.equal(cache.get('k11'), undefined);
});

test('setting a kept key again moves it to the newest place, so it outlives older ones', () => {
  const cache = new SigningKeyCache<number>();
  for (let i = 0; i < 8; i++) cache.set(`k${i}`, i);
  cache.set('k0', 100);
  cache.set('k8', 8);
  assert.equal(cache.get('k0'), 100, 'k0 was refreshed, so k1 went instead');
  assert.equal(cache.has('k1'), false);
  assert.equal(cache.size, 8);
});

test('credentials whose secret and region join alike never share a cached key: a region with a comma is refused', async () => {
  const { Sha256 } = await import('@aws-crypto/sha256-js');
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const { signAppSyncRequest } = await import('../src/auth/iam.js');
  const base = { host: 'api.example.com', path: '/graphql', body: '{}', date: new Date('2026-12-02T01:23:45Z'), headers: {} };
  // aws4fetch keys its cache by [secret, day, region, service].join(): these two give the same key.
  const first = { ...base, credentials: { accessKeyId: 'AKIDFIRST', secretAccessKey: 'k' }, region: 'r,20261202,r' };
  const second = { ...base, credentials: { accessKeyId: 'AKIDSECOND', secretAccessKey: 'k,20261202,r' }, region: 'r' };
  await assert.rejects(signAppSyncRequest(first), {
    name: 'TransportConfigurationError',
    message: 'Expected the region to sign for to be a non-empty string without commas, but got "r,20261202,r".',
  });
  const ours = await signAppSyncRequest(second);
  const sdk = await new SignatureV4({ service: 'appsync', region: 'r', credentials: second.credentials, sha256: Sha256, applyChecksum: false }).sign(
    { method: 'POST', protocol: 'https:', hostname: 'api.example.com', path: '/graphql', query: {}, headers: { host: 'api.example.com' }, body: '{}' },
    { signingDate: base.date, signableHeaders: new Set(['host']) },
  );
  assert.equal(ours.authorization, sdk.headers.authorization, 'signed with its own key, as the SDK signs it');
});
