import { hostFor, readSecret, redactedDescription } from './token.js';
import type { AppSyncAuthentication, AuthRequest, ValueOrProvider } from './types.js';

export interface AppSyncApiKeyAuthenticationOptions {
  /** The API key (`da2-…`), or a function returning it, called on every connect and start. */
  apiKey: ValueOrProvider<string>;
  /** The AppSync API host. @default derived from the transport URL */
  host?: string;
}

/** API key auth: `{"host": …, "x-api-key": …}`. */
export class AppSyncApiKeyAuthentication implements AppSyncAuthentication {
  readonly mode = 'API_KEY' as const;
  readonly host: string | undefined;
  readonly #apiKey: ValueOrProvider<string>;

  constructor(options: AppSyncApiKeyAuthenticationOptions) {
    this.#apiKey = options.apiKey;
    this.host = options.host;
  }

  async getHeaders(request: AuthRequest): Promise<Record<string, string>> {
    const apiKey = await readSecret(this.#apiKey, 'API key', 'apiKey');
    return { host: hostFor(this.host, request), 'x-api-key': apiKey };
  }

  toString(): string {
    return redactedDescription('AppSyncApiKeyAuthentication', this.host);
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
