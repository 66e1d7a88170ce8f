/**
 * The local server's auth rules, as AppSync applies them to a handshake or a `start`: which
 * modes are enabled, and whether an auth object passes one of them.
 */

import { withDeadline } from '../deadline.js';
import { checkJwt, jwtClaims, UNPARSABLE_JWT, type LocalOidcProvider, type LocalUserPool } from './jwt-auth.js';
import type { LocalJwks, LocalJwksByIssuer } from './jwks-verify.js';
import { lambdaAuthRequest, readLambdaAuthResult, type LocalLambdaAuthRequest, type LocalLambdaAuthResult } from './lambda-auth.js';

export type { LocalOidcProvider, LocalUserPool } from './jwt-auth.js';
export type { LocalJwks, LocalJwksByIssuer } from './jwks-verify.js';
export type { LocalLambdaAuthRequest, LocalLambdaAuthResult } from './lambda-auth.js';

/** Secret access key (and session token, when the credentials are temporary) of an access key id. */
export interface LocalIamCredentials {
  secretAccessKey: string;
  sessionToken?: string;
  /** `ctx.identity.accountId`. @default '123456789012' */
  accountId?: string;
  /** `ctx.identity.userArn`. @default `arn:aws:iam::<accountId>:user/<access key id>` */
  userArn?: string;
  /** `ctx.identity.username` (AppSync gives the principal's id). @default the access key id */
  username?: string;
}

export interface LocalAuthOptions {
  /** Accepted API keys (`x-api-key`). */
  apiKeys?: string[];
  /** Accepted Cognito/OIDC tokens, or a check of the token (`Authorization`); a check that throws refuses it. */
  jwt?: string[] | ((token: string) => boolean | Promise<boolean>);
  /**
   * Cognito user pools whose tokens are accepted by issuer, client id and expiry. The
   * signature is not verified unless `jwks` is given. @default none
   */
  userPools?: LocalUserPool[];
  /** OIDC providers whose tokens are accepted by issuer, client id and TTLs; the signature is not verified unless `jwks` is given. @default none */
  openIdConnect?: LocalOidcProvider[];
  /**
   * Public keys (a JWKS, `{ keys: [...] }`) that `userPools` and `openIdConnect` tokens must be
   * signed with (RS256 or ES256, matched by `kid`), or `{ byIssuer: { [iss]: JWKS } }` so each
   * provider's tokens verify only with its own keys (a token of an issuer not listed is refused);
   * never fetched. @default none: signatures not verified
   */
  jwks?: LocalJwks | LocalJwksByIssuer;
  /**
   * The Lambda authorizer: true (or `{ isAuthorized: true, resolverContext?, deniedFields? }`)
   * to allow the token; a throw, no answer within 10 s (AppSync's limit) or any other answer refuses it.
   */
  lambda?: (token: string, request: LocalLambdaAuthRequest) => boolean | LocalLambdaAuthResult | Promise<boolean | LocalLambdaAuthResult>;
  /** Clock for token expiry. @default () => new Date() */
  now?: () => Date;
  /** IAM: credentials by access key id; signatures are recomputed and compared. */
  iam?: { credentials: Record<string, LocalIamCredentials>; maxSkewMs?: number };
}

export interface AuthCheckRequest {
  /** The auth object (handshake header, `start` authorization, or HTTP headers). */
  headers: Record<string, string>;
  /** The path IAM must have signed: `/graphql/connect`, `/graphql`, `/event`… */
  path: string;
  body: string;
}

/** Who passed, beyond the mode: what `ctx.identity` and the per-field auth rules read. @inline */
export interface LocalCaller {
  /** Cognito and OIDC: the token's claims (read, not verified). */
  claims?: Record<string, unknown>;
  /** Cognito and OIDC: issued by the API's default provider (not an additional one). */
  isDefaultProvider?: boolean;
  /** Lambda: the authorizer's `resolverContext`. */
  resolverContext?: Record<string, unknown>;
  /** Lambda: the authorizer's `deniedFields`. */
  deniedFields?: string[];
  /** IAM: the signer. */
  iam?: { accessKeyId: string; accountId?: string | undefined; userArn?: string | undefined; username?: string | undefined };
}

/** How long AppSync waits for a Lambda authorizer. */
export const AUTHORIZER_LIMIT_MS = 10_000;

export type AuthCheck = { ok: true; mode: string; caller?: LocalCaller } | { ok: false; message: string };

/** A header of an auth object by name, whatever its casing; undefined unless it is a string. */
export function header(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === lower) {
      const value = headers[key];
      return typeof value === 'string' ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Checks an auth object against the configured modes. `undefined` options accept everything
 * (a server for tests that are not about auth).
 */
export async function checkAuth(options: LocalAuthOptions | undefined, request: AuthCheckRequest): Promise<AuthCheck> {
  if (options === undefined) return { ok: true, mode: 'NONE' };
  const headers = request.headers;
  const apiKey = header(headers, 'x-api-key');
  if (apiKey !== undefined && options.apiKeys) {
    return options.apiKeys.includes(apiKey)
      ? { ok: true, mode: 'API_KEY' }
      : { ok: false, message: 'You are not authorized to make this call.' };
  }
  const authorization = header(headers, 'authorization');
  if (authorization === undefined) return { ok: false, message: 'Valid authorization header not provided.' };
  if (authorization.startsWith('AWS4-HMAC-SHA256 ')) {
    if (!options.iam) return { ok: false, message: 'IAM authorization is not enabled on this API.' };
    const { verifyAppSyncSignature } = await import('./sigv4-verify.js');
    const result = await verifyAppSyncSignature({
      headers,
      path: request.path,
      body: request.body,
      credentials: (id: string) => options.iam?.credentials[id],
      ...(options.iam.maxSkewMs !== undefined ? { maxSkewMs: options.iam.maxSkewMs } : {}),
    });
    if (!result.ok) return { ok: false, message: result.reason };
    const { accessKeyId } = result;
    const { accountId, userArn, username } = options.iam.credentials[accessKeyId] ?? {};
    return { ok: true, mode: 'AWS_IAM', caller: { iam: { accessKeyId, accountId, userArn, username } } };
  }
  // A JWT of one of the API's providers; else another mode may accept the token, and this is only why it failed.
  let refusal: string | undefined;
  // A token whose issuer is one of the API's providers is theirs to refuse: it does not go on to the Lambda authorizer.
  let issuedHere = false;
  if (options.userPools !== undefined || options.openIdConnect !== undefined) {
    const jwt = checkJwt(authorization, options.userPools ?? [], options.openIdConnect ?? [], (options.now?.() ?? new Date()).getTime());
    issuedHere = jwt !== undefined && (jwt.ok || jwt.message !== UNPARSABLE_JWT);
    if (jwt?.ok) {
      const { jwksFor, jwtSignatureProblem } = await import('./jwks-verify.js');
      const keys = options.jwks === undefined ? undefined : jwksFor(options.jwks, jwt.claims.iss);
      if (options.jwks === undefined || (keys !== undefined && (await jwtSignatureProblem(authorization, keys)) === undefined)) {
        return { ok: true, mode: jwt.mode, caller: { claims: jwt.claims, isDefaultProvider: jwt.isDefaultProvider } };
      }
      refusal = 'You are not authorized to make this call.';
    } else refusal = jwt?.message;
  }
  if (options.jwt) {
    const check = options.jwt;
    // A check that throws refuses the token, as a throwing Lambda authorizer does.
    // One that never answers refuses it after AppSync's authorizer limit (it would hold the connection's frames).
    const ok = Array.isArray(check)
      ? check.includes(authorization)
      : await withDeadline(Promise.resolve().then(() => check(authorization)), { ms: AUTHORIZER_LIMIT_MS, timeout: () => new Error('timed out') }).catch(() => false);
    if (ok) return { ok: true, mode: jwtMode(authorization, options), caller: { claims: jwtClaims(authorization) ?? {} } };
  }
  if (options.lambda && !issuedHere) {
    let answer: LocalLambdaAuthResult | string;
    try {
      const lambda = options.lambda;
      // AppSync stops waiting for an authorizer after 10 s; so does this one.
      const given = Promise.resolve().then(() => lambda(authorization, lambdaAuthRequest(request.body, headers)));
      answer = readLambdaAuthResult(await withDeadline(given, { ms: AUTHORIZER_LIMIT_MS, timeout: () => new Error('timed out') }));
    } catch {
      answer = 'it threw';
    }
    if (typeof answer !== 'string' && answer.isAuthorized) {
      return { ok: true, mode: 'AWS_LAMBDA', caller: { resolverContext: answer.resolverContext ?? {}, ...(answer.deniedFields ? { deniedFields: answer.deniedFields } : {}) } };
    }
    // A Lambda-enabled API does not parse tokens it cannot place: the authorizer had the last word.
    if (refusal === UNPARSABLE_JWT) refusal = undefined;
  }
  return { ok: false, message: refusal ?? 'You are not authorized to make this call.' };
}

/** Which JWT mode a token accepted by `jwt` is: OIDC when only OIDC providers are configured or its issuer is one. */
function jwtMode(token: string, options: LocalAuthOptions): 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' {
  const issuer = jwtClaims(token)?.iss;
  if (typeof issuer === 'string' && issuer.includes('cognito-idp.')) return 'AMAZON_COGNITO_USER_POOLS';
  if (options.openIdConnect !== undefined && options.openIdConnect.length > 0 && (options.userPools ?? []).length === 0) return 'OPENID_CONNECT';
  return 'AMAZON_COGNITO_USER_POOLS';
}
