import { hostFor, readSecret, redactedDescription } from './token.js';
import type { AppSyncAuthentication, AuthMode, AuthRequest, ValueOrProvider } from './types.js';

/**
 * Shared by the JWT and Lambda modes: both send the raw token (no `Bearer`) as `Authorization`.
 */
export abstract class AuthorizationTokenAuthentication implements AppSyncAuthentication {
  abstract readonly mode: AuthMode;
  readonly host: string | undefined;
  readonly #token: ValueOrProvider<string>;
  readonly #what: string;
  readonly #option: string;
  readonly #className: string;

  protected constructor(
    className: string,
    token: ValueOrProvider<string>,
    host: string | undefined,
    what: string,
    option: string,
  ) {
    this.#className = className;
    this.#token = token;
    this.host = host;
    this.#what = what;
    this.#option = option;
  }

  async getHeaders(request: AuthRequest): Promise<Record<string, string>> {
    const token = await readSecret(this.#token, this.#what, this.#option);
    return { Authorization: token, host: hostFor(this.host, request) };
  }

  toString(): string {
    return redactedDescription(this.#className, this.host);
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
