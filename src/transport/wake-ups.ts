/**
 * Wake-ups: moments when a socket may have died without a word (sleep, a network change, a
 * backgrounded tab), so the client checks it instead of waiting for the keep-alive timeout
 * (AppSync's is 5 minutes). A source is injectable, so tests need no real sleep.
 */

/** What a wake-up source reports. @inline */
export type WakeUp =
  /** Something happened after which the socket may be dead; `reason` says what, for logs. */
  | { type: 'wake'; reason: string }
  /** The platform says the network is gone: nothing is torn down, the state says `offline`. */
  | { type: 'offline' }
  /** The network is back: a wake-up too. */
  | { type: 'online' };

/** Calls `listener` on each wake-up; returns the function that stops listening (harmless twice). @inline */
export type WakeUpSource = (listener: (wakeUp: WakeUp) => void) => () => void;

interface EventTargetLike {
  addEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
  removeEventListener(type: string, listener: (event: { persisted?: boolean }) => void): void;
}

/**
 * Browsers (and runtimes with window events): `online` and `offline`, the page becoming visible,
 * restored from the back-forward cache (`pageshow` with `persisted`), or resumed after being
 * frozen (`resume`, Page Lifecycle API, where it exists).
 */
export function domWakeUps(
  win: EventTargetLike | undefined = globalThis as unknown as EventTargetLike,
  doc: (EventTargetLike & { visibilityState?: string }) | undefined = (globalThis as { document?: EventTargetLike & { visibilityState?: string } }).document,
): WakeUpSource {
  return (listener) => {
    const handlers: Array<[EventTargetLike | undefined, string, (event: { persisted?: boolean }) => void]> = [
      [win, 'online', () => listener({ type: 'online' })],
      [win, 'offline', () => listener({ type: 'offline' })],
      [win, 'pageshow', (event) => event?.persisted === true && listener({ type: 'wake', reason: 'the page came back from the back-forward cache' })],
      [doc, 'visibilitychange', () => doc?.visibilityState === 'visible' && listener({ type: 'wake', reason: 'the page became visible' })],
      [doc, 'resume', () => listener({ type: 'wake', reason: 'the page was resumed' })],
    ];
    // The removals are taken now: stopping must work (and never throw) whatever happens to the
    // targets meanwhile.
    const removals: Array<() => void> = [];
    for (const [target, type, handler] of handlers) {
      if (typeof target?.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') continue;
      const remove = target.removeEventListener;
      target.addEventListener(type, handler);
      removals.push(() => remove.call(target, type, handler));
    }
    return () => {
      for (const remove of removals.splice(0)) remove();
    };
  };
}

/** Every wake-up of each source. */
export function combineWakeUps(...sources: WakeUpSource[]): WakeUpSource {
  return (listener) => {
    const stops = sources.map((source) => source(listener));
    return () => {
      for (const stop of stops) stop();
    };
  };
}
