/** Conditions tests wait on, re-checked whenever an engine reports that something happened. */
type Waiter = { check: () => boolean; resolve: () => void };

export class Waiters {
  #waiters: Waiter[] = [];

  /** Resolves once `check()` is true; rejects after `timeoutMs` so a test never hangs. */
  waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`waitFor: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Something happened: resolve every waiter whose condition now holds. */
  notify(): void {
    if (this.#waiters.length === 0) return;
    const ready = this.#waiters.filter((w) => w.check());
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }
}
