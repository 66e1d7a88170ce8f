/**
 * Keys forgotten `ttlMs` after they were added, with one timer for all of them: keys added
 * later expire later, so the timer only ever waits for the oldest. Used for the ids of stopped
 * subscriptions whose confirmation a server may never send.
 */
export class ExpiringKeys<K> {
  readonly #ttlMs: number;
  readonly #onExpire: (key: K) => void;
  readonly #now: () => number;
  /** Key → when it expires, in insertion (and so expiry) order. */
  readonly #deadlines = new Map<K, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param now a monotonic clock in ms. @default performance.now */
  constructor(ttlMs: number, onExpire: (key: K) => void, now: () => number = () => performance.now()) {
    this.#ttlMs = ttlMs;
    this.#onExpire = onExpire;
    this.#now = now;
  }

  get size(): number {
    return this.#deadlines.size;
  }

  add(key: K): void {
    this.#deadlines.delete(key);
    this.#deadlines.set(key, this.#now() + this.#ttlMs);
    if (this.#timer === undefined) this.#arm();
  }

  /** Forgets `key` without calling `onExpire`. */
  delete(key: K): void {
    this.#deadlines.delete(key);
  }

  /** Forgets every key, and the timer. */
  clear(): void {
    this.#deadlines.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    const oldest = this.#deadlines.values().next();
    if (oldest.done === true) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = this.#now();
      for (const [key, deadline] of this.#deadlines) {
        if (deadline > now) break;
        this.#deadlines.delete(key);
        this.#onExpire(key);
      }
      this.#arm();
    }, Math.max(oldest.value - this.#now(), 0));
  }
}
