/**
 * One WebSocket's life, from open to close: the handshake (`connection_init` → ack within
 * `ackTimeoutMs`), keep-alive, frame parsing and the single place where the connection ends.
 * It knows nothing of subscriptions; the protocol specifics come in as {@link RealtimeProtocol}
 * so that the GraphQL and Events transports share it.
 */
import {
  TransportConnectionFailed,
  TransportError,
  TransportProtocolError,
  TransportTimeoutError,
} from '../errors.js';
import { redactUrl } from '../protocol/url.js';
import { armed } from '../options.js';
import { OPEN, openWebSocket, type OpenOptions, type WebSocketLike } from '../socket/websocket.js';

/** What a real-time protocol tells the connection about its frames. */
export interface RealtimeProtocol<M extends { type: string }> {
  /** The first frame after open (`connection_init`). */
  initMessage: string;
  /** Parses and validates a frame; throws `TransportProtocolError`. */
  parse(frame: unknown): M;
  /** For the ack frame: its payload (kept in `payloads.connection_ack`) and the server's keep-alive timeout. */
  ack(message: M): { payload: unknown; keepAliveMs: number | undefined } | undefined;
  /** For a frame that ends the whole connection (`connection_error`, an id-less `error`): the error. */
  connectionError(message: M): TransportError | undefined;
}

export interface ConnectionOptions extends OpenOptions {
  /** null: wait forever. */
  ackTimeoutMs: number | null;
  /** undefined: the server's value from the ack; null: disabled. */
  keepAliveTimeoutMs: number | null | undefined;
}

/** Close code we use for protocol violations by the server (4000–4999 are free for applications). */
export const CLOSE_PROTOCOL_ERROR = 4400;
/** Close code for a connection we give up on because it went silent. */
export const CLOSE_KEEP_ALIVE = 4408;

const ignore = (): void => {};

export class Connection<M extends { type: string }> {
  /** The ack's payload, once acknowledged. */
  ackPayload: unknown;
  readonly #socket: WebSocketLike;
  readonly #protocol: RealtimeProtocol<M>;
  readonly #options: ConnectionOptions;
  readonly #safeUrl: string;
  #acked = false;
  /** The ack timeout until the ack, then the keep-alive check: one timer at a time. */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastFrameAt = 0;
  #ended = false;
  #endError: TransportError | undefined;
  #onAck: () => void = ignore;
  #onMessage: (message: M) => void = ignore;
  #onEnd: (error: TransportError) => void = ignore;
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;

  private constructor(socket: WebSocketLike, protocol: RealtimeProtocol<M>, options: ConnectionOptions) {
    this.#socket = socket;
    this.#protocol = protocol;
    this.#options = options;
    this.#safeUrl = redactUrl(options.url);
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  /**
   * Opens the socket and completes the handshake (`connection_init`, then the ack within
   * `ackTimeoutMs`). Rejects with the typed error of whatever went wrong (refused upgrade,
   * timeout, `connection_error`, a malformed frame, a close) and never leaves the socket open.
   */
  static async open<M extends { type: string }>(options: ConnectionOptions, protocol: RealtimeProtocol<M>): Promise<Connection<M>> {
    const socket = await openWebSocket(options);
    const connection = new Connection(socket, protocol, options);
    await new Promise<void>((resolve, reject) => {
      // Until the ack, the end of the connection is the failure of this open.
      connection.#onAck = resolve;
      connection.#onEnd = reject;
      connection.#start();
    });
    return connection;
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

  /** Ends the connection because of `error`, with a close frame `code`. */
  fail(error: TransportError, code: number): void {
    this.#end(error, code, error.name.slice(0, 120));
  }

  #start(): void {
    this.#socket.addEventListener('message', this.#handleMessage);
    this.#socket.addEventListener('close', this.#handleClose);
    this.#socket.send(this.#protocol.initMessage);
    const ms = this.#options.ackTimeoutMs;
    if (armed(ms)) {
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
  }

  #handleMessage = (event: { data: unknown }): void => {
    if (this.#ended) return;
    this.#lastFrameAt = Date.now();
    let message: M;
    try {
      message = this.#protocol.parse(event.data);
    } catch (error) {
      this.fail(asTransportError(error), CLOSE_PROTOCOL_ERROR);
      return;
    }
    if (!this.#acked) {
      const ack = this.#protocol.ack(message);
      if (ack !== undefined) {
        this.#acknowledge(ack.payload, ack.keepAliveMs);
        return;
      }
    }
    if (message.type === 'ka') return;
    const connectionError = this.#protocol.connectionError(message);
    if (connectionError !== undefined) this.#end(connectionError, 1000, 'connection error');
    // Anything else before the ack is ignored, as AppSync does.
    else if (this.#acked) this.#onMessage(message);
  };

  #acknowledge(payload: unknown, serverKeepAliveMs: number | undefined): void {
    this.#acked = true;
    this.ackPayload = payload;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const option = this.#options.keepAliveTimeoutMs;
    const ms = option === null ? undefined : (option ?? serverKeepAliveMs);
    if (armed(ms)) this.#armKeepAlive(ms);
    const onAck = this.#onAck;
    // Until attach(), an end is only recorded (attach() then throws it).
    this.#onEnd = ignore;
    onAck();
  }

  #handleClose = (event: { code?: number; reason?: string }): void => {
    this.#resolveClosed();
    if (this.#ended) return;
    const code = event?.code ?? 1006;
    const reason = event?.reason ?? '';
    const detail = `(code ${code}${reason ? `, reason "${reason}"` : code === 1006 ? ', without a close frame' : ''})`;
    this.#end(
      new TransportConnectionFailed(
        this.#acked
          ? `The server closed the connection to ${this.#safeUrl} ${detail}.`
          : `Expected connection_ack from ${this.#safeUrl}, but the server closed the connection ${detail}.`,
        { code, reason },
      ),
    );
  };

  /** Keep-alive: one timer for the whole connection, re-armed lazily instead of on every frame. */
  #armKeepAlive(ms: number): void {
    this.#lastFrameAt = Date.now();
    const check = (): void => {
      const silentFor = Date.now() - this.#lastFrameAt;
      if (silentFor < ms) {
        this.#timer = setTimeout(check, ms - silentFor);
        return;
      }
      this.fail(
        new TransportTimeoutError(
          `Expected a frame from the server at least every ${ms} ms (keep-alive), but nothing arrived for ${silentFor} ms: the connection is dead (network change or sleep). Set keepAliveTimeoutMs to change the limit.`,
          { phase: 'keep-alive', timeoutMs: ms },
        ),
        CLOSE_KEEP_ALIVE,
      );
    };
    this.#timer = setTimeout(check, ms);
  }

  /** The single place where the connection ends. */
  #end(error: TransportError, code?: number, reason?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#endError = error;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#socket.removeEventListener('message', this.#handleMessage);
    if (this.#socket.readyState === OPEN || this.#socket.readyState === 0) {
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
    if (socket.readyState !== 3) socket.terminate?.();
    this.#resolveClosed();
  }
}

export function asTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  return new TransportProtocolError(
    `Unexpected failure in the client: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}.`,
    { cause: error },
  );
}
