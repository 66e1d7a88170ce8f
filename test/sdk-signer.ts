/**
 * The signer IAM used before issue #15 (the AWS SDK's `@smithy/signature-v4`, every given header
 * signable), kept as the reference that aws4fetch's adapter must match byte for byte.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { APPSYNC_IAM_SIGNED_HEADERS, type SignAppSyncRequestInput } from '../src/auth/iam.js';

export async function sdkSign(input: SignAppSyncRequestInput): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? APPSYNC_IAM_SIGNED_HEADERS)) headers[name.toLowerCase()] = value;
  headers.host = input.host;
  const signer = new SignatureV4({ service: 'appsync', region: input.region, credentials: input.credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'https:', hostname: input.host.replace(/:\d+$/, ''), path: input.path, query: {}, headers, body: input.body },
    { signingDate: input.date, signableHeaders: new Set(Object.keys(headers)) },
  );
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (typeof value === 'string') result[name.toLowerCase()] = value;
  return result;
}
