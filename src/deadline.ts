/**
 * Bounding work the library does not control (an auth provider, a credentials chain): it must
 * settle within a deadline or when a signal aborts, and whatever it does later is ignored,
 * never an unhandled rejection.
 */
import { armed } from './options.js';

export interface Deadline {
  /** null or 0: no time limit. */
  ms: number | null;
  /** The error when `ms` passes first. */
  timeout: () => Error;
  /** Also stops waiting (`close()` during a connect). */
  signal?: AbortSignal | undefined;
  /** The error when `signal` aborts first. */
  aborted?: () => Error;
}

export function withDeadline<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  const { ms, signal } = deadline;
  if (!armed(ms) && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      settle();
      reject(deadline.aborted?.() ?? signal?.reason);
    };
    if (signal?.aborted) {
      onAbort();
      // The work goes on; what it ends with is nobody's business now.
      work.catch(() => {});
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    if (armed(ms)) {
      timer = setTimeout(() => {
        settle();
        reject(deadline.timeout());
      }, ms);
    }
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
