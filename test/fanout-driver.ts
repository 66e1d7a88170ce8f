/**
 * Many bare subscribers for load tests and `npm run bench`: N sockets with M subscriptions
 * each, every `data` frame counted by subscription and message id, with its arrival time.
 * Speaks only the wire protocol, so it drives the local AppSync and the Amplify simulator alike.
 */
import WebSocket from 'ws';

export interface FanoutOptions {
  /** `ws://127.0.0.1:<port>/graphql/realtime` */
  realtimeUrl: string;
  /** The auth object's host. */
  host: string;
  apiKey: string;
  connections: number;
  subscriptionsPerConnection: number;
  /** A subscription whose root field's value has an `id`. */
  query: string;
  /** Where the auth object travels: AppSync's `header-` subprotocol, or the query string (the simulator reads only that). */
  handshake: 'subprotocol' | 'query';
  /** Sockets opened at once. @default 100 */
  openBatch?: number;
}

type Waiter = { done: () => boolean; resolve: () => void; timer: ReturnType<typeof setTimeout> };

export class Fanout {
  readonly #sockets: WebSocket[] = [];
  /** Message ids received, in order, by subscription (`<socket>/<id>`). */
  readonly received = new Map<string, string[]>();
  /** Arrival times (`performance.now()`) by message id. */
  readonly arrivals = new Map<string, number[]>();
  #total = 0;
  #acks = 0;
  #waiters = new Set<Waiter>();
  readonly #options: FanoutOptions;

  private constructor(options: FanoutOptions) {
    this.#options = options;
  }

  /** Opens every socket and starts every subscription; resolves once all are acknowledged. */
  static async open(options: FanoutOptions, timeoutMs = 60_000): Promise<Fanout> {
    const fanout = new Fanout(options);
    const batch = options.openBatch ?? 100;
    for (let first = 0; first < options.connections; first += batch) {
      const count = Math.min(batch, options.connections - first);
      await Promise.all(Array.from({ length: count }, (_, i) => fanout.#connect(first + i)));
    }
    const expected = options.connections * options.subscriptionsPerConnection;
    await fanout.#until(() => fanout.#acks === expected, timeoutMs, () => `${fanout.#acks} of ${expected} start_acks`);
    return fanout;
  }

  /** Data frames received so far, over every subscription. */
  get total(): number {
    return this.#total;
  }

  /** Resolves once `total` data frames have arrived in all; rejects after `timeoutMs` (a hang guard, not a measurement). */
  whenReceived(total: number, timeoutMs = 60_000): Promise<void> {
    return this.#until(() => this.#total >= total, timeoutMs, () => `${this.#total} of ${total} data frames`);
  }

  /** Subscriptions that did not get exactly `expected` (in that order, once each), described. */
  mismatches(expected: readonly string[]): string[] {
    const want = expected.join(',');
    const wrong: string[] = [];
    for (const [key, ids] of this.received) if (ids.join(',') !== want) wrong.push(`${key}: ${ids.join(',')}`);
    const subscriptions = this.#options.connections * this.#options.subscriptionsPerConnection;
    if (this.received.size !== subscriptions) wrong.push(`${subscriptions - this.received.size} subscriptions got nothing`);
    return wrong;
  }

  close(): void {
    for (const ws of this.#sockets) ws.terminate();
    for (const waiter of this.#waiters) clearTimeout(waiter.timer);
    this.#waiters.clear();
  }

  #connect(index: number): Promise<void> {
    const { realtimeUrl, host, apiKey, handshake, query, subscriptionsPerConnection } = this.#options;
    const auth = { host, 'x-api-key': apiKey };
    const json = JSON.stringify(auth);
    const ws =
      handshake === 'query'
        ? new WebSocket(`${realtimeUrl}?header=${encodeURIComponent(Buffer.from(json).toString('base64'))}&payload=e30=`, ['graphql-ws'])
        : new WebSocket(realtimeUrl, ['graphql-ws', `header-${Buffer.from(json).toString('base64url')}`]);
    this.#sockets.push(ws);
    const data = JSON.stringify({ query, variables: {} });
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('open', () => ws.send('{"type":"connection_init"}'));
      ws.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as { type: string; id?: string; payload?: { data?: Record<string, { id?: string } | null> } };
        if (frame.type === 'connection_ack') {
          for (let s = 0; s < subscriptionsPerConnection; s++) {
            ws.send(JSON.stringify({ id: `s${s}`, type: 'start', payload: { data, extensions: { authorization: auth } } }));
          }
          resolve();
        } else if (frame.type === 'start_ack') {
          this.#acks++;
          this.#wake();
        } else if (frame.type === 'data') {
          const value = Object.values(frame.payload?.data ?? {})[0];
          const id = value?.id ?? '?';
          const key = `${index}/${frame.id}`;
          const ids = this.received.get(key) ?? [];
          ids.push(id);
          this.received.set(key, ids);
          const times = this.arrivals.get(id) ?? [];
          times.push(performance.now());
          this.arrivals.set(id, times);
          this.#total++;
          this.#wake();
        }
      });
    });
  }

  #until(done: () => boolean, timeoutMs: number, progress: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        done,
        resolve,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(new Error(`fan-out: only ${progress()} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      if (!waiter.done()) continue;
      clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      waiter.resolve();
    }
  }
}
