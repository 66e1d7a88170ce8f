/**
 * Server side of AWS_IAM auth for a local AppSync: checks an IAM auth object (docs/PROTOCOL.md
 * §3.2, §3.3) for real, by recomputing its SigV4 signature with the signer the client uses (`signAppSyncRequest`, aws4fetch; test/sigv4-reference.test.ts holds it to the AWS SDK's signer byte for byte).
 * No I/O: the caller looks credentials up and decides what to send back. Reasons are worded like
 * AWS's own and never contain a secret key, a session token or a signature.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { signAppSyncRequest } from '../auth/iam.js';
import { regionFromHost } from '../protocol/url.js';

/** What the server knows about one access key id. */
export interface SigV4VerifierCredentials {
  secretAccessKey: string;
  /** When set, requests must carry exactly this `X-Amz-Security-Token` (temporary credentials). */
  sessionToken?: string;
}

export interface VerifyAppSyncSignatureOptions {
  /** The auth object received (handshake header, `start` authorization…). Key casing is ignored. */
  headers: Readonly<Record<string, unknown>>;
  /** The path the client had to sign: `/graphql/connect`, `/graphql`, `/event`. */
  path: string;
  /** The exact body the client had to sign: `{}` for a connect, `payload.data` for a start. */
  body: string;
  /** Looks up the secret of an access key id; `undefined` for an unknown key. */
  credentials: (accessKeyId: string) => SigV4VerifierCredentials | undefined;
  /** The server's clock. @default `new Date()` */
  now?: Date;
  /** How far `x-amz-date` may be from `now`, either way, in milliseconds. @default 300000 (5 minutes, as AWS) */
  maxSkewMs?: number;
  /**
   * The region the credential scope must name.
   * @default the region in the `host` header for `*.appsync-api.<region>.amazonaws.com` hosts; any region otherwise
   */
  region?: string;
}

export type VerifyAppSyncSignatureResult =
  | { ok: true; accessKeyId: string; region: string }
  | { ok: false; reason: string };

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const AUTH_HEADER = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** Headers the signer derives itself rather than reading from the request. */
const GENERATED = new Set(['host', 'x-amz-date', 'x-amz-security-token']);

/** Verifies an AppSync IAM auth object by recomputing its SigV4 signature (service `appsync`). */
export async function verifyAppSyncSignature(options: VerifyAppSyncSignatureOptions): Promise<VerifyAppSyncSignatureResult> {
  const fail = (reason: string): VerifyAppSyncSignatureResult => ({ ok: false, reason });

  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(options.headers)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string') return fail(`Header '${lower}' must be a string, but got ${value === null ? 'null' : typeof value}.`);
    if (headers.has(lower) && headers.get(lower) !== value) return fail(`Header '${lower}' appears twice with different values.`);
    headers.set(lower, value);
  }

  const authorization = headers.get('authorization');
  if (authorization === undefined) return fail('Missing Authentication Token');
  const parsed = AUTH_HEADER.exec(authorization.trim());
  if (parsed === null) {
    return fail(
      "Authorization header must look like 'AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/<service>/aws4_request, SignedHeaders=<a;b;…>, Signature=<64 hex digits>'.",
    );
  }
  const [, credential = '', signedHeaderList = '', signature = ''] = parsed;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || scope.some((part) => part === '')) {
    return fail(`Credential should have the form '<key id>/<date>/<region>/<service>/aws4_request', not '${scope.slice(1).join('/')}'.`);
  }
  const [accessKeyId = '', scopeDate = '', scopeRegion = '', scopeService = ''] = scope;

  const signedHeaders = signedHeaderList.split(';');
  const sorted = [...signedHeaders].sort();
  if (signedHeaders.some((name, i) => name === '' || name !== name.toLowerCase() || name !== sorted[i] || sorted[i - 1] === name)) {
    return fail(`SignedHeaders must be lower-case header names, sorted and unique, separated by ';', not '${signedHeaderList}'.`);
  }
  if (!signedHeaders.includes('host')) return fail("'Host' must be a signed header.");
  if (!signedHeaders.includes('x-amz-date')) return fail("'X-Amz-Date' must be a signed header.");
  for (const name of signedHeaders) {
    if (!headers.has(name)) return fail(`SignedHeaders lists '${name}', but the request has no such header.`);
  }

  const amzDate = headers.get('x-amz-date') ?? '';
  const dateParts = AMZ_DATE.exec(amzDate);
  if (dateParts === null) return fail(`X-Amz-Date must have the form YYYYMMDDTHHMMSSZ, not '${amzDate.slice(0, 40)}'.`);
  const [, y, mo, d, h, mi, s] = dateParts.map(Number) as [number, number, number, number, number, number, number];
  const signedAt = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (Number.isNaN(signedAt.getTime()) || signedAt.getUTCDate() !== d) return fail(`X-Amz-Date '${amzDate}' is not a valid date.`);
  if (scopeDate !== amzDate.slice(0, 8)) {
    return fail(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }

  const now = options.now ?? new Date();
  const maxSkewMs = options.maxSkewMs ?? 300_000;
  const skewMinutes = `${Math.round(maxSkewMs / 60_000)} min.`;
  if (signedAt.getTime() < now.getTime() - maxSkewMs) {
    return fail(`Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now.getTime() - maxSkewMs))} (${formatAmzDate(now)} - ${skewMinutes})`);
  }
  if (signedAt.getTime() > now.getTime() + maxSkewMs) {
    return fail(`Signature not yet current: ${amzDate} is still later than ${formatAmzDate(new Date(now.getTime() + maxSkewMs))} (${formatAmzDate(now)} + ${skewMinutes})`);
  }

  if (scopeService !== 'appsync') return fail(`Credential should be scoped to correct service: 'appsync', not '${scopeService}'.`);
  const host = headers.get('host') ?? '';
  const expectedRegion = options.region ?? regionFromHost(host);
  if (expectedRegion !== undefined && scopeRegion !== expectedRegion) {
    return fail(`Credential should be scoped to a valid region, not '${scopeRegion}'; this API is in '${expectedRegion}'.`);
  }

  const known = options.credentials(accessKeyId);
  if (known === undefined) return fail(INVALID_TOKEN);
  const sentToken = headers.get('x-amz-security-token');
  if (known.sessionToken !== undefined && known.sessionToken !== '') {
    if (sentToken === undefined || !equalSecrets(sentToken, known.sessionToken)) return fail(INVALID_TOKEN);
  } else if (sentToken !== undefined) {
    return fail(INVALID_TOKEN);
  }

  // A signed body hash stands in for the body in the signer, so check it against the real body.
  const contentSha = headers.get('x-amz-content-sha256');
  if (signedHeaders.includes('x-amz-content-sha256') && contentSha !== createHash('sha256').update(options.body, 'utf8').digest('hex')) {
    return fail('The provided x-amz-content-sha256 header does not match what was computed.');
  }

  const toSign: Record<string, string> = {};
  for (const name of signedHeaders) {
    if (!GENERATED.has(name)) toSign[name] = headers.get(name) ?? '';
  }
  const signTokenToo = signedHeaders.includes('x-amz-security-token') && sentToken !== undefined;
  let recomputed: Record<string, string>;
  try {
    recomputed = await signAppSyncRequest({
      credentials: signTokenToo
        ? { accessKeyId, secretAccessKey: known.secretAccessKey, sessionToken: sentToken }
        : { accessKeyId, secretAccessKey: known.secretAccessKey },
      region: scopeRegion,
      host,
      path: options.path,
      body: options.body,
      headers: toSign,
      date: signedAt,
    });
  } catch (error) {
    return fail(`The signature could not be recomputed: ${error instanceof Error ? error.name : typeof error}.`);
  }
  const expected = AUTH_HEADER.exec(recomputed.authorization ?? '');
  // Different SignedHeaders means the signer would not sign what the client signed: a mismatch too.
  if (expected === null || expected[2] !== signedHeaderList || !equalSecrets(expected[3] ?? '', signature)) {
    return fail(SIGNATURE_MISMATCH);
  }
  return { ok: true, accessKeyId, region: scopeRegion };
}

/** Constant-time comparison of two strings; only their lengths can leak. */
function equalSecrets(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
