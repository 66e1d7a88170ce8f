/**
 * Bounding work the library does not control (an auth provider, a credentials chain): it must
 * settle within a deadline or when a signal aborts, and whatever it does later is ignored,
 * never an unhandled rejection.
 */
import { armed } from './options.js';
import type { Cancellation } from './transport/session.js';

export interface Deadline {
  /** null or 0: no time limit. */
  ms: number | null;
  /** The error when `ms` passes first. */
  timeout: () => Error;
  /** Each also stops waiting (close() during a connect, a caller's signal), with its reason. */
  signals?: ReadonlyArray<Cancellation | undefined>;
}

export function withDeadline<T>(work: Promise<T>, deadline: Deadline): Promise<T> {
  const { ms } = deadline;
  const signals = (deadline.signals ?? []).filter((signal): signal is Cancellation => signal !== undefined);
  if (!armed(ms) && signals.length === 0) return work;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      settle();
      // The work goes on; what it ends with is nobody's business now.
      work.catch(() => {});
      reject(signals.find((signal) => signal.aborted)?.reason);
    };
    if (signals.some((signal) => signal.aborted)) return onAbort();
    for (const signal of signals) signal.addEventListener('abort', onAbort, { once: true });
    if (armed(ms)) {
      timer = setTimeout(() => {
        settle();
        work.catch(() => {});
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
