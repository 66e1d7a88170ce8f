/**
 * The SigV4 signature itself, on `aws4fetch`'s `AwsV4Signer` (WebCrypto, a few KB) instead of
 * the AWS SDK's signer. A lazy chunk: `iam.ts` loads it on the first signature.
 *
 * aws4fetch takes the host and path from a URL and the headers through `Headers`, which
 * normalise some inputs unlike the AWS SDK (`@smithy/signature-v4`), whose canonical request
 * AppSync and botocore share. So each input is given to it in a form both sign alike, and an
 * input that aws4fetch would sign differently is refused, naming the part, rather than signed
 * wrongly: AppSync's own requests (hosts from a URL, `/graphql`, `/event`, ASCII headers) never are.
 */
import { AwsV4Signer } from 'aws4fetch';
import type { TransportAuthError, TransportConfigurationError } from '../errors.js';
import type { SignAppSyncRequestInput } from './iam.js';
import { SIGNING_KEYS } from './signing-key-cache.js';

/**
 * The error classes, passed in by iam.ts: a lazy chunk that imported `errors.js` would split
 * the error classes out of the core's initial load into a chunk of their own.
 */
export interface SignerErrors {
  TransportAuthError: typeof TransportAuthError;
  TransportConfigurationError: typeof TransportConfigurationError;
}

/** A host with the port https drops as its default: under http a URL keeps it, as the SDK signs it. */
const HTTPS_DEFAULT_PORT = /:443$/;
/** Headers the SDK drops from its input before signing (it sets `x-amz-date` itself). */
const GENERATED_HEADERS = new Set(['authorization', 'x-amz-date', 'date']);
const SHA256 = 'x-amz-content-sha256';
/** An HTTP header name (RFC 9110 token), as `Headers` requires. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
/**
 * What `Headers` refuses (NUL, beyond Latin-1) or aws4fetch's `\s+` would collapse although
 * the SDK keeps it (whitespace other than space, tab, CR and LF).
 */
const UNSIGNABLE_VALUE = /[\0\v\f\u00a0\u0100-\uffff]/;

/** The SDK's canonical header value: CR and LF as spaces, runs of spaces and tabs as one, ends trimmed. */
function canonicalValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** See `signAppSyncRequest` in iam.ts, which validates the date first. */
export async function signWithAws4fetch(
  input: SignAppSyncRequestInput & { headers: Readonly<Record<string, string>> },
  datetime: string,
  errors: SignerErrors,
): Promise<Record<string, string>> {
  const { TransportAuthError, TransportConfigurationError } = errors;
  if (globalThis.crypto?.subtle === undefined) {
    // Browsers expose crypto.subtle only in secure contexts: https pages and http://localhost.
    throw new TransportAuthError(
      'AWS_IAM auth signs with WebCrypto (crypto.subtle), which this page does not have: browsers offer it only in secure contexts. Serve the page over https or from localhost.',
    );
  }
  // An empty one: aws4fetch would guess a region from the host, or sign for us-east-1. A comma:
  // the shared key cache's key is [secret, day, region, service].join(), so secret 'k,<day>,r'
  // in region 'r' would get the key of secret 'k' in region 'r,<day>,r'.
  if (typeof input.region !== 'string' || !/^[^,]+$/.test(input.region)) {
    throw new TransportConfigurationError(
      `Expected the region to sign for to be a non-empty string without commas, but got ${input.region === '' ? 'an empty string' : (JSON.stringify(input.region) ?? typeof input.region)}.`,
    );
  }
  const url = signedUrl(input.host, input.path, TransportConfigurationError);
  // Lower-cased names in the order first given, the last value winning, even an undefined or
  // null one, which the SDK then leaves out. `__proto__` never reached the SDK's signer (an
  // object's key), so it is skipped here too.
  const given = new Map<string, string>();
  for (const [name, value] of Object.entries(input.headers)) {
    const lower = name.toLowerCase();
    if (GENERATED_HEADERS.has(lower) || lower === '__proto__') continue;
    // The host signed is always input.host; a given one only keeps its place in the result.
    given.set(lower, lower === 'host' ? input.host : value);
  }
  const toSign: [string, string][] = [];
  // Any x-amz-content-sha256 value is the SDK's body hash, even undefined or null: refused below.
  for (const [name, value] of given) if (name !== 'host' && (value != null || name === SHA256)) toSign.push([name, signableValue(name, value, TransportConfigurationError)]);
  const sessionToken = input.credentials.sessionToken;
  const signer = new AwsV4Signer({
    method: 'POST',
    url,
    headers: toSign,
    body: input.body,
    accessKeyId: input.credentials.accessKeyId,
    secretAccessKey: input.credentials.secretAccessKey,
    // The SDK signs the token's canonical value too, and sends it as given (below). One of
    // whitespace only is '' then, which aws4fetch would skip: ' ' goes through Headers as ''.
    sessionToken: sessionToken ? signableValue('x-amz-security-token', sessionToken, TransportConfigurationError) || ' ' : undefined,
    service: 'appsync',
    region: input.region,
    datetime,
    // Without it aws4fetch leaves out content-type, user-agent and others that AppSync's auth object signs.
    allHeaders: true,
    cache: SIGNING_KEYS,
  });
  // The SDK's result: the headers as given, then host, x-amz-date, the token, authorization.
  const result: Record<string, string> = {};
  for (const [name, value] of given) if (value != null) result[name] = value;
  result.host = input.host;
  result['x-amz-date'] = datetime;
  if (sessionToken) result['x-amz-security-token'] = sessionToken;
  // Not sign(): it puts the value in `Headers`, which refuses what the SDK signs (CR, LF, NUL or
  // beyond U+00FF in the key id or region) with a TypeError quoting the signature.
  result.authorization = await signer.authHeader();
  return result;
}

/**
 * The URL aws4fetch signs `host` and `path` from; refused when parsing would change either (an
 * upper-case or non-ASCII host, a dot segment). A special scheme, as browsers before 2024 did
 * not parse the host of other schemes; the transport's own hosts come from such a URL already.
 */
function signedUrl(host: string, path: string, TransportConfigurationError: SignerErrors['TransportConfigurationError']): string {
  const url = `${HTTPS_DEFAULT_PORT.test(host) ? 'http' : 'https'}://${host}${path}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.host !== host || parsed.pathname !== path || parsed.search !== '' || parsed.hash !== '') {
    throw new TransportConfigurationError(
      `AWS_IAM auth cannot sign host ${JSON.stringify(host)} with path ${JSON.stringify(path)}: the signer needs them as a URL gives them ` +
        '(a host name in lower case or an IP address, with an optional port such as `127.0.0.1:4000`, and a path that starts with `/` without `.` or `..` segments, a query or a fragment).',
    );
  }
  return url;
}

function signableValue(name: string, value: unknown, TransportConfigurationError: SignerErrors['TransportConfigurationError']): string {
  if (typeof value !== 'string') {
    throw new TransportConfigurationError(`Expected the header \`${name}\` to sign to be a string, but got ${typeof value}.`);
  }
  if (!HEADER_NAME.test(name)) {
    throw new TransportConfigurationError(`AWS_IAM auth cannot sign a header named ${JSON.stringify(name)}: a header name is letters, digits and !#$%&'*+.^_\`|~-.`);
  }
  const canonical = canonicalValue(value);
  // aws4fetch hashes the body for an empty one.
  if (UNSIGNABLE_VALUE.test(canonical) || (name === SHA256 && (canonical !== value || !value))) {
    // Only the name: a value may be a secret.
    throw new TransportConfigurationError(
      `AWS_IAM auth cannot sign the value of header \`${name}\`: it holds a NUL, a character beyond U+00FF, or whitespace other than spaces and tabs${name === SHA256 ? ' (or is empty or has leading, trailing or repeated spaces, which this header, the body hash, may not have)' : ''}.`,
    );
  }
  return canonical;
}
