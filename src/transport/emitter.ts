/**
 * An error thrown by the app's own callback (a listener, a hook, an observer): reported like an
 * uncaught error in an event listener, as EventTarget does, while the library goes on.
 */
export function reportLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

/** A tiny typed event emitter: `on` returns its own cleanup, harmless to call twice. */
export class Emitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      this.#listeners.get(event)?.delete(listener as (payload: never) => void);
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined || set.size === 0) return;
    // Over a copy: a listener that unsubscribes (or subscribes) must not disturb this round.
    for (const listener of [...set]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        // A throwing listener must not break the transport.
        reportLater(error);
      }
    }
  }
}
