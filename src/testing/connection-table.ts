/**
 * The open sockets of a local engine (GraphQL or Events) and what closing one means: every timer
 * cleared, every subscription forgotten, waiters told. Shared so both engines close alike.
 */
import type { Peer } from './engine-core.js';

export interface TrackedConnection<Sub> {
  id: number;
  peer: Peer;
  closed: boolean;
  subscriptions: Map<string, Sub>;
  kaTimer: ReturnType<typeof setInterval> | undefined;
  /** One-shot timers (delayed acks); cleared on close. */
  timers: Set<ReturnType<typeof setTimeout>>;
}

export class ConnectionTable<Sub, S extends TrackedConnection<Sub>> {
  readonly #open = new Map<number, S>();
  #nextId = 1;
  #accepted = 0;
  readonly #onChange: () => void;

  /** @param onChange called after every open and close (the engine re-checks its waiters). */
  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** Number of connections ever accepted. */
  get accepted(): number {
    return this.#accepted;
  }

  nextId(): number {
    return this.#nextId++;
  }

  add(state: S): void {
    this.#open.set(state.id, state);
    this.#accepted++;
    this.#onChange();
  }

  /** Forgets a connection that closed (or that we closed); idempotent. */
  close(state: S): void {
    if (state.closed) return;
    state.closed = true;
    if (state.kaTimer !== undefined) clearInterval(state.kaTimer);
    for (const timer of state.timers) clearTimeout(timer);
    state.timers.clear();
    state.subscriptions.clear();
    this.#open.delete(state.id);
    this.#onChange();
  }

  values(): IterableIterator<S> {
    return this.#open.values();
  }

  ids(): number[] {
    return [...this.#open.keys()];
  }

  /** Active subscriptions on every open connection. */
  subscriptions(): Sub[] {
    const all: Sub[] = [];
    for (const state of this.#open.values()) all.push(...state.subscriptions.values());
    return all;
  }

  /** Closes every connection with a close frame (`code`), or drops it without one (fault injection). */
  drop(options: { code?: number; reason?: string; terminate?: boolean }): void {
    for (const state of [...this.#open.values()]) {
      if (options.terminate) state.peer.terminate();
      else state.peer.close(options.code ?? 1001, options.reason ?? 'going away');
      this.close(state);
    }
  }

  /** Terminates every connection and clears every timer. */
  shutdown(): void {
    for (const state of [...this.#open.values()]) {
      state.peer.terminate();
      this.close(state);
    }
  }
}
