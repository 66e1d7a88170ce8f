/**
 * Node's wake-up source: a timer that fires far later than it was set for means the process did
 * not run meanwhile (suspended by SIGSTOP, a closed laptop lid, a debugger, a blocked event loop).
 * One timer for every client of the process, unref'd so that it never keeps a process alive.
 */
import type { WakeUpSource } from '../transport/wake-ups.js';

/** How often the timer fires, in ms. */
export const DRIFT_TICK_MS = 1000;
/** Lateness that counts as a wake-up, in ms. */
export const DRIFT_THRESHOLD_MS = 3000;

export interface DriftClock {
  /** A monotonic clock (ms). It stops while the machine sleeps on Linux, so the wall clock is read too. */
  monotonic(): number;
  /** The wall clock (ms): it goes on while the machine sleeps. */
  wall(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: DriftClock = {
  monotonic: () => performance.now(),
  wall: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    (timer as { unref?: () => void }).unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A wake-up source that watches its timer's lateness on `clock`; listeners share one timer. */
export function timerDriftWakeUps(clock: DriftClock = systemClock): WakeUpSource {
  const listeners = new Set<(reason: string) => void>();
  let timer: unknown;
  let expected = { monotonic: 0, wall: 0 };
  const arm = (): void => {
    expected = { monotonic: clock.monotonic() + DRIFT_TICK_MS, wall: clock.wall() + DRIFT_TICK_MS };
    timer = clock.setTimeout(tick, DRIFT_TICK_MS);
  };
  const tick = (): void => {
    const late = Math.max(clock.monotonic() - expected.monotonic, clock.wall() - expected.wall);
    arm();
    if (late < DRIFT_THRESHOLD_MS) return;
    const reason = `the process did not run for about ${Math.round((late + DRIFT_TICK_MS) / 1000)} s (suspended, asleep or blocked)`;
    for (const listener of [...listeners]) listener(reason);
  };
  return (listener) => {
    const onDrift = (reason: string): void => listener({ type: 'wake', reason });
    listeners.add(onDrift);
    if (listeners.size === 1) arm();
    return () => {
      if (!listeners.delete(onDrift) || listeners.size > 0) return;
      clock.clearTimeout(timer);
      timer = undefined;
    };
  };
}
