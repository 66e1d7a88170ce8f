/**
 * One HTTP publish to an AppSync Events API: `POST /event` with `{"channel", "events"}`, answered
 * by `{ successful, failed }` (or `{ errors }` with a 4xx/5xx status). The caller splits batches,
 * computes auth and maps indexes; this function only speaks HTTP and maps failures to typed errors.
 */
import {
  TransportConnectionFailed,
  TransportProtocolError,
  TransportServerError,
  TransportTimeoutError,
  describeValue,
  normalizeErrors,
  summarizeErrors,
  truncate,
} from '../errors.js';
import type { FailedEvent, PublishedEvent, PublishResult } from '../protocol/events.js';
import { redactUrl } from '../protocol/url.js';

/** The part of `fetch` this library uses (the platform's, or an injected one). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface HttpPublishRequest {
  url: string;
  body: string;
  /** Request headers, auth included; never `host` (fetch derives it from the URL). */
  headers: Record<string, string>;
  fetch: FetchLike | undefined;
  /** null: wait forever. */
  timeoutMs: number | null;
  signal: AbortSignal | undefined;
  /** For messages: `publish of 2 events to /default/chat`. */
  label: string;
}

export async function postEvents(request: HttpPublishRequest): Promise<PublishResult> {
  const fetchImpl = request.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
  if (fetchImpl === undefined) {
    throw new TransportConnectionFailed('This runtime has no global fetch; pass `fetch` in the AppSyncEventsClient options to publish over HTTP.');
  }
  const url = redactUrl(request.url);
  const controller = new AbortController();
  const ms = request.timeoutMs;
  let timedOut = false;
  const timer =
    ms !== null && ms > 0 && Number.isFinite(ms)
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, ms)
      : undefined;
  const signal = request.signal;
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
        `Expected an answer from ${url} to the ${request.label} within ${ms} ms (httpTimeoutMs), but none arrived; the server may or may not have published the events. Raise httpTimeoutMs or check the network.`,
        { phase: 'request', timeoutMs: ms as number },
      );
    }
    if (signal?.aborted) throw signal.reason;
    const detail = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    throw new TransportConnectionFailed(`Could not reach ${url} for the ${request.label}: ${detail}. Check the URL and the network.`, { cause });
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
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  const body = (isObject ? parsed : {}) as Record<string, unknown>;
  const errors = normalizeErrors(body.errors);
  if (!response.ok) {
    const auth = response.status === 401 || response.status === 403;
    const detail = errors.length > 0 ? summarizeErrors(errors) : truncate(text || response.statusText || 'an empty body', 200);
    throw new TransportServerError(
      `${url} refused the ${request.label} with HTTP ${response.status}: ${detail}.${auth ? ' Check the credentials: the API key, token or AWS credentials were rejected, have expired, or may not publish to this namespace.' : ''}`,
      { errors, statusCode: response.status },
    );
  }
  const { successful, failed } = body;
  if (!isObject || !Array.isArray(successful) || (failed !== undefined && !Array.isArray(failed))) {
    throw new TransportProtocolError(
      `Expected {"successful": [...], "failed": [...]} from ${url} for the ${request.label}, but got ${parsed === undefined ? `a body that is not JSON: ${JSON.stringify(truncate(text, 120))}` : describeValue(parsed)}.`,
    );
  }
  return { successful: successful as PublishedEvent[], failed: (failed ?? []) as FailedEvent[] };
}
