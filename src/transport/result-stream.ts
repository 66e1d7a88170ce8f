/**
 * A push-based async iterator: the transport pushes results, the user pulls them with
 * `for await`. Written by hand rather than as an async generator because this is the hot path
 * (one `push` per data frame) and because `return()` must run the cleanup synchronously so
 * that `break` sends `stop` at once.
 */
import { TransportBufferOverflowError } from '../errors.js';
import { Readiness } from './readiness.js';

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<never> = Object.freeze({ done: true, value: undefined });

export interface SubscriptionIterator<T> extends AsyncIterableIterator<T> {
  /**
   * Resolves when the server acknowledges the subscription (`start_ack`; Events:
   * `subscribe_success`): from then on it is live. Resolves too if you end it first; rejects with
   * its typed error if it fails first. Reading it is optional: unread, it never becomes an
   * unhandled rejection.
   */
  readonly started: Promise<void>;
}

export class ResultStream<T> implements SubscriptionIterator<T> {
  #buffer: T[] = [];
  #head = 0;
  #waiter: Waiter<T> | undefined;
  #error: unknown;
  #hasError = false;
  #ended = false;
  #onReturn: (() => void) | undefined;
  readonly #maxBuffered: number;
  readonly #readiness = new Readiness();

  /**
   * @param onReturn called once when the consumer leaves early (`break`, `return()`) or the
   *   buffer overflows, not when the stream ends or fails from the transport's side.
   * @param maxBuffered results kept for a slow consumer; one more fails the stream with
   *   `TransportBufferOverflowError` (after those). `Infinity` (the default) never fails.
   */
  constructor(onReturn: () => void, maxBuffered = Infinity) {
    this.#onReturn = onReturn;
    this.#maxBuffered = maxBuffered;
  }

  /** See {@link SubscriptionIterator.started}. */
  get started(): Promise<void> {
    return this.#readiness.promise;
  }

  /** The server acknowledged the subscription (first time). */
  acknowledged(): void {
    this.#readiness.started();
  }

  push(value: T): void {
    if (this.#ended || this.#hasError) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ done: false, value });
      return;
    }
    if (this.#buffer.length - this.#head >= this.#maxBuffered) {
      // Stopped like a consumer that left (stop sent, out of the registry, never resubscribed);
      // the consumer still reads the results kept, then the error.
      const stop = this.#onReturn;
      this.fail(
        new TransportBufferOverflowError(
          `Expected the consumer to keep up with this subscription, but ${this.#maxBuffered} results were waiting to be read (maxBufferedResults) when another arrived; the subscription was stopped. Read results faster, or raise maxBufferedResults.`,
        ),
      );
      stop?.();
      return;
    }
    this.#buffer.push(value);
  }

  /** Ends with an error, after the consumer has read everything already buffered. */
  fail(error: unknown): void {
    if (this.#ended || this.#hasError) return;
    this.#readiness.failed(error);
    this.#hasError = true;
    this.#error = error;
    this.#onReturn = undefined;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#hasError = false;
      this.#ended = true;
      waiter.reject(error);
    }
  }

  /** Ends normally, after the consumer has read everything already buffered. */
  end(): void {
    if (this.#ended || this.#hasError) return;
    this.#readiness.ended();
    this.#ended = true;
    this.#onReturn = undefined;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve(DONE);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#buffer.length) {
      const value = this.#buffer[this.#head] as T;
      this.#buffer[this.#head++] = undefined as T;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#hasError) {
      // Thrown once; after that the iterator is simply done.
      this.#hasError = false;
      this.#ended = true;
      const error = this.#error;
      this.#error = undefined;
      return Promise.reject(error);
    }
    if (this.#ended) return Promise.resolve(DONE);
    if (this.#waiter !== undefined) {
      return Promise.reject(new TypeError('next() called again before the previous call settled'));
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#leave();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#leave();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #leave(): void {
    this.#readiness.ended();
    const onReturn = this.#onReturn;
    this.#onReturn = undefined;
    this.#buffer = [];
    this.#head = 0;
    this.#ended = true;
    this.#hasError = false;
    this.#error = undefined;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(DONE);
    onReturn?.();
  }
}
