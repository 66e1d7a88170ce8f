/**
 * Where IAM auth finds what it was not given, on Node: credentials from the AWS SDK v3 default
 * chain, and the region from the environment or the shared config files. Node-only (it reads
 * `process.env` and loads Node packages on first use), so it sits behind `#platform` and stays
 * out of browser bundles.
 */
import { TransportAuthError } from '../errors.js';
import { sdkDetail } from '../auth/aws-errors.js';
import type { AwsDefaults, CredentialProvider } from './types.js';

const CHAIN_SOURCES =
  'environment variables (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, plus AWS_SESSION_TOKEN for temporary credentials); ' +
  'the shared config and credentials files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) with their SSO, credential_process and role profiles; ' +
  'web identity (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN); ' +
  'the ECS/EKS container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI); ' +
  'EC2 instance metadata (skipped when AWS_EC2_METADATA_DISABLED=true)';

const CREDENTIALS_FIX =
  'Fix: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run `aws configure` / `aws sso login` (and set AWS_PROFILE), or pass `credentials` (an object or an async function such as an AWS SDK provider) to AppSyncIAMAuthentication.';

export function readEnv(): Record<string, string | undefined> {
  return typeof process !== 'undefined' && process.env ? process.env : {};
}

/** The defaults for one `profile` (undefined: `AWS_PROFILE`, else `default`, as the SDK reads them). */
export class NodeAwsDefaults implements AwsDefaults {
  readonly #profile: string | undefined;
  /** The SDK's default chain (it memoizes credentials until they near expiry); dropped by `invalidate()`. */
  #chain: Promise<CredentialProvider> | undefined;
  /** The region found in the shared config files; dropped by `invalidate()`. */
  #configRegion: Promise<string | undefined> | undefined;

  constructor(profile: string | undefined) {
    this.#profile = profile;
  }

  async credentials(): Promise<unknown> {
    const provider = await this.#loadChain();
    try {
      return await provider();
    } catch (cause) {
      const profile = this.#profile ?? readEnv().AWS_PROFILE;
      throw new TransportAuthError(
        `AWS_IAM auth found no AWS credentials${profile ? ` for profile "${profile}"` : ''}${sdkDetail(cause)}. ` +
          `The AWS SDK default chain tried, in order: ${CHAIN_SOURCES}${profile ? ' (with a profile set, it skips the environment variables)' : ''}. ${CREDENTIALS_FIX}`,
        { cause },
      );
    }
  }

  async region(host: string): Promise<string> {
    const env = readEnv();
    if (env.AWS_REGION) return env.AWS_REGION;
    if (env.AWS_DEFAULT_REGION) return env.AWS_DEFAULT_REGION;
    const fromConfig = await this.#loadConfigRegion();
    if (fromConfig) return fromConfig;
    const profile = this.#profile ?? env.AWS_PROFILE ?? 'default';
    throw new TransportAuthError(
      `AWS_IAM auth needs the API's region to sign, but found none for host "${host}". Tried: the host name ` +
        '(only <id>.appsync-api.<region>.amazonaws.com hosts name their region; custom domains and local servers do not), ' +
        'the environment variables AWS_REGION and AWS_DEFAULT_REGION (unset), ' +
        `and the \`region\` of profile "${profile}" in the shared config files, then EC2 instance metadata (none). ` +
        'Set AWS_REGION or pass `region` to AppSyncIAMAuthentication.',
    );
  }

  invalidate(): void {
    this.#chain = undefined;
    this.#configRegion = undefined;
  }

  #loadChain(): Promise<CredentialProvider> {
    this.#chain ??= import('@aws-sdk/credential-provider-node').then(
      ({ defaultProvider }) => defaultProvider(this.#profile === undefined ? {} : { profile: this.#profile }) as CredentialProvider,
      (cause: unknown) => {
        this.#chain = undefined;
        throw new TransportAuthError(
          'AWS_IAM auth could not load the AWS SDK default credential chain (`@aws-sdk/credential-provider-node`). Reinstall appsync-websockets, or pass `credentials`; the original error is in `cause`.',
          { cause },
        );
      },
    );
    return this.#chain;
  }

  #loadConfigRegion(): Promise<string | undefined> {
    this.#configRegion ??= import('@smithy/core/config')
      .then(({ loadConfig, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS }) =>
        loadConfig(NODE_REGION_CONFIG_OPTIONS, {
          ...NODE_REGION_CONFIG_FILE_OPTIONS,
          ...(this.#profile === undefined ? {} : { profile: this.#profile }),
        })(),
      )
      .catch(() => {
        // A miss is not remembered: the user may fix the file while we keep retrying.
        this.#configRegion = undefined;
        return undefined;
      });
    return this.#configRegion;
  }
}
