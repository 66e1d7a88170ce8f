/**
 * Reconnection policy: jittered exponential backoff (AWS asks for it; Amplify's fixed schedule
 * makes every client of a region reconnect in lockstep) and which failures are worth retrying.
 */
import {
  TransportClosed,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportServerError,
  type TransportError,
} from '../errors.js';
import { isAuthFailure } from './graphql-protocol.js';
import { checkFunction, checkMs } from '../options.js';

export interface RetryOptions {
  /** Consecutive failed reconnection attempts before giving up. @default Infinity */
  attempts?: number;
  /** Delay before the first reconnection attempt, doubled on each further attempt, in ms. @default 1000 */
  baseDelayMs?: number;
  /** Upper bound of the delay, in ms. @default 30000 */
  maxDelayMs?: number;
  /**
   * Asked for every failure that the built-in rules would retry; return false to give up and
   * fail the subscriptions with `error`. Auth failures and user closes are never retried twice.
   */
  shouldRetry?: (error: TransportError) => boolean;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  shouldRetry: (error: TransportError) => boolean;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  attempts: Infinity,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  shouldRetry: () => true,
});

export function retryPolicy(option: boolean | RetryOptions | undefined): RetryPolicy | undefined {
  if (option === false) return undefined;
  if (option === undefined || option === true) return DEFAULT_RETRY;
  if (typeof option !== 'object' || option === null) {
    throw new TransportConfigurationError(`Expected retry to be true, false or an options object, but got ${typeof option}.`);
  }
  const policy: RetryPolicy = {
    attempts: option.attempts ?? DEFAULT_RETRY.attempts,
    baseDelayMs: option.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: option.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    shouldRetry: checkFunction('retry.shouldRetry', option.shouldRetry) ?? DEFAULT_RETRY.shouldRetry,
  };
  if (typeof policy.attempts !== 'number' || Number.isNaN(policy.attempts) || policy.attempts < 0) {
    throw new TransportConfigurationError(`Expected retry.attempts to be a number >= 0 (Infinity: no limit), but got ${String(policy.attempts)}.`);
  }
  checkMs('retry.baseDelayMs', policy.baseDelayMs);
  checkMs('retry.maxDelayMs', policy.maxDelayMs);
  return policy;
}

/**
 * Delay before attempt `attempt` (1-based): `min(maxDelayMs, baseDelayMs · 2^(attempt-1))`,
 * then "equal jitter": a uniformly random point in its upper half, so clients spread out but
 * never retry sooner than half the nominal delay.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

export type FailureKind = 'final' | 'auth' | 'retry';

/** How the built-in rules classify a failure. */
export function classifyFailure(error: TransportError): FailureKind {
  if (error instanceof TransportClosed || error instanceof TransportConfigurationError) return 'final';
  if (error instanceof TransportServerError) {
    return isAuthFailure(error.errors, error.statusCode) ? 'auth' : 'retry';
  }
  if (error instanceof TransportConnectionFailed && error.statusCode !== undefined) {
    const status = error.statusCode;
    if (status === 401 || status === 403) return 'auth';
    // Other 4xx (wrong path, bad request) will not fix themselves; 408 and 429 may.
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return 'final';
  }
  if (error.name === 'TransportAuthError') return 'auth';
  return 'retry';
}
