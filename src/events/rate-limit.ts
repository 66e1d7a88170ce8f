/**
 * AppSync Events accepts at most 25 publishes per second on one connection (docs/PROTOCOL.md
 * §5.2). Going faster is not an error to report but a queue to wait in: this limiter hands out
 * send slots in call order, never more than `limit` within any `windowMs` (a sliding window,
 * which, unlike a token bucket, cannot burst to twice the limit around a window edge).
 */

/** Time as the limiter sees it; inject one to test queueing without waiting. */
export interface EventsClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: EventsClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  detach: (() => void) | undefined;
}

export class SlidingWindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: EventsClock;
  /** Times of the last (at most `limit`) slots handed out, oldest first. */
  readonly #granted: number[] = [];
  readonly #queue: Waiter[] = [];
  #timer: unknown;

  constructor(limit: number, windowMs: number, clock: EventsClock = systemClock) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#clock = clock;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Resolves when a publish may be sent, in call order. Rejects with the signal's reason if
   * `signal` aborts first (its place is given to the next caller).
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, detach: undefined };
      if (signal) {
        const onAbort = (): void => {
          const at = this.#queue.indexOf(waiter);
          if (at !== -1) this.#queue.splice(at, 1);
          reject(signal.reason);
          this.#pump();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** Rejects every waiting caller with `error` (the client is closing). */
  rejectAll(error: unknown): void {
    this.#stopTimer();
    for (const waiter of this.#queue.splice(0)) {
      waiter.detach?.();
      waiter.reject(error);
    }
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const now = this.#clock.now();
      while (this.#granted.length > 0 && (this.#granted[0] as number) <= now - this.#windowMs) this.#granted.shift();
      if (this.#granted.length >= this.#limit) {
        // Full: wake when the oldest slot leaves the window.
        if (this.#timer === undefined) {
          const wait = (this.#granted[0] as number) + this.#windowMs - now;
          this.#timer = this.#clock.setTimeout(() => {
            this.#timer = undefined;
            this.#pump();
          }, Math.max(wait, 0));
        }
        return;
      }
      const waiter = this.#queue.shift() as Waiter;
      this.#granted.push(now);
      waiter.detach?.();
      waiter.resolve();
    }
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
