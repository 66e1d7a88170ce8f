/**
 * One HTTP publish to an AppSync Events API: `POST /event` with `{"channel", "events"}`, answered
 * by `{ successful, failed }` (or `{ errors }` with a 4xx/5xx status). The caller splits batches,
 * computes auth and maps indexes; this function only speaks HTTP and maps failures to typed errors.
 */
import { TransportProtocolError, describeValue } from '../errors.js';
import { describeBody, postJson, type FetchLike } from '../http/post-json.js';
import type { FailedEvent, PublishedEvent, PublishResult } from '../protocol/events.js';
import { redactUrl } from '../protocol/url.js';

export type { FetchLike } from '../http/post-json.js';

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
  const answer = await postJson({
    ...request,
    timeoutOption: 'httpTimeoutMs',
    timeoutNote: 'the server may or may not have published the events',
  });
  const body = answer.parsed as { successful?: unknown; failed?: unknown } | undefined;
  const successful = body?.successful;
  const failed = body?.failed;
  if (typeof body !== 'object' || body === null || !Array.isArray(successful) || (failed !== undefined && !Array.isArray(failed))) {
    throw new TransportProtocolError(
      `Expected {"successful": [...], "failed": [...]} from ${redactUrl(request.url)} for the ${request.label}, but got ${describeBody(answer, describeValue)}.`,
    );
  }
  return { successful: successful as PublishedEvent[], failed: (failed ?? []) as FailedEvent[] };
}
