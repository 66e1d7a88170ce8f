/**
 * AppSyncHttpTransport: queries and mutations over AppSync's HTTP endpoint, with the same auth
 * objects as the real-time transport (IAM signs the real request).
 */
import { createDefaultAuth } from '#platform';
import type { DocumentNode, ExecutionResult } from 'graphql';
import { checkAuth, headersFrom, type AppSyncAuthentication } from '../auth/types.js';
import {
  TransportConfigurationError,
  TransportProtocolError,
  TransportQueryError,
  TransportUnsupportedOperation,
  describeValue,
  summarizeErrors,
} from '../errors.js';
import { redactUrl, resolveEndpoints } from '../protocol/url.js';
import { toRequest } from '../transport/document.js';
import { describeBody, postJson, type FetchLike, type JsonAnswer } from './post-json.js';
import { checkFunction, checkSignal, checkTimeout } from '../options.js';

export type { FetchLike } from './post-json.js';

export interface AppSyncHttpTransportOptions {
  /** `https://<id>.appsync-api.<region>.amazonaws.com/graphql`, a custom domain, or `http://` for local servers. */
  url: string;
  /** How to authenticate. @default IAM with the AWS SDK's default credential chain */
  auth?: AppSyncAuthentication | undefined;
  /** Time for the whole request, in ms; null waits forever. @default 30000 (AppSync's own limit) */
  timeoutMs?: number | null;
  /**
   * Time the auth may take to give its headers (a token function, a credentials provider), in
   * ms; then the request fails with `TransportTimeoutError` (phase `auth`). null (or 0) waits
   * forever. @default 10000
   */
  authTimeoutMs?: number | null;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: FetchLike | undefined;
}

export interface ExecuteOptions {
  variableValues?: Record<string, unknown>;
  operationName?: string;
  /** Aborts the request; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The auth of this request instead of the transport's. @default the transport's `auth` */
  auth?: AppSyncAuthentication | undefined;
}

/** What IAM signs over HTTP, as gql does: the JSON content type only (see the botocore vectors). */
const SIGNED_HTTP_HEADERS = Object.freeze({ 'content-type': 'application/json' });

export class AppSyncHttpTransport {
  readonly url: string;
  readonly #host: string;
  readonly #path: string;
  readonly #timeoutMs: number | null;
  readonly #authTimeoutMs: number | null;
  readonly #fetch: FetchLike | undefined;
  #auth: AppSyncAuthentication | undefined;

  constructor(options: AppSyncHttpTransportOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TransportConfigurationError('Expected an options object like { url, auth }, but got ' + typeof options + '.');
    }
    const endpoints = resolveEndpoints(options.url);
    this.url = endpoints.httpUrl;
    this.#host = endpoints.host;
    this.#path = new URL(endpoints.httpUrl).pathname;
    this.#timeoutMs = checkTimeout('timeoutMs', options.timeoutMs, 30_000);
    this.#authTimeoutMs = checkTimeout('authTimeoutMs', options.authTimeoutMs, 10_000);
    this.#fetch = checkFunction('fetch', options.fetch);
    this.#auth = checkAuth(options.auth);
  }

  get auth(): AppSyncAuthentication | undefined {
    return this.#auth;
  }

  /** Runs a query or mutation. GraphQL errors in the answer reject with `TransportQueryError`. */
  async execute<TData = Record<string, unknown>>(
    document: string | DocumentNode,
    options: ExecuteOptions = {},
  ): Promise<ExecutionResult<TData>> {
    options ??= {};
    checkSignal(options.signal);
    const prepared = toRequest(
      document,
      options,
      ['query', 'mutation'],
      'Subscriptions need the real-time endpoint: use AppSyncWebsocketsTransport.subscribe() (or Client.subscribe()).',
    );
    const body = await prepared.body;
    const auth = options.auth !== undefined ? (checkAuth(options.auth) as AppSyncAuthentication) : await this.#resolveAuth();
    const authHeaders = await headersFrom(auth, {
      host: this.#host,
      path: this.#path,
      body,
      scheme: this.url.startsWith('http:') ? 'http' : 'https',
      headers: { ...SIGNED_HTTP_HEADERS },
    }, { timeoutMs: this.#authTimeoutMs, purpose: 'the HTTP request', signals: [options.signal] });
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(authHeaders)) {
      // fetch sets Host from the URL itself (the same value, which IAM signed).
      if (name.toLowerCase() !== 'host') headers[name] = value;
    }
    const answer = await postJson({
      url: this.url,
      body,
      headers,
      fetch: this.#fetch,
      timeoutMs: this.#timeoutMs,
      timeoutOption: 'timeoutMs',
      signal: options.signal,
    });
    return this.#read<TData>(answer);
  }

  /** Refused: subscriptions need the real-time endpoint. */
  subscribe(): never {
    throw new TransportUnsupportedOperation(
      'subscribe() is not available on AppSyncHttpTransport: subscriptions need the real-time endpoint. Use AppSyncWebsocketsTransport (or Client.subscribe()).',
    );
  }

  async #resolveAuth(): Promise<AppSyncAuthentication> {
    if (this.#auth === undefined) {
      const auth = await createDefaultAuth();
      this.#auth ??= auth;
    }
    return this.#auth;
  }

  async #read<TData>(answer: JsonAnswer): Promise<ExecutionResult<TData>> {
    const { parsed, errors } = answer;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new TransportProtocolError(
        `Expected a JSON object with "data" or "errors" from ${redactUrl(this.url)}, but got ${describeBody(answer, describeValue)}.`,
      );
    }
    const result = parsed as ExecutionResult<TData>;
    if (errors.length > 0) {
      throw new TransportQueryError(`The server answered with GraphQL errors: ${summarizeErrors(errors)}.`, {
        errors,
        data: result.data,
        ...(result.extensions !== undefined ? { extensions: result.extensions as Record<string, unknown> } : {}),
      });
    }
    return result;
  }

  toString(): string {
    return `AppSyncHttpTransport { url: ${JSON.stringify(redactUrl(this.url))} }`;
  }
}
