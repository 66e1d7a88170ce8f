/**
 * IAM auth under attack (review of the aws4fetch signer): credentials that misbehave, secrets
 * that must stay out of every message, the lazy signer chunk, and the local server's verifier.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import {
  AppSyncApiKeyAuthentication,
  AppSyncHttpTransport,
  AppSyncIAMAuthentication,
  TransportConnectionFailed,
  type AppSyncAuthentication,
} from '../src/index.js';

const AKID = 'AKIDREVIEW0000000001';
const SECRET = 'review-SECRET-access-key/with+chars';
const TOKEN = 'review-TOKEN-SECRET+with/slash==';

/** Every string an error shows: its message, its causes' messages, and inspect() of it. */
function shown(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 5 })];
  for (let e = error; e instanceof Error; e = e.cause) parts.push(e.message, String(e));
  return parts.join('\n');
}

function assertNoSecret(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) {
    // Parts of it too: a message may show a value cut at a line break.
    for (const part of secret.split(/[\r\n]+/)) if (part.length >= 8) assert.ok(!text.includes(part), `a secret (${part.slice(0, 4)}…) is shown: ${text.slice(0, 400)}`);
  }
  assert.ok(!/Signature=[0-9a-f]{64}/.test(text), `a signature is shown: ${text.slice(0, 400)}`);
}

// fetch refuses a header value with a line break inside with a TypeError that quotes the value;
// the transport put that message into its own. Nothing listens on port 9 (discard).
const UNSENDABLE: Array<[string, AppSyncAuthentication, string[]]> = [
  ['a session token with a line break inside', new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 'TOKEN-SECRET-LINE1\nTOKEN-SECRET-LINE2' } }), ['TOKEN-SECRET-LINE1\nTOKEN-SECRET-LINE2', SECRET]],
  ['an access key id with a CR inside (the signature is quoted)', new AppSyncIAMAuthentication({ region: 'us-east-1', credentials: { accessKeyId: `AKID\r${AKID}`, secretAccessKey: SECRET } }), [SECRET]],
  ['an API key with a line break inside and at the end', new AppSyncApiKeyAuthentication({ apiKey: 'da2-APIKEY-SECRET\nrest\n' }), ['da2-APIKEY-SECRET\nrest']],
];
for (const [name, auth, secrets] of UNSENDABLE) {
  test(`HTTP: credentials fetch cannot send (${name}) fail with no secret in the error`, async () => {
    const http = new AppSyncHttpTransport({ url: 'http://127.0.0.1:9/graphql', auth });
    const error = await http.execute('query { a }').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TransportConnectionFailed, String(error));
    assertNoSecret(shown(error), secrets);
  });
}
