/**
 * HTTP data sources: a real request to the configured endpoint, as AppSync makes it from the
 * request handler's `method`, `resourcePath` and `params` (`query`, `headers`, `body`). The
 * answer is `{ statusCode, headers, body }`; a request that cannot be made is `ctx.error`.
 */
import { DataSourceRequestError, type DataSourceAnswer, type DataSourceRunner } from './types.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export class HttpDataSource implements DataSourceRunner {
  readonly #endpoint: string;
  readonly #timeoutMs: number;

  constructor(endpoint: string, timeoutMs = 10_000) {
    this.#endpoint = endpoint;
    this.#timeoutMs = timeoutMs;
  }

  async invoke(request: unknown): Promise<DataSourceAnswer> {
    const r = (typeof request === 'object' && request !== null ? request : {}) as { method?: unknown; resourcePath?: unknown; params?: { query?: Record<string, unknown>; headers?: Record<string, unknown>; body?: unknown } };
    const method = String(r.method ?? '').toUpperCase();
    if (!METHODS.has(method)) throw new DataSourceRequestError(`An HTTP request's method must be one of ${[...METHODS].join(', ')}, not ${JSON.stringify(r.method)}.`);
    if (typeof r.resourcePath !== 'string' || !r.resourcePath.startsWith('/')) throw new DataSourceRequestError('An HTTP request needs a resourcePath starting with "/".');
    const url = new URL(this.#endpoint + r.resourcePath);
    for (const [name, value] of Object.entries(r.params?.query ?? {})) url.searchParams.append(name, String(value));
    const headers = Object.fromEntries(Object.entries(r.params?.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const body = r.params?.body;
    try {
      const response = await fetch(url, {
        method,
        headers,
        ...(body === undefined || body === null ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await response.text();
      return { result: { statusCode: response.status, headers: Object.fromEntries(response.headers), body: text } };
    } catch (error) {
      return { result: null, error: { type: 'HTTP:RequestFailed', message: `${method} ${url.origin}${url.pathname} failed: ${(error as Error).message}` } };
    }
  }
}
