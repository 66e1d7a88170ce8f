import { TransportAuthError, errorName } from '../errors.js';
import { resolveValue, type AuthRequest, type ValueOrProvider } from './types.js';

/**
 * Reads a secret (API key, JWT, Lambda token) from a value or provider, and turns every
 * failure into a {@link TransportAuthError} that names the option but never the secret.
 */
export async function readSecret(
  source: ValueOrProvider<string>,
  what: string,
  option: string,
): Promise<string> {
  let value: unknown;
  try {
    value = await resolveValue(source);
  } catch (cause) {
    throw new TransportAuthError(
      `The ${what} provider (option \`${option}\`) threw: ${errorName(cause)}. Fix the function passed as \`${option}\`; the original error is in \`cause\`.`,
      { cause },
    );
  }
  if (typeof value !== 'string' || value === '') {
    throw new TransportAuthError(
      `Expected the ${what} (option \`${option}\`) to be a non-empty string, but got ${value === '' ? 'an empty string' : typeof value}.`,
    );
  }
  return value;
}

export function hostFor(explicit: string | undefined, request: AuthRequest): string {
  return explicit ?? request.host;
}

/** What `util.inspect`, `toString()` and `JSON.stringify` show of an auth object: never a secret. */
export function redactedDescription(className: string, host: string | undefined): string {
  return `${className} { host: ${JSON.stringify(host) ?? '(from url)'}, secret: <redacted> }`;
}
