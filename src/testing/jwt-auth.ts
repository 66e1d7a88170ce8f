/**
 * Cognito user pool and OIDC tokens as the local AppSync accepts them: by issuer (`iss`), client
 * id, expiry and the OIDC TTLs. Signatures are checked only against a JWKS given to it
 * (jwks-verify.ts; the local server never fetches keys): without one, any well-formed token with
 * the right claims passes. Never use it as a gate in front of real data.
 */

/** A Cognito user pool whose tokens are accepted (`UserPoolConfig`). */
export interface LocalUserPool {
  userPoolId: string;
  /** @default 'us-east-1' */
  region?: string | undefined;
  /** Tokens whose client id (`aud` or `client_id`) does not match are refused. @default any client */
  appIdClientRegex?: string | undefined;
  /** The API's default provider (fields without auth directives allow it). @default true */
  isDefault?: boolean | undefined;
}

/** An OpenID Connect provider whose tokens are accepted (`OpenIDConnectConfig`). */
export interface LocalOidcProvider {
  /** Compared with the token's `iss` (a trailing slash is ignored). */
  issuer: string;
  /** Tokens whose `aud` does not match are refused. @default any client */
  clientId?: string | undefined;
  /** How long after `iat` a token is accepted, in ms; 0: not checked. @default 0 */
  iatTtlMs?: number | undefined;
  /** How long after `auth_time` a token is accepted, in ms; 0: not checked. @default 0 */
  authTtlMs?: number | undefined;
  /** The API's default provider. @default true */
  isDefault?: boolean | undefined;
}

export type JwtCheck =
  | { ok: true; mode: 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT'; claims: Record<string, unknown>; isDefaultProvider: boolean }
  | { ok: false; message: string };

/** AppSync's answer to an Authorization header that is not a JWT. */
export const UNPARSABLE_JWT = 'Unable to parse JWT token.';
const EXPIRED = 'Token has expired.';
const NOT_AUTHORIZED = 'You are not authorized to make this call.';

/** A JWT's payload, or undefined when the token is not three base64url parts with a JSON object in the middle. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.replace(/^Bearer\s+/i, '').split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) return undefined;
  try {
    const value = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The issuer of a user pool's tokens. */
export function userPoolIssuer(pool: LocalUserPool): string {
  return `https://cognito-idp.${pool.region ?? 'us-east-1'}.amazonaws.com/${pool.userPoolId}`;
}

/**
 * Checks a token against the providers; undefined when no provider issued it (another mode may
 * still accept it). Never quotes the token.
 */
export function checkJwt(token: string, pools: readonly LocalUserPool[], providers: readonly LocalOidcProvider[], nowMs: number): JwtCheck | undefined {
  const claims = jwtClaims(token);
  if (claims === undefined) return { ok: false, message: UNPARSABLE_JWT };
  const issuer = typeof claims.iss === 'string' ? claims.iss.replace(/\/+$/, '') : undefined;
  // RFC 7519 times are numbers: a string exp ("1") would otherwise be read as no expiry at all.
  const badTime = ['exp', 'iat', 'auth_time'].some((name) => claims[name] !== undefined && !(typeof claims[name] === 'number' && Number.isFinite(claims[name])));
  const expired = (seconds: unknown, ttlMs = 0): boolean => typeof seconds === 'number' && (ttlMs > 0 ? seconds * 1000 + ttlMs : seconds * 1000) <= nowMs;
  const pool = pools.find((p) => userPoolIssuer(p) === issuer);
  if (pool !== undefined) {
    if (badTime) return { ok: false, message: NOT_AUTHORIZED };
    if (expired(claims.exp)) return { ok: false, message: EXPIRED };
    const client = typeof claims.aud === 'string' ? claims.aud : claims.client_id;
    if (pool.appIdClientRegex !== undefined && !(typeof client === 'string' && fullMatch(pool.appIdClientRegex, client))) return { ok: false, message: NOT_AUTHORIZED };
    return { ok: true, mode: 'AMAZON_COGNITO_USER_POOLS', claims, isDefaultProvider: pool.isDefault ?? true };
  }
  const oidc = providers.find((p) => p.issuer.replace(/\/+$/, '') === issuer);
  if (oidc !== undefined) {
    if (badTime) return { ok: false, message: NOT_AUTHORIZED };
    if (expired(claims.exp) || (oidc.iatTtlMs ? expired(claims.iat ?? 0, oidc.iatTtlMs) : false) || (oidc.authTtlMs ? expired(claims.auth_time ?? 0, oidc.authTtlMs) : false)) return { ok: false, message: EXPIRED };
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (oidc.clientId !== undefined && !audiences.some((aud) => typeof aud === 'string' && fullMatch(oidc.clientId ?? '', aud))) return { ok: false, message: NOT_AUTHORIZED };
    return { ok: true, mode: 'OPENID_CONNECT', claims, isDefaultProvider: oidc.isDefault ?? true };
  }
  return undefined;
}

/** Client-id patterns compiled once (null: not a regular expression, so nothing matches). */
const compiled = new Map<string, RegExp | null>();

function fullMatch(pattern: string, value: string): boolean {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${pattern})$`);
    } catch {
      regex = null;
    }
    compiled.set(pattern, regex);
  }
  return regex !== null && regex.test(value);
}
