/**
 * Checks of option values shared by every client, so that a wrong type is a
 * `TransportConfigurationError` at construction rather than a TypeError later. Timeouts are the
 * same everywhere: a number of milliseconds; null or 0 means no timer.
 */
import { TransportConfigurationError } from './errors.js';

/** Whether `ms` asks for a timer (a finite number > 0). */
export function armed(ms: number | null | undefined): ms is number {
  return typeof ms === 'number' && ms > 0 && Number.isFinite(ms);
}

/** Checks the timeout option `name`: `fallback` when undefined, else a number >= 0 or null. */
export function checkTimeout(name: string, value: number | null | undefined, fallback: number | null): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TransportConfigurationError(`Expected ${name} to be a number of milliseconds >= 0 or null, but got ${String(value)}.`);
  }
  return value;
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
