/**
 * The `started` promise of a subscription: resolves at its first acknowledgement, or when it is
 * ended before one; rejects with its error when it fails before one. The promise is made on
 * first read only (most consumers never ask), and is never an unhandled rejection when unread.
 */
const PENDING = 0;
const STARTED = 1;
const ENDED = 2;
const FAILED = 3;

const ignore = (): void => {};

export class Readiness {
  #state = PENDING;
  #error: unknown;
  #deferred: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;

  get promise(): Promise<void> {
    if (this.#deferred === undefined) {
      let resolve = ignore;
      let reject: (error: unknown) => void = ignore;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(ignore);
      this.#deferred = { promise, resolve, reject };
      if (this.#state === STARTED || this.#state === ENDED) resolve();
      else if (this.#state === FAILED) reject(this.#error);
    }
    return this.#deferred.promise;
  }

  /** Acknowledged: live. */
  started(): void {
    this.#settle(STARTED);
  }

  /** Ended (by its consumer or the server) before any acknowledgement. */
  ended(): void {
    this.#settle(ENDED);
  }

  failed(error: unknown): void {
    this.#settle(FAILED, error);
  }

  #settle(state: number, error?: unknown): void {
    if (this.#state !== PENDING) return;
    this.#state = state;
    if (state === FAILED) {
      this.#error = error;
      this.#deferred?.reject(error);
    } else {
      this.#deferred?.resolve();
    }
  }
}
