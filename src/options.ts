/**
 * Checks of option values shared by every client, so that a wrong type is a
 * `TransportConfigurationError` at construction rather than a TypeError later. Timeouts are the
 * same everywhere: a number of milliseconds; null or 0 means no timer.
 */
import { TransportConfigurationError } from './errors.js';

/**
 * The longest delay a timer can hold: `setTimeout` stores it in 32 bits and fires at once (after
 * a warning in Node) for anything longer, so a longer option would make its timer fire at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Whether `ms` asks for a timer (a finite number > 0). */
export function armed(ms: number | null | undefined): ms is number {
  return typeof ms === 'number' && ms > 0 && Number.isFinite(ms);
}

/** Checks the duration option `name`: a number of milliseconds from 0 to {@link MAX_TIMER_MS}. */
export function checkMs(name: string, value: unknown, nullable = false): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TransportConfigurationError(
      `Expected ${name} to be a number of milliseconds >= 0${nullable ? ' or null' : ''}, but got ${typeof value === 'number' ? String(value) : typeof value}.`,
    );
  }
  if (value > MAX_TIMER_MS) {
    throw new TransportConfigurationError(
      `Expected ${name} to be at most ${MAX_TIMER_MS} ms (about 24.8 days, the longest delay a timer holds), but got ${String(value)}.${nullable ? ' Pass null to wait forever.' : ''}`,
    );
  }
}

/** Checks the timeout option `name`: `fallback` when undefined, else a number of ms or null. */
export function checkTimeout(name: string, value: number | null | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  checkMs(name, value, true);
  return value;
}

/** A delay the server chose (keep-alive): at most what a timer can hold. */
export function clampMs(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}

/** An option that must be a function when given. */
export function checkFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new TransportConfigurationError(`Expected ${name} to be a function, but got ${typeof value}.`);
  }
  return value;
}

/** A `signal` option: an AbortSignal (anything with addEventListener) when given. */
export function checkSignal(signal: AbortSignal | undefined): void {
  if (signal !== undefined && typeof signal?.addEventListener !== 'function') {
    throw new TransportConfigurationError(`Expected signal to be an AbortSignal, but got ${typeof signal}.`);
  }
}
