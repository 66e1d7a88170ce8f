/**
 * AWS_IAM auth: a SigV4 signature of a request that is never sent (docs/PROTOCOL.md §3.2,
 * §3.3). The signer (`sigv4.ts`, on aws4fetch and WebCrypto) and, on Node, the AWS SDK's default
 * credential chain and shared-config loader are loaded by dynamic `import()` the first time they
 * are needed, so API-key and token users never load them. The defaults for credentials and
 * region come from `#platform`: in browsers there is no environment, config file or chain.
 */
import { awsDefaults } from '#platform';
import type { AwsDefaults } from '../platform/types.js';
import { TransportAuthError, TransportConfigurationError, TransportError, errorName } from '../errors.js';
import { regionFromHost } from '../protocol/url.js';
import { sdkDetail } from './aws-errors.js';
import type { AppSyncAuthentication, AuthRequest, ValueOrProvider } from './types.js';

/** The headers AppSync's IAM auth object carries besides `host` (docs/PROTOCOL.md §3.2). */
export const APPSYNC_IAM_SIGNED_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  accept: 'application/json, text/javascript',
  'content-encoding': 'amz-1.0',
  'content-type': 'application/json; charset=UTF-8',
});

/**
 * AWS credentials: structurally the AWS SDK's `AwsCredentialIdentity`, what its credential
 * providers resolve to. Declared here rather than imported from `@smithy/types`, whose
 * declarations need @types/node: a browser app type-checks this package without it.
 */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** For temporary credentials (STS, SSO, Cognito identity pools). */
  readonly sessionToken?: string | undefined;
  readonly credentialScope?: string | undefined;
  readonly accountId?: string | undefined;
  /** When they stop working; providers refresh before it. */
  readonly expiration?: Date | undefined;
}

/** Credentials: a value, or a function (e.g. an AWS SDK provider) called again for every signature. */
export type AwsCredentialsSource = ValueOrProvider<AwsCredentialIdentity>;

export interface AppSyncIAMAuthenticationOptions {
  /**
   * The host that is signed and sent as `host`: the HTTP API host or custom domain, never the
   * real-time host, in lower case as a URL gives it. A port, if any, is part of it (`127.0.0.1:4000`).
   * @default the `host` of each request, derived from the transport URL
   */
  host?: string;
  /**
   * The region of the API, part of the signature's credential scope.
   * @default the region in the host (`<id>.appsync-api.<region>.amazonaws.com`); for other hosts
   * (custom domains, local servers) the env var `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the
   * `region` of the shared config profile (the AWS SDK's loader, which honours `AWS_PROFILE` and
   * falls back to EC2 instance metadata unless `AWS_EC2_METADATA_DISABLED=true`).
   */
  region?: string;
  /**
   * AWS credentials, or a function returning them (any AWS SDK v3 credential provider fits). It
   * is called for every signature, so a provider that refreshes expiring credentials just works.
   * @default the AWS SDK v3 default Node chain (`defaultProvider()` of
   * `@aws-sdk/credential-provider-node`): env vars, shared files and profiles, SSO, web identity,
   * ECS/EKS container and EC2 instance metadata. Not available in browsers.
   */
  credentials?: AwsCredentialsSource;
  /**
   * Profile of the shared config files for the default credential chain and the region lookup.
   * Ignored when both `credentials` and `region` are given.
   * @default env `AWS_PROFILE`, else `default`
   */
  profile?: string;
  /**
   * The signing time. A signature is only accepted within about 5 minutes of it.
   * @default `() => new Date()`
   */
  clock?: () => Date;
}

export interface SignAppSyncRequestInput {
  credentials: AwsCredentialIdentity;
  /** Region of the credential scope. */
  region: string;
  /** Signed as the `host` header, port included when there is one. */
  host: string;
  /** Path of the signed `POST` (`/graphql/connect`, `/graphql`, `/event`). */
  path: string;
  /** The exact body; its SHA-256 is part of the signature. */
  body: string;
  /**
   * Headers to sign besides `host`, `x-amz-date` and `x-amz-security-token`, which the signer
   * adds itself. Every header given is signed, even those the AWS SDK skips by default
   * (`user-agent`…), so a verifier can rebuild a signature from its `SignedHeaders` list;
   * `authorization` and `date` are dropped, as the AWS SDK's signer drops them.
   * @default `accept: application/json, text/javascript`, `content-encoding: amz-1.0` and
   * `content-type: application/json; charset=UTF-8`, the headers AppSync's IAM auth object carries
   */
  headers?: Readonly<Record<string, string>>;
  /** The signing time (`x-amz-date`). */
  date: Date;
}

/**
 * Signs `POST <host><path>` with `body` for the service `appsync`, and returns every signed
 * header in lower case, plus `x-amz-date`, `x-amz-security-token` (only with a session token) and
 * `authorization`. The scheme is not part of a SigV4 signature, so http and https sign alike.
 * No `x-amz-content-sha256` header is added or signed, as in AppSync's documented signatures.
 * Signs as the AWS SDK's SigV4 signer does (checked against botocore's vectors, and fuzzed against
 * the SDK's signer); inputs it would sign differently (a host or path a URL would rewrite, header
 * values with NUL, characters beyond U+00FF or unusual whitespace, an empty or missing
 * `x-amz-content-sha256` value, an empty region) are a `TransportConfigurationError`.
 */
export async function signAppSyncRequest(input: SignAppSyncRequestInput): Promise<Record<string, string>> {
  if (!(input.date instanceof Date) || Number.isNaN(input.date.getTime())) {
    throw new TransportConfigurationError(
      `Expected the signing date (option \`clock\`) to be a valid Date, but got ${String(input.date)}.`,
    );
  }
  if (typeof input.body !== 'string') {
    throw new TransportConfigurationError(`Expected the body to sign to be a string (the exact text sent), but got ${typeof input.body}.`);
  }
  const { signWithAws4fetch } = await loadSigner();
  // YYYYMMDDTHHMMSSZ, as the SDK formats it.
  const datetime = input.date.toISOString().replace(/[:-]|\.\d{3}/g, '');
  return signWithAws4fetch({ ...input, headers: input.headers ?? APPSYNC_IAM_SIGNED_HEADERS }, datetime, { TransportAuthError, TransportConfigurationError });
}

let signerModule: Promise<typeof import('./sigv4.js')> | undefined;

function loadSigner(): Promise<typeof import('./sigv4.js')> {
  signerModule ??= import('./sigv4.js').catch((cause: unknown) => {
    signerModule = undefined;
    throw new TransportAuthError(
      'AWS_IAM auth could not load its SigV4 signer (`aws4fetch`, loaded at the first signature): a page may be offline or not serve the chunk, or the package lacks its dependencies (reinstall it). It is tried again at the next signature; the original error is in `cause`.',
      { cause },
    );
  });
  return signerModule;
}

/**
 * AWS_IAM auth: signs each connect and each `start` with SigV4 at the moment it is sent, so a
 * reconnect hours later never reuses a stale signature.
 */
export class AppSyncIAMAuthentication implements AppSyncAuthentication {
  readonly mode = 'AWS_IAM' as const;
  readonly host: string | undefined;
  readonly region: string | undefined;
  readonly profile: string | undefined;
  readonly #credentials: AwsCredentialsSource | undefined;
  readonly #clock: () => Date;
  /** Where credentials and region come from when not given (made on first use). */
  #defaults: AwsDefaults | undefined;

  constructor(options: AppSyncIAMAuthenticationOptions = {}) {
    this.host = options.host;
    this.region = options.region;
    this.profile = options.profile;
    this.#credentials = options.credentials;
    this.#clock = options.clock ?? (() => new Date());
  }

  async getHeaders(request: AuthRequest): Promise<Record<string, string>> {
    const host = this.host ?? request.host;
    const region = await this.#resolveRegion(host);
    const credentials = await this.#resolveCredentials();
    let signed: Record<string, string>;
    try {
      signed = await signAppSyncRequest({
        credentials,
        region,
        host,
        path: request.path,
        body: request.body,
        date: this.#now(),
        headers: request.headers,
      });
    } catch (cause) {
      if (cause instanceof TransportError) throw cause;
      // Built from the error's name only: the signer's inputs are secret.
      throw new TransportAuthError(
        `AWS_IAM auth could not sign the request to ${host}${request.path}: the SigV4 signer threw ${errorName(cause)}. The original error is in \`cause\`.`,
        { cause },
      );
    }
    const headers: Record<string, string> = {};
    for (const name of Object.keys(request.headers ?? APPSYNC_IAM_SIGNED_HEADERS)) headers[name] = signed[name.toLowerCase()] ?? '';
    headers.host = host;
    headers['x-amz-date'] = signed['x-amz-date'] ?? '';
    const token = signed['x-amz-security-token'];
    if (token !== undefined) headers['X-Amz-Security-Token'] = token;
    headers.Authorization = signed.authorization ?? '';
    return headers;
  }

  /** The `clock` option's time; a clock that throws is the caller's configuration error. */
  #now(): Date {
    try {
      return this.#clock();
    } catch (cause) {
      throw new TransportConfigurationError(`AWS_IAM auth's \`clock\` option threw ${errorName(cause)}; it must return the current Date. The original error is in \`cause\`.`, { cause });
    }
  }

  /** Re-reads the default chain and the shared config files on the next signature. */
  invalidate(): void {
    this.#defaults?.invalidate();
  }

  get #fallback(): AwsDefaults {
    return (this.#defaults ??= awsDefaults(this.profile));
  }

  async #resolveRegion(host: string): Promise<string> {
    if (this.region !== undefined && this.region !== '') return this.region;
    return regionFromHost(host) ?? this.#fallback.region(host);
  }

  /**
   * Credentials that have not expired. AWS refuses expired ones, so a provider (or the default
   * chain) that hands them out is asked once more; then, or for a fixed value, it is an error
   * naming the expiry time.
   */
  async #resolveCredentials(): Promise<AwsCredentialIdentity> {
    const first = await this.#readCredentials();
    const now = this.#now();
    if (!hasExpired(first, now)) return first;
    const from = this.#credentials === undefined ? 'the AWS SDK default credential chain' : typeof this.#credentials === 'function' ? 'the function passed as `credentials`' : 'option `credentials`';
    if (typeof this.#credentials === 'object') throw expiredError(first, now, from, 'Pass a function that returns fresh credentials instead.');
    this.invalidate();
    const second = await this.#readCredentials();
    if (!hasExpired(second, this.#now())) return second;
    throw expiredError(second, now, from, 'It was asked twice. Make it refresh expired credentials, or check the clock.');
  }

  async #readCredentials(): Promise<AwsCredentialIdentity> {
    const source = this.#credentials;
    let value: unknown;
    if (source === undefined) return validateCredentials(await this.#fallback.credentials(), 'the AWS SDK default credential chain');
    if (typeof source === 'function') {
      try {
        value = await source();
      } catch (cause) {
        throw new TransportAuthError(
          `AWS_IAM auth: the credentials provider (option \`credentials\`) threw ${errorName(cause)}${sdkDetail(cause)}. ` +
            'Fix the function passed as `credentials`; the original error is in `cause`.',
          { cause },
        );
      }
      return validateCredentials(value, 'the function passed as `credentials`');
    }
    return validateCredentials(source, 'option `credentials`');
  }

  toString(): string {
    const credentials =
      this.#credentials === undefined ? 'default chain' : typeof this.#credentials === 'function' ? 'provider' : '<redacted>';
    return (
      `AppSyncIAMAuthentication { host: ${JSON.stringify(this.host) ?? '(from url)'}, ` +
      `region: ${JSON.stringify(this.region) ?? '(from host, env or profile)'}, ` +
      `credentials: ${credentials}${this.profile === undefined ? '' : `, profile: ${JSON.stringify(this.profile)}`} }`
    );
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Checks the shape of resolved credentials; the message names fields, never their values. */
function validateCredentials(value: unknown, from: string): AwsCredentialIdentity {
  if (typeof value !== 'object' || value === null) {
    throw new TransportAuthError(
      `AWS_IAM auth expected ${from} to give an object { accessKeyId, secretAccessKey, sessionToken? }, but got ${value === null ? 'null' : typeof value}.`,
    );
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['accessKeyId', 'secretAccessKey'] as const) {
    const v = record[field];
    if (typeof v !== 'string' || v === '') problems.push(`\`${field}\` is ${describeField(v)}`);
  }
  const token = record.sessionToken;
  if (token !== undefined && token !== null && typeof token !== 'string') {
    problems.push(`\`sessionToken\` is ${describeField(token)}`);
  }
  if (problems.length > 0) {
    throw new TransportAuthError(
      `AWS_IAM auth expected ${from} to give non-empty strings \`accessKeyId\` and \`secretAccessKey\` (and optionally \`sessionToken\`), but ${problems.join(' and ')}.`,
    );
  }
  // As given: the signer skips an empty or null sessionToken, and ignores other fields (`expiration`).
  return record as unknown as AwsCredentialIdentity;
}

function hasExpired(credentials: AwsCredentialIdentity, now: Date): boolean {
  const expiration = credentials.expiration as unknown;
  return expiration instanceof Date && expiration.getTime() <= now.getTime();
}

function expiredError(credentials: AwsCredentialIdentity, now: Date, from: string, fix: string): TransportAuthError {
  return new TransportAuthError(
    `AWS_IAM auth: the credentials from ${from} expired at ${(credentials.expiration as Date).toISOString()} (it is now ${now.toISOString()}), and AWS refuses expired credentials. ${fix}`,
  );
}

function describeField(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === '') return 'an empty string';
  return `of type ${value === null ? 'null' : typeof value}`;
}
