/**
 * One WebSocket's life, from open to close: the open (within `connectTimeoutMs`), the handshake
 * (`connection_init` → ack within `ackTimeoutMs`), keep-alive, frame parsing and the single
 * place where the connection ends. It knows nothing of subscriptions; the protocol specifics
 * come in as {@link RealtimeProtocol} so that the GraphQL and Events transports share it.
 */
import {
  TransportConnectionFailed,
  TransportError,
  TransportProtocolError,
  TransportTimeoutError,
  errorName,
} from '../errors.js';
import { redactUrl } from '../protocol/url.js';
import { armed, clampMs } from '../options.js';
import {
  CLOSED,
  CONNECTING,
  OPEN,
  createWebSocket,
  noteOpenError,
  openFailure,
  openTimeout,
  webSocketImplementation,
  type Implementation,
  type OpenAttempt,
  type OpenOptions,
  type WebSocketLike,
} from '../socket/websocket.js';
import type { Cancellation } from './session.js';

/** What a real-time protocol tells the connection about its frames. */
export interface RealtimeProtocol<M extends { type: string }> {
  /** The first frame after open (`connection_init`). */
  initMessage: string;
  /** Parses and validates a frame; throws `TransportProtocolError`. */
  parse(frame: unknown): M;
  /** For the ack frame: its payload (kept in `payloads.connection_ack`) and the server's keep-alive timeout. */
  ack(message: M): { payload: unknown; keepAliveMs: number | undefined } | undefined;
  /** For a frame that ends the whole connection (`connection_error`): the error. */
  connectionError(message: M): TransportError | undefined;
}

export interface ConnectionOptions extends OpenOptions {
  /** null: wait forever. */
  ackTimeoutMs: number | null;
  /** undefined: the server's value from the ack; null: disabled. */
  keepAliveTimeoutMs: number | null | undefined;
  /** Aborts the open and the handshake (close() during connect): the open rejects with the signal's reason. */
  signal?: Cancellation | undefined;
}

/** Close code we use for protocol violations by the server (4000–4999 are free for applications). */
export const CLOSE_PROTOCOL_ERROR = 4400;
/** Close code for a connection we give up on because it went silent. */
export const CLOSE_KEEP_ALIVE = 4408;

/** AppSync sends `ka` about every minute (the protocol notes); the guess before any gap is seen. */
const DEFAULT_KA_INTERVAL_MS = 60_000;
/** Gaps kept for the median `ka` interval. */
const KA_GAPS_KEPT = 5;
/** Shorter gaps are frames read back to back, not the server's interval. */
const MIN_KA_GAP_MS = 5;

/** A monotonic clock: a wall clock stepped back (NTP, a user) must not hide a dead socket. */
const now = (): number => performance.now();

const ignore = (): void => {};

type Phase = 'opening' | 'handshake' | 'open';

export class Connection<M extends { type: string }> {
  /** The ack's payload, once acknowledged. */
  ackPayload: unknown;
  readonly #socket: WebSocketLike;
  readonly #protocol: RealtimeProtocol<M>;
  readonly #options: ConnectionOptions;
  readonly #safeUrl: string;
  #phase: Phase = 'opening';
  /** What the socket said while opening (a refused upgrade's status). */
  readonly #attempt: OpenAttempt = { status: undefined, lastError: undefined };
  /** The connect timeout, then the ack timeout, then the keep-alive check: one timer at a time. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFrameAt = 0;
  /** When the last `ka` arrived, and the interval between the last two (learned, for probes without ping). */
  #lastKaAt: number | undefined;
  /** The last few gaps between `ka` frames, for the median. */
  readonly #kaGaps: number[] = [];
  /** A liveness probe under way: told of any frame, a pong, or the end. */
  #probe: ((alive: boolean) => void) | undefined;
  #probing: Promise<boolean> | undefined;
  #ended = false;
  #endError: TransportError | undefined;
  #onAck: () => void;
  #onMessage: (message: M) => void = ignore;
  #onEnd: (error: TransportError) => void;
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;

  private constructor(
    implementation: Implementation,
    options: ConnectionOptions,
    protocol: RealtimeProtocol<M>,
    onAck: () => void,
    onEnd: (error: TransportError) => void,
  ) {
    this.#protocol = protocol;
    this.#options = options;
    this.#safeUrl = redactUrl(options.url);
    this.#onAck = onAck;
    this.#onEnd = onEnd;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    const socket = createWebSocket(implementation, options);
    this.#socket = socket;
    // Every listener in the socket's first turn: frames that came with the upgrade response
    // are emitted before any `await` after this could resume, and would be lost.
    socket.addEventListener('open', this.#handleOpen);
    socket.addEventListener('message', this.#handleMessage);
    socket.addEventListener('close', this.#handleClose);
    socket.addEventListener('error', this.#handleError);
    options.signal?.addEventListener('abort', this.#handleAbort, { once: true });
    const ms = options.timeoutMs;
    if (armed(ms)) this.#timer = setTimeout(() => this.#end(openTimeout(options.url, ms)), ms);
  }

  /**
   * Opens the socket and completes the handshake (`connection_init`, then the ack within
   * `ackTimeoutMs`). Rejects with the typed error of whatever went wrong (refused upgrade,
   * timeout, `connection_error`, a malformed frame, a close, the signal) and never leaves the
   * socket open.
   */
  static async open<M extends { type: string }>(options: ConnectionOptions, protocol: RealtimeProtocol<M>): Promise<Connection<M>> {
    const implementation = await webSocketImplementation(options);
    if (options.signal?.aborted) throw options.signal.reason;
    return new Promise<Connection<M>>((resolve, reject) => {
      // Until the ack, the end of the connection is the failure of this open.
      const connection: Connection<M> = new Connection(implementation, options, protocol, () => resolve(connection), reject);
    });
  }

  /**
   * Registers the handlers; `onEnd` is called exactly once, whatever ends the connection. Throws
   * the error that ended it if it ended between the ack and this call: the connection was never
   * usable, so whoever opened it treats that as a failed open.
   */
  attach(onMessage: (message: M) => void, onEnd: (error: TransportError) => void): void {
    if (this.#endError !== undefined) throw this.#endError;
    this.#onMessage = onMessage;
    this.#onEnd = onEnd;
  }

  get isOpen(): boolean {
    return !this.#ended && this.#socket.readyState === OPEN;
  }

  /** Resolves once the socket has closed (or been abandoned after a failure). */
  get closed(): Promise<void> {
    return this.#closed;
  }

  send(frame: string): boolean {
    if (!this.isOpen) return false;
    this.#socket.send(frame);
    return true;
  }

  /**
   * Closes with `code`, waits up to `timeoutMs` for the server's close frame, then abandons the
   * socket. `onEnd` receives `error`.
   */
  async close(code: number, reason: string, error: TransportError, timeoutMs: number | null): Promise<void> {
    this.#end(error, code, reason);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closed,
      new Promise<void>((resolve) => {
        if (armed(timeoutMs)) timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.#abandon();
  }

  /**
   * Checks that the server is still there, for a wake-up: with `ws`, a ping answered within
   * `timeoutMs`; where there is no ping (browsers), any frame within the interval at which `ka`
   * frames have been arriving on this connection (learned from them; AppSync announces only
   * the timeout) plus `timeoutMs`. Resolves false when nothing came, or the connection ended.
   */
  probe(timeoutMs: number): Promise<boolean> {
    if (!this.isOpen) return Promise.resolve(false);
    // Wake-ups come in bursts (online, then visible): one check answers them all.
    if (this.#probing !== undefined) return this.#probing;
    const probing = this.#runProbe(timeoutMs);
    this.#probing = probing;
    void probing.then(() => {
      if (this.#probing === probing) this.#probing = undefined;
    });
    return probing;
  }

  #runProbe(timeoutMs: number): Promise<boolean> {
    const socket = this.#socket as WebSocketLike & { ping?: () => void; once?: (event: string, listener: () => void) => void; off?: (event: string, listener: () => void) => void };
    const canPing = typeof socket.ping === 'function' && typeof socket.once === 'function';
    return new Promise<boolean>((resolve) => {
      const onPong = (): void => done(true);
      const done = (alive: boolean): void => {
        clearTimeout(timer);
        if (canPing) socket.off?.('pong', onPong);
        if (this.#probe === done) this.#probe = undefined;
        resolve(alive);
      };
      this.#probe = done;
      let timer: ReturnType<typeof setTimeout> = setTimeout(() => {
        // As the keep-alive check: a stalled event loop runs expired timers before it reads the
        // sockets, so the answer may be waiting unread. One more turn for pending I/O first.
        timer = setTimeout(() => done(false), 0);
      }, clampMs(timeoutMs + (canPing ? 0 : this.#kaIntervalMs())));
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

  /**
   * The interval at which `ka` frames arrive on this connection: the median of the last gaps (a
   * stall's one long gap does not move it), or AppSync's usual minute before any was seen.
   */
  #kaIntervalMs(): number {
    if (this.#kaGaps.length === 0) return DEFAULT_KA_INTERVAL_MS;
    const sorted = [...this.#kaGaps].sort((a, b) => a - b);
    return sorted[sorted.length >> 1] as number;
  }

  /** Ends the connection because of `error`, with a close frame `code`. */
  fail(error: TransportError, code: number): void {
    this.#end(error, code, error.name.slice(0, 120));
  }

  #handleOpen = (): void => {
    if (this.#ended) return;
    this.#phase = 'handshake';
    this.#clearTimer();
    this.#socket.send(this.#protocol.initMessage);
    const ms = this.#options.ackTimeoutMs;
    if (armed(ms) && this.#phase === 'handshake') {
      this.#timer = setTimeout(() => {
        this.fail(
          new TransportTimeoutError(
            `Expected connection_ack within ${ms} ms (ackTimeoutMs) after connection_init, but none arrived. Check the URL and auth, or raise ackTimeoutMs.`,
            { phase: 'ack', timeoutMs: ms },
          ),
          1000,
        );
      }, ms);
    }
  };

  #handleError = (event: { message?: string; error?: unknown }): void => {
    if (this.#phase === 'opening') noteOpenError(this.#attempt, event);
  };

  #handleAbort = (): void => {
    const reason: unknown = this.#options.signal?.reason;
    this.#end(reason instanceof TransportError ? reason : asTransportError(reason), 1000, 'client closed');
  };

  #handleMessage = (event: { data: unknown }): void => {
    if (this.#ended) return;
    this.#lastFrameAt = now();
    this.#probe?.(true);
    let message: M;
    try {
      message = this.#protocol.parse(event.data);
    } catch (error) {
      this.fail(asTransportError(error), CLOSE_PROTOCOL_ERROR);
      return;
    }
    if (this.#phase !== 'open') {
      const ack = this.#protocol.ack(message);
      if (ack !== undefined) {
        this.#acknowledge(ack.payload, ack.keepAliveMs);
        return;
      }
    }
    if (message.type === 'ka') {
      const gap = this.#lastKaAt === undefined ? undefined : this.#lastFrameAt - this.#lastKaAt;
      // Frames read in one burst (after a stall) say nothing of the interval.
      if (gap !== undefined && gap >= MIN_KA_GAP_MS) {
        this.#kaGaps.push(gap);
        if (this.#kaGaps.length > KA_GAPS_KEPT) this.#kaGaps.shift();
      }
      this.#lastKaAt = this.#lastFrameAt;
      return;
    }
    const connectionError = this.#protocol.connectionError(message);
    if (connectionError !== undefined) this.#end(connectionError, 1000, 'connection error');
    // Anything else before the ack is ignored, as AppSync does.
    else if (this.#phase === 'open') this.#onMessage(message);
  };

  #acknowledge(payload: unknown, serverKeepAliveMs: number | undefined): void {
    this.#phase = 'open';
    this.ackPayload = payload;
    this.#clearTimer();
    const option = this.#options.keepAliveTimeoutMs;
    // A server's value is clamped: setTimeout fires at once for more than 2^31-1 ms.
    const ms = option === null ? undefined : (option ?? (serverKeepAliveMs === undefined ? undefined : clampMs(serverKeepAliveMs)));
    if (armed(ms)) this.#armKeepAlive(ms);
    this.#options.signal?.removeEventListener('abort', this.#handleAbort);
    const onAck = this.#onAck;
    // Until attach(), an end is only recorded (attach() then throws it).
    this.#onEnd = ignore;
    onAck();
  }

  #handleClose = (event: { code?: number; reason?: string }): void => {
    this.#resolveClosed();
    if (this.#ended) return;
    if (this.#phase === 'opening') {
      this.#end(openFailure(this.#options.url, this.#attempt, event));
      return;
    }
    const code = event?.code ?? 1006;
    const reason = event?.reason ?? '';
    const detail = `(code ${code}${reason ? `, reason "${reason}"` : code === 1006 ? ', without a close frame' : ''})`;
    this.#end(
      new TransportConnectionFailed(
        this.#phase === 'open'
          ? `The server closed the connection to ${this.#safeUrl} ${detail}.`
          : `Expected connection_ack from ${this.#safeUrl}, but the server closed the connection ${detail}.`,
        { code, reason },
      ),
    );
  };

  /** Keep-alive: one timer for the whole connection, re-armed lazily instead of on every frame. */
  #armKeepAlive(ms: number): void {
    this.#lastFrameAt = now();
    let graced = false;
    const check = (): void => {
      const silentFor = now() - this.#lastFrameAt;
      if (silentFor < ms) {
        graced = false;
        this.#timer = setTimeout(check, ms - silentFor);
        return;
      }
      if (!graced) {
        // The check may run late (the event loop was blocked, a debugger paused it), with the
        // frames that kept the connection alive still queued unread: let pending I/O run once
        // (a timer set now runs after the poll phase) before declaring the connection dead.
        graced = true;
        this.#timer = setTimeout(check, 0);
        return;
      }
      this.fail(
        new TransportTimeoutError(
          `Expected a frame from the server at least every ${ms} ms (keep-alive), but nothing arrived for ${Math.round(silentFor)} ms: the connection is dead (network change or sleep). Set keepAliveTimeoutMs to change the limit.`,
          { phase: 'keep-alive', timeoutMs: ms },
        ),
        CLOSE_KEEP_ALIVE,
      );
    };
    this.#timer = setTimeout(check, ms);
  }

  #clearTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The single place where the connection ends. */
  #end(error: TransportError, code?: number, reason?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endError = error;
    this.#clearTimer();
    this.#probe?.(false);
    this.#options.signal?.removeEventListener('abort', this.#handleAbort);
    this.#socket.removeEventListener('message', this.#handleMessage);
    const state = this.#socket.readyState;
    if (state === OPEN || state === CONNECTING) {
      try {
        this.#socket.close(code ?? 1000, reason);
      } catch {
        this.#abandon();
      }
    } else {
      this.#resolveClosed();
    }
    const onEnd = this.#onEnd;
    this.#onEnd = ignore;
    onEnd(error);
  }

  /** Stops waiting for a close frame: terminate where the implementation can (`ws`). */
  #abandon(): void {
    const socket = this.#socket as WebSocketLike & { terminate?: () => void };
    if (socket.readyState !== CLOSED) socket.terminate?.();
    this.#resolveClosed();
  }
}

export function asTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  // By its class only: an unexpected error may quote anything, a secret included.
  return new TransportProtocolError(`Unexpected failure in the client: ${errorName(error)}. The original error is in \`cause\`.`, { cause: error });
}
