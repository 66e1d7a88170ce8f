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
import { armed } from '../timeouts.js';
import { OPEN, openWebSocket, type OpenOptions, type WebSocketLike } from '../socket/websocket.js';

/** What a real-time protocol tells the connection about its frames. */
export interface RealtimeProtocol<M extends { type: string }> {
  /** The first frame after open, or undefined when the protocol needs none. */
  initMessage: string | undefined;
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

export class Connection<M extends { type: string }> {
  readonly ackPayload: unknown;
  readonly #socket: WebSocketLike;
  readonly #protocol: RealtimeProtocol<M>;
  #keepAliveMs: number | undefined;
  #keepAliveTimer: ReturnType<typeof setTimeout> | undefined;
  #lastFrameAt = 0;
  #ended = false;
  #onMessage: (message: M) => void = () => {};
  #onEnd: (error: TransportError) => void = () => {};
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;
  readonly #safeUrl: string;

  private constructor(socket: WebSocketLike, protocol: RealtimeProtocol<M>, ackPayload: unknown, keepAliveMs: number | undefined, safeUrl: string) {
    this.#socket = socket;
    this.#protocol = protocol;
    this.ackPayload = ackPayload;
    this.#keepAliveMs = keepAliveMs;
    this.#safeUrl = safeUrl;
    this.#closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    socket.addEventListener('message', this.#handleMessage);
    socket.addEventListener('close', this.#handleClose);
    this.#armKeepAlive();
  }

  /**
   * Opens the socket and completes the handshake. Rejects with the typed error of whatever went
   * wrong (refused upgrade, timeout, `connection_error`, a malformed frame) and never leaves the
   * socket open behind it.
   */
  static async open<M extends { type: string }>(options: ConnectionOptions, protocol: RealtimeProtocol<M>): Promise<Connection<M>> {
    const socket = await openWebSocket(options);
    const safeUrl = redactUrl(options.url);
    const { payload, keepAliveMs } = await handshake(socket, protocol, options.ackTimeoutMs, safeUrl);
    const keepAlive =
      options.keepAliveTimeoutMs === null ? undefined : (options.keepAliveTimeoutMs ?? keepAliveMs);
    const connection = new Connection(socket, protocol, payload, armed(keepAlive) ? keepAlive : undefined, safeUrl);
    if (socket.readyState !== OPEN) {
      // Closed between the ack and now: report it through the normal path, asynchronously.
      queueMicrotask(() => connection.#end(new TransportConnectionFailed(`The connection to ${safeUrl} closed right after the handshake.`)));
    }
    return connection;
  }

  /** Registers the handlers; `onEnd` is called exactly once, whatever ends the connection. */
  attach(onMessage: (message: M) => void, onEnd: (error: TransportError) => void): void {
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
    if (!this.#ended) {
      this.#end(error, code, reason);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#closed,
      new Promise<void>((resolve) => {
        if (armed(timeoutMs)) timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    if (timer !== undefined) clearTimeout(timer);
    this.#abandon();
  }

  /** Ends the connection because of `error`, with a close frame `code`. */
  fail(error: TransportError, code: number): void {
    this.#end(error, code, truncateReason(error.name));
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
    if (message.type === 'ka') return;
    const connectionError = this.#protocol.connectionError(message);
    if (connectionError !== undefined) {
      this.#end(connectionError, 1000, 'connection error');
      return;
    }
    this.#onMessage(message);
  };

  #handleClose = (event: { code?: number; reason?: string }): void => {
    this.#resolveClosed();
    if (this.#ended) return;
    const code = event?.code ?? 1006;
    const reason = event?.reason ?? '';
    this.#end(
      new TransportConnectionFailed(
        `The server closed the connection to ${this.#safeUrl} (code ${code}${reason ? `, reason "${reason}"` : code === 1006 ? ', without a close frame' : ''}).`,
        { code, reason },
      ),
    );
  };

  /** Keep-alive: one timer for the whole connection, re-armed lazily instead of on every frame. */
  #armKeepAlive(): void {
    const ms = this.#keepAliveMs;
    if (ms === undefined) return;
    this.#lastFrameAt = Date.now();
    const check = (): void => {
      if (this.#ended) return;
      const silentFor = Date.now() - this.#lastFrameAt;
      if (silentFor >= ms) {
        this.fail(
          new TransportTimeoutError(
            `Expected a frame from the server at least every ${ms} ms (keep-alive), but nothing arrived for ${silentFor} ms: the connection is dead (network change or sleep). Set keepAliveTimeoutMs to change the limit.`,
            { phase: 'keep-alive', timeoutMs: ms },
          ),
          CLOSE_KEEP_ALIVE,
        );
        return;
      }
      this.#keepAliveTimer = setTimeout(check, ms - silentFor);
    };
    this.#keepAliveTimer = setTimeout(check, ms);
  }

  #end(error: TransportError, code?: number, reason?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#keepAliveTimer !== undefined) clearTimeout(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
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
    this.#onEnd = () => {};
    onEnd(error);
  }

  /** Stops waiting for a close frame: terminate where the implementation can (`ws`). */
  #abandon(): void {
    const socket = this.#socket as WebSocketLike & { terminate?: () => void };
    if (socket.readyState !== 3) socket.terminate?.();
    this.#resolveClosed();
  }
}

function truncateReason(reason: string): string {
  return reason.slice(0, 120);
}

export function asTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  return new TransportProtocolError(
    `Unexpected failure while handling a server frame: ${error instanceof Error ? error.message : String(error)}.`,
    { cause: error },
  );
}

/** Sends the init frame and waits for the ack, a connection error, a bad frame or a close. */
function handshake<M extends { type: string }>(
  socket: WebSocketLike,
  protocol: RealtimeProtocol<M>,
  ackTimeoutMs: number | null,
  safeUrl: string,
): Promise<{ payload: unknown; keepAliveMs: number | undefined }> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      socket.removeEventListener('message', onMessage);
      socket.removeEventListener('close', onClose);
    };
    const failWith = (error: TransportError, code: number): void => {
      done();
      try {
        socket.close(code, truncateReason(error.name));
      } catch {
        (socket as { terminate?: () => void }).terminate?.();
      }
      reject(error);
    };
    const onMessage = (event: { data: unknown }): void => {
      let message: M;
      try {
        message = protocol.parse(event.data);
      } catch (error) {
        failWith(asTransportError(error), CLOSE_PROTOCOL_ERROR);
        return;
      }
      const ack = protocol.ack(message);
      if (ack !== undefined) {
        done();
        resolve(ack);
        return;
      }
      const error = protocol.connectionError(message);
      if (error !== undefined) failWith(error, 1000);
      // Anything else before the ack is ignored, as AppSync does.
    };
    const onClose = (event: { code?: number; reason?: string }): void => {
      done();
      const code = event?.code ?? 1006;
      reject(
        new TransportConnectionFailed(
          `Expected connection_ack from ${safeUrl}, but the server closed the connection (code ${code}${event?.reason ? `, reason "${event.reason}"` : ''}).`,
          { code, reason: event?.reason },
        ),
      );
    };
    socket.addEventListener('message', onMessage);
    socket.addEventListener('close', onClose);
    if (protocol.initMessage !== undefined) socket.send(protocol.initMessage);
    if (armed(ackTimeoutMs)) {
      timer = setTimeout(() => {
        failWith(
          new TransportTimeoutError(
            `Expected connection_ack within ${ackTimeoutMs} ms (ackTimeoutMs) after connection_init, but none arrived. Check the URL and auth, or raise ackTimeoutMs.`,
            { phase: 'ack', timeoutMs: ackTimeoutMs },
          ),
          1000,
        );
      }, ackTimeoutMs);
    }
  });
}
