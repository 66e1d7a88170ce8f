/**
 * `ctx.identity` for the auth mode a request passed: null for API keys, the signer for IAM, the
 * token's claims for Cognito and OIDC (read, not verified: the local server's auth check decides
 * whether the token is accepted), an empty resolver context for Lambda authorizers.
 */
export function identityOf(mode: string, headers: Record<string, string>): unknown {
  const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const sourceIp = [header('x-forwarded-for')?.split(',')[0]?.trim() ?? '127.0.0.1'];
  switch (mode) {
    case 'AWS_IAM': {
      const credential = /Credential=([^/]+)\//.exec(header('authorization') ?? '')?.[1] ?? '';
      return { accountId: '123456789012', cognitoIdentityPoolId: null, cognitoIdentityId: null, sourceIp, username: credential, userArn: `arn:aws:iam::123456789012:user/${credential}`, cognitoIdentityAuthType: null, cognitoIdentityAuthProvider: null };
    }
    case 'AMAZON_COGNITO_USER_POOLS':
    case 'OPENID_CONNECT': {
      const claims = jwtClaims(header('authorization') ?? '');
      const groups = claims['cognito:groups'];
      return {
        sub: claims.sub ?? null,
        issuer: claims.iss ?? null,
        username: claims['cognito:username'] ?? claims.username ?? claims.sub ?? null,
        claims,
        sourceIp,
        defaultAuthStrategy: 'ALLOW',
        groups: Array.isArray(groups) ? groups : null,
      };
    }
    case 'AWS_LAMBDA':
      return { resolverContext: {} };
    default:
      return null;
  }
}

function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.replace(/^Bearer\s+/i, '').split('.')[1];
  if (payload === undefined) return {};
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
