/**
 * IAM signatures per second, in one process, alternating: our
 * `AppSyncIAMAuthentication.getHeaders` (static credentials, explicit region: the signature of a
 * `start`) against a bare `aws4fetch` `AwsV4Signer.sign()` of the same request (the signer the
 * library adapts, over WebCrypto: the adapter's cost), and against the AWS SDK's
 * `@smithy/signature-v4` `sign()`, which the library used before: one signer built up front (the
 * SDK's best case), a signer per call (what a stateless helper pays), and Node's native hash
 * (node:crypto) instead of the pure-JS `@aws-crypto/sha256-js` (what the SDK does on Node).
 */
import { createHash, createHmac } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
// The library's own copy (the root's node_modules), so the comparison is with what it runs.
import { AwsV4Signer } from 'aws4fetch';
import { libraryUrl } from '../lib/clients.mjs';
import { QUERY } from '../lib/payload.mjs';

const { AppSyncIAMAuthentication } = await import(libraryUrl());
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const host = 'example1234567890000000000.appsync-api.us-east-1.amazonaws.com';
const body = JSON.stringify({ query: QUERY });
const headers = {
  accept: 'application/json, text/javascript',
  'content-encoding': 'amz-1.0',
  'content-type': 'application/json; charset=UTF-8',
  host,
};
const auth = new AppSyncIAMAuthentication({ credentials, region: 'us-east-1' });
const signerOptions = { service: 'appsync', region: 'us-east-1', credentials, sha256: Sha256, applyChecksum: false };
const shared = new SignatureV4(signerOptions);
const request = () => ({ method: 'POST', protocol: 'https:', hostname: host, path: '/graphql', query: {}, headers: { ...headers }, body });

/** The hash interface SignatureV4 takes (`new (secret?) → update() / digest()`), on node:crypto. */
class NodeSha256 {
  #secret;
  #hash;
  constructor(secret) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
    this.reset();
  }
  update(data) {
    this.#hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.#hash.digest());
  }
  reset() {
    this.#hash = this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
}
const bytes = (data) =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength);
const nativeSigner = new SignatureV4({ ...signerOptions, sha256: NodeSha256 });

const keys = new Map();
const subjects = {
  ours: () => auth.getHeaders({ host, path: '/graphql', body, scheme: 'https' }),
  // Its best case: a signing-key cache kept across signers, as the library keeps one.
  aws4fetch: () =>
    new AwsV4Signer({ method: 'POST', url: `https://${host}/graphql`, headers: { ...headers }, body, ...credentials, service: 'appsync', region: 'us-east-1', allHeaders: true, cache: keys }).sign(),
  smithy: () => shared.sign(request(), { signingDate: new Date() }),
  'smithy-new-signer': () => new SignatureV4(signerOptions).sign(request(), { signingDate: new Date() }),
  'smithy-node-crypto': () => nativeSigner.sign(request(), { signingDate: new Date() }),
};

async function rate(fn, ms) {
  let n = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  return (n * 1000) / ms;
}

const rounds = Number(process.argv[2] ?? 5);
const ms = Number(process.argv[3] ?? 300);
for (const fn of Object.values(subjects)) await rate(fn, 100); // warm-up
const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(subjects)) results[name].push(await rate(fn, ms));
}
process.send({ type: 'result', results }, () => process.exit(0));
