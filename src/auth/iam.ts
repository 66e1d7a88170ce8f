/**
 * AWS_IAM auth: a SigV4 signature of a request that is never sent (protocol reference §1.2,
 * §1.3). The AWS SDK pieces (signer, hash, default credential chain, shared-config loader) are
 * loaded by dynamic `import()` the first time they are needed, so API-key and token users never
 * load them. The hash, the environment and the Node-only chain come from `#platform`: in
 * browsers WebCrypto, no environment and no chain.
 */
import type { AwsCredentialIdentity, ChecksumConstructor } from '@smithy/types';
import { isNode, loadConfigRegion, loadDefaultCredentialChain, loadSha256, readEnv } from '#platform';
import { TransportAuthError, TransportConfigurationError, truncate } from '../errors.js';
import { regionFromHost } from '../protocol/url.js';
import type { AppSyncAuthentication, AuthRequest, ValueOrProvider } from './types.js';

/** The headers AppSync's IAM auth object carries besides `host` (protocol reference §1.2). */
export const APPSYNC_IAM_SIGNED_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  accept: 'application/json, text/javascript',
  'content-encoding': 'amz-1.0',
  'content-type': 'application/json; charset=UTF-8',
});

/** Credentials: a value, or a function (e.g. an AWS SDK provider) called again for every signature. */
export type AwsCredentialsSource = ValueOrProvider<AwsCredentialIdentity>;

export interface AppSyncIAMAuthenticationOptions {
  /**
   * The host that is signed and sent as `host`: the HTTP API host or custom domain, never the
   * real-time host. A port, if any, is part of it (`127.0.0.1:4000`).
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
   * (`user-agent`…), so a verifier can rebuild a signature from its `SignedHeaders` list.
   * @default {@link APPSYNC_IAM_SIGNED_HEADERS}
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
 */
export async function signAppSyncRequest(input: SignAppSyncRequestInput): Promise<Record<string, string>> {
  if (!(input.date instanceof Date) || Number.isNaN(input.date.getTime())) {
    throw new TransportConfigurationError(
      `Expected the signing date (option \`clock\`) to be a valid Date, but got ${input.date instanceof Date ? 'an Invalid Date' : typeof input.date}.`,
    );
  }
  const { SignatureV4, Sha256 } = await loadSigner();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? APPSYNC_IAM_SIGNED_HEADERS)) {
    headers[name.toLowerCase()] = value;
  }
  headers.host = input.host;
  const { accessKeyId, secretAccessKey, sessionToken } = input.credentials;
  const signer = new SignatureV4({
    service: 'appsync',
    region: input.region,
    credentials: sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey },
    sha256: Sha256,
    // The SDK would otherwise add and sign `x-amz-content-sha256`; AppSync's signatures
    // (and botocore's SigV4Auth) carry the body hash only in the canonical request.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: input.host.replace(/:\d+$/, ''),
      path: input.path,
      query: {},
      headers,
      body: input.body,
    },
    { signingDate: input.date, signableHeaders: new Set(Object.keys(headers)) },
  );
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    if (typeof value === 'string') result[name.toLowerCase()] = value;
  }
  return result;
}

type SignerModules = {
  SignatureV4: typeof import('@smithy/signature-v4').SignatureV4;
  Sha256: ChecksumConstructor;
};
let signerModules: Promise<SignerModules> | undefined;

function loadSigner(): Promise<SignerModules> {
  signerModules ??= Promise.all([import('@smithy/signature-v4'), loadSha256()]).then(
    ([signature, Sha256]) => ({ SignatureV4: signature.SignatureV4, Sha256 }),
    (cause: unknown) => {
      signerModules = undefined;
      throw new TransportAuthError(
        'AWS_IAM auth could not load the AWS SigV4 signer (`@smithy/signature-v4`, and `@smithy/core` on Node). Reinstall appsync-websockets so its dependencies are present; the original error is in `cause`.',
        { cause },
      );
    },
  );
  return signerModules;
}

type CredentialProvider = () => Promise<AwsCredentialIdentity>;

const CHAIN_SOURCES =
  'environment variables (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, plus AWS_SESSION_TOKEN for temporary credentials); ' +
  'the shared config and credentials files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) with their SSO, credential_process and role profiles; ' +
  'web identity (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN); ' +
  'the ECS/EKS container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI); ' +
  'EC2 instance metadata (skipped when AWS_EC2_METADATA_DISABLED=true)';

const CREDENTIALS_FIX =
  'Fix: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login` (and set AWS_PROFILE), or pass `credentials` (an object or an async function such as an AWS SDK provider) to AppSyncIAMAuthentication.';

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
  /** The SDK's default chain (it memoizes credentials until they near expiry); dropped by `invalidate()`. */
  #defaultChain: Promise<CredentialProvider> | undefined;
  /** The region found in the shared config files; dropped by `invalidate()`. */
  #configRegion: Promise<string | undefined> | undefined;

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
        date: this.#clock(),
        ...(request.headers !== undefined ? { headers: request.headers } : {}),
      });
    } catch (cause) {
      if (cause instanceof TransportAuthError || cause instanceof TransportConfigurationError) throw cause;
      // Built from the error's name only: the signer's inputs are secret.
      throw new TransportAuthError(
        `AWS_IAM auth could not sign the request to ${host}${request.path}: the SigV4 signer threw ${errorName(cause)}.`,
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

  /** Re-reads the default chain and the shared config files on the next signature. */
  invalidate(): void {
    this.#defaultChain = undefined;
    this.#configRegion = undefined;
  }

  async #resolveRegion(host: string): Promise<string> {
    if (this.region !== undefined && this.region !== '') return this.region;
    const fromHost = regionFromHost(host);
    if (fromHost !== undefined) return fromHost;
    const env = readEnv();
    if (env.AWS_REGION) return env.AWS_REGION;
    if (env.AWS_DEFAULT_REGION) return env.AWS_DEFAULT_REGION;
    const fromConfig = isNode() ? await this.#loadConfigRegion() : undefined;
    if (fromConfig) return fromConfig;
    const profile = this.profile ?? env.AWS_PROFILE ?? 'default';
    throw new TransportAuthError(
      `AWS_IAM auth needs the API's region to sign, but found none for host "${host}". Tried: the host name ` +
        '(only <id>.appsync-api.<region>.amazonaws.com hosts name their region; custom domains and local servers do not), ' +
        'the environment variables AWS_REGION and AWS_DEFAULT_REGION (unset), ' +
        (isNode()
          ? `and the \`region\` of profile "${profile}" in the shared config files, then EC2 instance metadata (none). `
          : 'and no config files in a browser. ') +
        'Set AWS_REGION or pass `region` to AppSyncIAMAuthentication.',
    );
  }

  #loadConfigRegion(): Promise<string | undefined> {
    if (this.#configRegion === undefined) {
      const profile = this.profile;
      const pending = loadConfigRegion(profile);
      // A miss is not remembered: the user may fix the file while we keep retrying.
      this.#configRegion = pending.catch(() => {
        this.#configRegion = undefined;
        return undefined;
      });
    }
    return this.#configRegion;
  }

  async #resolveCredentials(): Promise<AwsCredentialIdentity> {
    const source = this.#credentials;
    let value: unknown;
    if (source === undefined) {
      const provider = await this.#loadDefaultChain();
      try {
        value = await provider();
      } catch (cause) {
        throw this.#chainError(cause);
      }
      return validateCredentials(value, 'the AWS SDK default credential chain');
    }
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

  #loadDefaultChain(): Promise<CredentialProvider> {
    if (this.#defaultChain === undefined) {
      if (!isNode()) {
        return Promise.reject(
          new TransportAuthError(
            'AWS_IAM auth has no default credential chain in a browser: pass `credentials` (an object or an async function, e.g. from Cognito identity pools) to AppSyncIAMAuthentication.',
          ),
        );
      }
      const profile = this.profile;
      const pending = loadDefaultCredentialChain(profile).catch((cause: unknown) => {
        this.#defaultChain = undefined;
        throw new TransportAuthError(
          'AWS_IAM auth could not load the AWS SDK default credential chain (`@aws-sdk/credential-provider-node`). Reinstall appsync-websockets, or pass `credentials`; the original error is in `cause`.',
          { cause },
        );
      });
      this.#defaultChain = pending;
    }
    return this.#defaultChain;
  }

  #chainError(cause: unknown): TransportAuthError {
    const profile = this.profile ?? readEnv().AWS_PROFILE;
    return new TransportAuthError(
      `AWS_IAM auth found no AWS credentials${profile ? ` for profile "${profile}"` : ''}${sdkDetail(cause)}. ` +
        `The AWS SDK default chain tried, in order: ${CHAIN_SOURCES}${profile ? ' (with a profile set, it skips the environment variables)' : ''}. ${CREDENTIALS_FIX}`,
      { cause },
    );
  }

  toString(): string {
    const credentials =
      this.#credentials === undefined ? 'default chain' : typeof this.#credentials === 'function' ? 'provider' : '<redacted>';
    return (
      `AppSyncIAMAuthentication { host: ${this.host === undefined ? '(from url)' : JSON.stringify(this.host)}, ` +
      `region: ${this.region === undefined ? '(from host, env or profile)' : JSON.stringify(this.region)}, ` +
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
  const accessKeyId = record.accessKeyId as string;
  const secretAccessKey = record.secretAccessKey as string;
  return typeof token === 'string' && token !== ''
    ? { accessKeyId, secretAccessKey, sessionToken: token }
    : { accessKeyId, secretAccessKey };
}

function describeField(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === '') return 'an empty string';
  return `of type ${value === null ? 'null' : typeof value}`;
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error;
}

/**
 * The AWS SDK's own provider errors explain themselves ("The SSO session associated with this
 * profile has expired…") and carry no secrets; quote them. Any long base64-like run is cut out
 * all the same, in case a future message quotes a token.
 */
function sdkDetail(error: unknown): string {
  if (!(error instanceof Error)) return '';
  if (!/^(?:Credentials|Token)?ProviderError$/.test(error.name)) return '';
  const message = truncate(error.message.replace(/[A-Za-z0-9+/=_-]{32,}/g, '<redacted>'), 300);
  return message === '' ? '' : ` (AWS SDK: "${message}")`;
}
