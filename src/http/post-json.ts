/**
 * One JSON POST to AppSync over HTTP, with a timeout, a caller's AbortSignal, and every failure
 * mapped to a typed error. Shared by GraphQL queries and Events publishing; each caller checks
 * the shape of the answer it expects.
 */
import {
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportServerError,
  TransportTimeoutError,
  normalizeErrors,
  summarizeErrors,
  truncate,
  type GraphQLErrorLike,
} from '../errors.js';
import { redactUrl } from '../protocol/url.js';
import { armed } from '../options.js';

/** The part of `fetch` this library uses (the platform's, or an injected one). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface PostJsonRequest {
  url: string;
  body: string;
  /** Request headers, auth included; never `host` (fetch derives it from the URL). */
  headers: Record<string, string>;
  fetch: FetchLike | undefined;
  /** null: wait forever. */
  timeoutMs: number | null;
  /** Name of the option that set `timeoutMs`, for the timeout message. */
  timeoutOption: string;
  signal: AbortSignal | undefined;
  /** For messages, e.g. `publish of 2 events to /default/chat`; omitted for plain queries. */
  label?: string;
  /** Appended to timeout messages (e.g. that the server may have acted anyway). */
  timeoutNote?: string;
}

export interface JsonAnswer {
  /** The parsed body, undefined when it was empty or not JSON. */
  parsed: unknown;
  /** The raw body, for messages. */
  text: string;
  /** `errors` of an object body, always an array. */
  errors: GraphQLErrorLike[];
}

/** POSTs and reads the answer; a non-2xx status rejects with `TransportServerError` (with `statusCode`). */
export async function postJson(request: PostJsonRequest): Promise<JsonAnswer> {
  const fetchImpl = request.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
  if (fetchImpl === undefined) {
    throw new TransportConfigurationError('This runtime has no global fetch: pass `fetch` in the options.');
  }
  const url = redactUrl(request.url);
  const what = request.label ? ` for the ${request.label}` : '';
  const controller = new AbortController();
  const ms = request.timeoutMs;
  let timedOut = false;
  const timer =
    armed(ms)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, ms)
      : undefined;
  const signal = request.signal;
  // A proxy's error page may echo the request, and fetch quotes a header value it refuses (a
  // line break in a key or token), credentials included: never into a message.
  const redact = redacter(request.headers);
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: controller.signal });
    text = await response.text();
  } catch (cause) {
    if (timedOut) {
      throw new TransportTimeoutError(
        `Expected an answer from ${url}${what} within ${ms} ms (${request.timeoutOption}), but none arrived${request.timeoutNote ? `; ${request.timeoutNote}` : ''}. Raise ${request.timeoutOption} or check the network.`,
        { phase: 'request', timeoutMs: ms as number },
      );
    }
    if (signal?.aborted) throw signal.reason;
    const raw = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    const detail = redact(raw);
    // A cause that quotes a secret is left out: logging the error would print it.
    throw new TransportConnectionFailed(`Could not reach ${url}${what}: ${detail}. Check the URL and the network.`, detail === raw ? { cause } : {});
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // Only a body that is not JSON is ever quoted (describeBody): redact that, not every answer.
  if (parsed === undefined) text = redact(text);
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  const errors = isObject ? normalizeErrors((parsed as { errors?: unknown }).errors) : [];
  if (!response.ok) {
    const auth = response.status === 401 || response.status === 403;
    const detail = redact(errors.length > 0 ? summarizeErrors(errors) : truncate(text || response.statusText || 'an empty body', 200));
    throw new TransportServerError(
      `${url} answered${what} with HTTP ${response.status}: ${detail.replace(/\.$/, '')}.${auth ? ' Check the credentials: the API key, token or AWS credentials were rejected, have expired, or may not do this.' : ''}`,
      { errors, statusCode: response.status },
    );
  }
  return { parsed, text, errors };
}

/** Headers whose values are never secret. */
const PLAIN_HEADERS = new Set(['accept', 'content-type', 'content-encoding', 'host', 'x-amz-date']);

/** Replaces the values of the request's credential headers (the API key, token, signature) in `text`. */
function redacter(headers: Record<string, string>): (text: string) => string {
  // Trimmed, as fetch quotes a value with its ends trimmed: still inside the raw one.
  const secrets = Object.entries(headers)
    .filter(([name]) => !PLAIN_HEADERS.has(name.toLowerCase()))
    .map(([, value]) => value.trim())
    .filter((value) => value.length >= 8);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('<redacted>'), text);
}

/** `a body that is not JSON: "…"` or a description of what was parsed, for shape errors. */
export function describeBody(answer: JsonAnswer, describe: (value: unknown) => string): string {
  return answer.parsed === undefined ? `a body that is not JSON: ${JSON.stringify(truncate(answer.text, 120))}` : describe(answer.parsed);
}
