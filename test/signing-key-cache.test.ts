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
