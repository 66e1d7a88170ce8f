/**
 * The local server's auth rules, as AppSync applies them to a handshake or a `start`: which
 * modes are enabled, and whether an auth object passes one of them.
 */

/** Secret access key (and session token, when the credentials are temporary) of an access key id. */
export interface LocalIamCredentials {
  secretAccessKey: string;
  sessionToken?: string;
}

export interface LocalAuthOptions {
  /** Accepted API keys (`x-api-key`). */
  apiKeys?: string[];
  /** Accepted Cognito/OIDC tokens, or a check of the token (`Authorization`). */
  jwt?: string[] | ((token: string) => boolean | Promise<boolean>);
  /** The Lambda authorizer: true to allow the token. */
  lambda?: (token: string) => boolean | Promise<boolean>;
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

export type AuthCheck = { ok: true; mode: string } | { ok: false; message: string };

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
    return result.ok ? { ok: true, mode: 'AWS_IAM' } : { ok: false, message: result.reason };
  }
  if (options.jwt) {
    const ok = Array.isArray(options.jwt) ? options.jwt.includes(authorization) : await options.jwt(authorization);
    if (ok) return { ok: true, mode: 'AMAZON_COGNITO_USER_POOLS' };
  }
  if (options.lambda && (await options.lambda(authorization))) return { ok: true, mode: 'AWS_LAMBDA' };
  return { ok: false, message: 'You are not authorized to make this call.' };
}
