/**
 * The browser build's SHA-256 (WebCrypto, which Node has too) against node:crypto, and the SigV4
 * signer with it against the signer with `@aws-crypto/sha256-js` (what Node uses).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ChecksumConstructor } from '@smithy/types';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { test } from 'node:test';
import { WebCryptoSha256 } from '../../src/platform/webcrypto-sha256.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

test('WebCryptoSha256 hashes strings, typed arrays and ArrayBuffers in chunks, as node:crypto does', async () => {
  const text = 'héllo, AppSync ✓';
  const bytes = new TextEncoder().encode('more bytes');
  const hash = new WebCryptoSha256();
  hash.update(text);
  hash.update(bytes);
  hash.update(bytes.buffer.slice(0) as ArrayBuffer);
  hash.update(new DataView(bytes.buffer, 2, 3));
  const expected = createHash('sha256').update(text).update(bytes).update(bytes).update(bytes.subarray(2, 5)).digest('hex');
  assert.equal(hex(await hash.digest()), expected);
  assert.equal(hex(await new WebCryptoSha256().digest()), createHash('sha256').digest('hex'), 'empty input');
  hash.reset();
  hash.update('abc');
  assert.equal(hex(await hash.digest()), createHash('sha256').update('abc').digest('hex'), 'after reset');
});

test('WebCryptoSha256 with a secret is HMAC-SHA-256; the caller may reuse its buffers before digest', async () => {
  const key = new Uint8Array([1, 2, 3, 4]);
  const data = new TextEncoder().encode('payload');
  const hmac = new WebCryptoSha256(key);
  hmac.update(data);
  key.fill(0);
  data.fill(0);
  assert.equal(hex(await hmac.digest()), createHmac('sha256', Buffer.from([1, 2, 3, 4])).update('payload').digest('hex'));
  const fromString = new WebCryptoSha256('AWS4secret');
  fromString.update('20260101');
  assert.equal(hex(await fromString.digest()), createHmac('sha256', 'AWS4secret').update('20260101').digest('hex'));
});

test('the SigV4 signer signs identically with WebCryptoSha256 and @aws-crypto/sha256-js', async () => {
  const sign = async (sha256: ChecksumConstructor) =>
    new SignatureV4({
      service: 'appsync',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token' },
      sha256,
      applyChecksum: false,
    }).sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: 'example.appsync-api.eu-west-1.amazonaws.com',
        path: '/graphql',
        query: {},
        headers: { host: 'example.appsync-api.eu-west-1.amazonaws.com', 'content-type': 'application/json; charset=UTF-8' },
        body: '{"query":"subscription { onCreateMessage { id } }","variables":{"text":"é"}}',
      },
      { signingDate: new Date('2026-01-02T03:04:05Z') },
    );
  const [web, js] = await Promise.all([sign(WebCryptoSha256), sign(Sha256)]);
  assert.equal(web.headers.authorization, js.headers.authorization);
  assert.match(String(web.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260102\/eu-west-1\/appsync\/aws4_request, SignedHeaders=[a-z;-]+, Signature=[0-9a-f]{64}$/);
});
