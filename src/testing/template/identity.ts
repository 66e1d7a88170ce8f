/**
 * `ctx.identity` as AppSync fills it for the mode a request passed (the resolver context
 * reference's "Identity" section): null for API keys; the signer for IAM (no Cognito identity
 * pool locally, so its fields are null); for Cognito user pools the token's `sub`, `issuer`,
 * `username`, `claims`, `groups`, `sourceIp` and `defaultAuthStrategy`; for OIDC only `sub`,
 * `issuer` and `claims`, as documented; for a Lambda authorizer its `resolverContext`. Claims
 * are read, not verified.
 */
import { header as headerOf, type LocalCaller } from '../auth-check.js';
import { jwtClaims } from '../jwt-auth.js';

/** The account the local AppSync says it runs in (the template scope's too). */
const LOCAL_ACCOUNT_ID = '123456789012';

export interface IdentityPolicy {
  /** The Cognito default provider's `DefaultAction`, which AppSync reports as `defaultAuthStrategy`. @default 'ALLOW' */
  defaultAction?: 'ALLOW' | 'DENY' | undefined;
}

export function identityOf(mode: string, headers: Record<string, string>, caller?: LocalCaller, policy: IdentityPolicy = {}): unknown {
  const header = (name: string) => headerOf(headers, name);
  const sourceIp = [header('x-forwarded-for')?.split(',')[0]?.trim() ?? '127.0.0.1'];
  switch (mode) {
    case 'AWS_IAM': {
      const accessKeyId = caller?.iam?.accessKeyId ?? /Credential=([^/]+)\//.exec(header('authorization') ?? '')?.[1] ?? '';
      const accountId = caller?.iam?.accountId ?? LOCAL_ACCOUNT_ID;
      return {
        accountId,
        cognitoIdentityPoolId: null,
        cognitoIdentityId: null,
        sourceIp,
        username: caller?.iam?.username ?? accessKeyId,
        userArn: caller?.iam?.userArn ?? `arn:aws:iam::${accountId}:user/${accessKeyId}`,
        cognitoIdentityAuthType: null,
        cognitoIdentityAuthProvider: null,
      };
    }
    case 'AMAZON_COGNITO_USER_POOLS': {
      const claims = caller?.claims ?? jwtClaims(header('authorization') ?? '') ?? {};
      const groups = claims['cognito:groups'];
      return {
        sub: claims.sub ?? null,
        issuer: claims.iss ?? null,
        username: claims['cognito:username'] ?? claims.username ?? claims.sub ?? null,
        claims,
        sourceIp,
        defaultAuthStrategy: policy.defaultAction ?? 'ALLOW',
        groups: Array.isArray(groups) ? groups : null,
      };
    }
    case 'OPENID_CONNECT': {
      const claims = caller?.claims ?? jwtClaims(header('authorization') ?? '') ?? {};
      return { sub: claims.sub ?? null, issuer: claims.iss ?? null, claims };
    }
    case 'AWS_LAMBDA':
      return { resolverContext: caller?.resolverContext ?? {} };
    default:
      return null;
  }
}
