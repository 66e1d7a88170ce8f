/**
 * The lazy chunk of what a connection needs only after it is up (see `later-loader.ts`): the
 * wake-up liveness probe. It imports nothing at run time: a lazy chunk sharing a module with
 * the first load would split that module into a chunk of its own, which costs more than this
 * one saves. What it needs comes in as arguments.
 */

/** The part of a `ws` socket a ping needs; browsers' sockets have none of it. */
export interface Pingable {
  ping?: () => void;
  once?: (event: string, listener: () => void) => void;
  off?: (event: string, listener: () => void) => void;
}

/** AppSync sends `ka` about every minute (the protocol notes); the guess before any gap is seen. */
const DEFAULT_KA_INTERVAL_MS = 60_000;

/**
 * The interval at which `ka` frames arrive on a connection: the median of its last gaps (a
 * stall's one long gap does not move it), or AppSync's usual minute before any was seen.
 */
export function kaIntervalMs(gaps: readonly number[]): number {
  if (gaps.length === 0) return DEFAULT_KA_INTERVAL_MS;
  const sorted = [...gaps].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

/**
 * One liveness probe (see `Connection.probe`): with `ws`, a ping answered within `timeoutMs`;
 * without ping, any frame within the learned `ka` interval plus `timeoutMs`. `listen` hands the
 * connection the function it calls on any frame (true) or at its end (false).
 */
export function runProbe(
  socket: Pingable,
  timeoutMs: number,
  kaGaps: readonly number[],
  listen: (done: ((alive: boolean) => void) | undefined) => void,
  clamp: (ms: number) => number,
): Promise<boolean> {
  const canPing = typeof socket.ping === 'function' && typeof socket.once === 'function';
  return new Promise<boolean>((resolve) => {
    const onPong = (): void => done(true);
    let finished = false;
    const done = (alive: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (canPing) socket.off?.('pong', onPong);
      listen(undefined);
      resolve(alive);
    };
    listen(done);
    let timer: ReturnType<typeof setTimeout> = setTimeout(() => {
      // As the keep-alive check: a stalled event loop runs expired timers before it reads the
      // sockets, so the answer may be waiting unread. One more turn for pending I/O first.
      timer = setTimeout(() => done(false), 0);
    }, clamp(timeoutMs + (canPing ? 0 : kaIntervalMs(kaGaps))));
    if (canPing) {
      socket.once?.('pong', onPong);
      try {
        socket.ping?.();
      } catch {
        done(false);
      }
    }
  });
}

/** The liveness check's failure: the wake-up's reason and the limit, for the `TransportTimeoutError`. */
export function livenessMessage(reason: string, ms: number): string {
  return `After a wake-up (${reason}), expected a sign of life from the server within ${ms} ms (livenessTimeoutMs), but none came: the connection was dead, so it was replaced.`;
}
