/**
 * A JWT's signature checked against a JSON Web Key Set the user gives (a user pool's
 * `https://cognito-idp.<region>.amazonaws.com/<pool>/.well-known/jwks.json`, saved or written
 * for tests), with WebCrypto: RS256 (Cognito's) and ES256. The set is never fetched: the local
 * server stays offline.
 */
import { webcrypto } from 'node:crypto';

/** `{ keys: [...] }`, each key a public JWK with its `kid`. */
export interface LocalJwks {
  keys: Record<string, unknown>[];
}

/**
 * One JWKS per issuer (`iss`, without a trailing `/`), as AppSync checks each provider's tokens
 * against that provider's own keys: a token of an issuer not listed is refused.
 */
export interface LocalJwksByIssuer {
  byIssuer: Record<string, LocalJwks>;
}

/** The keys a token of `issuer` must be signed with; undefined when none are listed for it. */
export function jwksFor(given: LocalJwks | LocalJwksByIssuer, issuer: unknown): LocalJwks | undefined {
  if ('keys' in given) return given;
  if (typeof issuer !== 'string') return undefined;
  const own = issuer.replace(/\/+$/, '');
  // An own property only: an issuer named `__proto__` or `constructor` finds no keys.
  const entry = Object.entries(given.byIssuer).find(([name]) => name.replace(/\/+$/, '') === own);
  return entry?.[1];
}

const ALGORITHMS = {
  RS256: { importAs: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verifyAs: { name: 'RSASSA-PKCS1-v1_5' } },
  ES256: { importAs: { name: 'ECDSA', namedCurve: 'P-256' }, verifyAs: { name: 'ECDSA', hash: 'SHA-256' } },
} as const;

type Algorithm = keyof typeof ALGORITHMS;

/** Imported keys by JWKS and `kid#alg`, so a key is imported once. */
const imported = new WeakMap<LocalJwks, Map<string, Promise<webcrypto.CryptoKey>>>();

/** undefined when the signature verifies; else why not (never quoting the token). */
export async function jwtSignatureProblem(token: string, jwks: LocalJwks): Promise<string | undefined> {
  const [head = '', payload = '', signature = ''] = token.replace(/^Bearer\s+/i, '').split('.');
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
  } catch {
    return 'its header is not JSON';
  }
  // `null` parses too, and has no alg to read.
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return 'its header is not a JSON object';
  const alg = typeof header.alg === 'string' && header.alg in ALGORITHMS ? (header.alg as Algorithm) : undefined;
  if (alg === undefined) return `its alg is ${typeof header.alg === 'string' ? JSON.stringify(header.alg.slice(0, 16)) : 'missing'}, not RS256 or ES256`;
  const jwk = jwks.keys.find((key) => key.kid === header.kid);
  if (jwk === undefined) return 'no key of the JWKS has its kid';
  let keys = imported.get(jwks);
  if (keys === undefined) imported.set(jwks, (keys = new Map()));
  const id = `${String(header.kid)}#${alg}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = webcrypto.subtle.importKey('jwk', jwk as webcrypto.JsonWebKey, ALGORITHMS[alg].importAs, false, ['verify']);
    keys.set(id, key);
  }
  try {
    const ok = await webcrypto.subtle.verify(ALGORITHMS[alg].verifyAs, await key, Buffer.from(signature, 'base64url'), Buffer.from(`${head}.${payload}`));
    return ok ? undefined : 'its signature does not verify';
  } catch {
    return `the JWKS key with its kid is not a ${alg} public key`;
  }
}
