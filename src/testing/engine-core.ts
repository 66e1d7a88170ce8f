/**
 * What the two local engines (GraphQL real-time and Events) share, so that each holds only its
 * protocol: upgrades and injected refusals, the open connections, each connection's frames
 * handled strictly one after another, the record of received frames, admission (subprotocol,
 * handshake auth, host), the ack with its keep-alive, owned timers, the connection faults, what
 * tests drive (raw frames, drops, waiters) and shutdown. Independent of any socket library.
 */
import { describeValue, errorName } from '../errors.js';
import { checkAuth, type AuthCheck, type LocalAuthOptions } from './auth-check.js';
import { ConnectionTable, type TrackedConnection } from './connection-table.js';
import type { ConnectionFaults } from './faults.js';
import { FrameRecord, type FrameRecordOptions, type ReceivedFrame } from './frame-record.js';
import { checkHost } from './host-check.js';
import { decideUpgrade, type Refusal, type UpgradeDecision, type UpgradeRequest } from './upgrade.js';
import { Waiters } from './waiters.js';

/** What an engine needs of a connected socket. */
export interface Peer {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Drops the TCP connection without a close frame. */
  terminate(): void;
  /** Sends a binary frame (fault injection). */
  sendBinary(bytes: Uint8Array): void;
  /** Stops reading from the socket (fault injection): pings go unanswered, frames unread. */
  freeze(): void;
}

/** Options both engines take. */
export interface EngineOptions extends FrameRecordOptions {
  /** Auth modes accepted; undefined accepts everything. */
  auth?: LocalAuthOptions | undefined;
  /** Sent in `connection_ack`, in ms. @default 300000 */
  connectionTimeoutMs?: number;
  /** Interval between `ka` frames, in ms; 0 sends none. @default 60000 */
  keepAliveIntervalMs?: number;
  /**
   * The API's public host (`api.example.com`, or `<id>.appsync-api.<region>.amazonaws.com`), as
   * AppSync compares it with the `host` of every auth object (handshake, `start`, `subscribe`,
   * `publish`): a different or missing host is refused as `UnauthorizedException`. Names are
   * compared without case, ports only when both sides give one. @default undefined: not checked
   * (clients such as gql-cli send `127.0.0.1` without the port)
   */
  publicHost?: string | undefined;
}

/** One open socket, as both engines track it: the table's record plus the protocol's state. */
export interface EngineConnection<Sub> extends TrackedConnection<Sub> {
  /** The auth object of the handshake. */
  readonly auth: Record<string, string> | undefined;
  /** The client offered the engine's subprotocol. */
  readonly protocolOk: boolean;
  /** Subprotocol, handshake auth and host have passed. */
  admitted: boolean;
  /** `connection_ack` is sent or on its way (at most one per connection). */
  acked: boolean;
  /** Frames are handled one after another, in arrival order, even when auth checks take time. */
  queue: Promise<void>;
  /** Half-open (fault injection): nothing is read or written any more, and nothing closes. */
  frozen?: boolean;
}

/** AppSync's error entry. */
export interface EngineError {
  errorType: string;
  message: string;
  errorCode?: number;
}

export abstract class EngineCore<Sub, Faults extends ConnectionFaults> {
  abstract readonly faults: Faults;
  protected readonly options: EngineOptions;
  readonly #subprotocol: string;
  /** The path IAM signs for the connection (`/graphql/connect`, `/event`). */
  readonly #connectPath: string;
  readonly #record: FrameRecord;
  readonly #waiters = new Waiters();
  readonly #table = new ConnectionTable<Sub, EngineConnection<Sub>>(() => this.notify());
  #refusals: Refusal | undefined;

  constructor(subprotocol: string, connectPath: string, options: EngineOptions) {
    this.options = options;
    this.#subprotocol = subprotocol;
    this.#connectPath = connectPath;
    this.#record = new FrameRecord(options);
  }

  // ---- the protocol, given by each engine ---------------------------------------------------

  /** Handles one frame that is a JSON object; frames of a connection never overlap. */
  protected abstract handle(connection: EngineConnection<Sub>, message: Record<string, unknown>): void | Promise<void>;
  /** A frame carrying errors in this protocol's shape (`error`, `connection_error`…). */
  protected abstract errorFrame(type: string, errors: unknown, id?: string): Record<string, unknown>;
  /** The `connection_ack` frame. */
  protected abstract ackFrame(): unknown;

  // ---- upgrade and connections --------------------------------------------------------------

  /** Decides on an upgrade request: refusals injected by tests, then where the auth object travels. */
  upgrade(request: UpgradeRequest): UpgradeDecision {
    return decideUpgrade(request, this.#refusals, this.#subprotocol);
  }

  /** Refuse the next `times` upgrades with HTTP `status`. */
  refuseHandshakes(status: number, times = Infinity): void {
    this.#refusals = { status, remaining: times };
  }

  /** A socket was accepted; returns the functions the adapter calls on its events (they never throw). */
  accept(peer: Peer, decision: Extract<UpgradeDecision, { accept: true }>): { receive(data: string | null): void; closed(): void } {
    const connection: EngineConnection<Sub> = {
      id: this.#table.nextId(),
      peer,
      auth: decision.auth,
      protocolOk: decision.protocol === this.#subprotocol,
      closed: false,
      admitted: false,
      acked: false,
      subscriptions: new Map(),
      kaTimer: undefined,
      timers: new Set(),
      queue: Promise.resolve(),
    };
    this.#table.add(connection);
    return {
      receive: (data) => this.#receive(connection, data),
      closed: () => this.#table.close(connection),
    };
  }

  /** Records the frame at once (tests wait for it), then queues it behind the connection's earlier frames. */
  #receive(connection: EngineConnection<Sub>, data: string | null): void {
    if (connection.closed) return;
    const message = data === null ? undefined : parseObject(data);
    this.#record.add(connection.id, data ?? '<binary>', message);
    this.notify();
    connection.queue = connection.queue.then(() => this.#handleSafely(connection, data, message));
  }

  async #handleSafely(connection: EngineConnection<Sub>, data: string | null, message: Record<string, unknown> | undefined): Promise<void> {
    if (connection.closed) return;
    if (message === undefined) {
      this.send(connection, this.errorFrame('error', [{ errorType: 'BadRequestException', message: `Expected a text frame holding a JSON object with a "type", but got ${frameKind(data)}.` }]));
      return;
    }
    try {
      await this.handle(connection, message);
    } catch (error) {
      // A frame no rule foresaw: answer it and go on, so that one client cannot end the server.
      // Only the error's class: its message might quote the frame's auth.
      this.send(
        connection,
        this.errorFrame('error', [{ errorType: 'InternalFailure', message: `The local AppSync failed on this ${describeType(message.type)} frame (${errorName(error)}); the connection goes on. Please report it to appsync-websockets with the frame.` }], idOf(message)),
      );
    }
  }

  // ---- what both protocols do alike ---------------------------------------------------------

  protected send(connection: EngineConnection<Sub>, message: unknown): void {
    if (!connection.closed && !connection.frozen) connection.peer.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Runs `fn` after `ms` (at once for 0) unless the connection closes first; the timer is the connection's. */
  protected later(connection: EngineConnection<Sub>, ms: number, fn: () => void): void {
    if (!(ms > 0)) return fn();
    const timer = setTimeout(() => {
      connection.timers.delete(timer);
      if (!connection.closed) fn();
    }, ms);
    connection.timers.add(timer);
  }

  /**
   * The subprotocol, the handshake's auth object and its host, checked once per connection; on
   * failure `connection_error`, close, and false.
   */
  protected async admit(connection: EngineConnection<Sub>): Promise<boolean> {
    if (connection.admitted) return true;
    if (!connection.protocolOk) {
      this.#refuse(connection, { errorType: 'SubProtocolNotSupportedError', message: `${this.#subprotocol} subprotocol is required.`, errorCode: 400 }, 'unsupported subprotocol');
      return false;
    }
    const verdict = await this.authorize(connection.auth ?? {}, this.#connectPath, '{}');
    if (connection.closed) return false;
    const refusal = verdict.ok ? this.refusesConnection(verdict) : { errorType: 'UnauthorizedException', message: verdict.message, errorCode: 401 };
    if (refusal !== undefined) {
      this.#refuse(connection, refusal, 'unauthorized');
      return false;
    }
    connection.admitted = true;
    return true;
  }

  /** An engine's own rule for a handshake whose auth passed (the Events API's connection modes); undefined admits it. */
  protected refusesConnection(_verdict: Extract<AuthCheck, { ok: true }>): EngineError | undefined {
    return undefined;
  }

  #refuse(connection: EngineConnection<Sub>, error: EngineError, reason: string): void {
    this.send(connection, this.errorFrame('connection_error', [error]));
    connection.peer.close(1000, reason);
    this.#table.close(connection);
  }

  /** An auth object of this API (handshake, start, subscribe, publish): its host, then its auth mode. */
  protected async authorize(auth: unknown, path: string, body: string): Promise<AuthCheck> {
    const headers = authObject(auth);
    const host = checkHost(this.options.publicHost, headers);
    if (!host.ok) return host;
    return checkAuth(this.options.auth, { headers, path, body });
  }

  /** `connection_ack` (once per connection, whatever the client repeats), then `ka` every interval. */
  protected acknowledge(connection: EngineConnection<Sub>): void {
    if (connection.acked) return;
    connection.acked = true;
    if (this.faults.skipAck) return;
    this.later(connection, this.faults.ackDelayMs, () => {
      this.send(connection, this.ackFrame());
      if (this.faults.closeAfterAck) return connection.peer.close(1012, 'service restart');
      const interval = this.options.keepAliveIntervalMs ?? 60_000;
      if (interval > 0) {
        connection.kaTimer = setInterval(() => {
          if (!this.faults.keepAliveStopped) this.send(connection, '{"type":"ka"}');
        }, interval);
      }
    });
  }

  /** Confirms a new subscription with `frame` (faults permitting) if it is still there by then. */
  protected confirm(connection: EngineConnection<Sub>, id: string, subscription: Sub, frame: unknown): void {
    if (this.faults.skipSubscribeAck) return;
    this.later(connection, this.faults.subscribeAckDelayMs, () => {
      if (connection.subscriptions.get(id) === subscription) this.send(connection, frame);
    });
  }

  /** Open connections, for fan-out. */
  protected open(): IterableIterator<EngineConnection<Sub>> {
    return this.#table.values();
  }

  protected notify(): void {
    this.#waiters.notify();
  }

  // ---- what tests drive ---------------------------------------------------------------------

  /**
   * The last frames received, oldest first (bounded by `maxReceivedFrames` and
   * `maxReceivedBytes`). Tests may clear it with `received.length = 0`.
   */
  get received(): ReceivedFrame[] {
    return this.#record.frames;
  }

  /** Active subscriptions on every connection. */
  get subscriptions(): Sub[] {
    return this.#table.subscriptions();
  }

  /** Ids of the open connections. */
  get connections(): number[] {
    return this.#table.ids();
  }

  /** Number of connections ever accepted. */
  get connectionCount(): number {
    return this.#table.accepted;
  }

  /** Sends a raw text frame on every connection (or one). */
  sendRaw(frame: string, connectionId?: number): void {
    for (const connection of this.#table.values()) {
      if (connectionId === undefined || connection.id === connectionId) this.send(connection, frame);
    }
  }

  /** Sends a binary frame on every connection. */
  sendBinary(bytes: Uint8Array): void {
    for (const connection of this.#table.values()) if (!connection.closed) connection.peer.sendBinary(bytes);
  }

  /**
   * Makes every open connection half-open, as a network change or a sleeping laptop leaves it:
   * the server stops reading and writing (no `ka`, no pong, no close), and the client is not told.
   */
  freezeConnections(): void {
    for (const connection of this.#table.values()) {
      if (connection.closed || connection.frozen) continue;
      connection.frozen = true;
      connection.peer.freeze();
    }
  }

  /** Closes every connection with a close frame (`code`), or drops it without one. */
  dropConnections(options: { code?: number; reason?: string; terminate?: boolean } = {}): void {
    this.#table.drop(options);
  }

  /** Resolves once `check()` is true, re-checked after every event of the engine. */
  waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
    return this.#waiters.waitFor(check, timeoutMs);
  }

  /** Closes every connection and clears every timer. */
  shutdown(): void {
    this.#table.shutdown();
  }
}

/** The value when it is a plain object (not null, not an array). */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** An auth object as received: anything that is not a plain object counts as empty. */
export function authObject(value: unknown): Record<string, string> {
  return (asObject(value) as Record<string, string> | undefined) ?? {};
}

/** What a value is, by kind only: frames and payloads may carry auth, so they are not quoted. */
export function describeKind(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A frame's `type` for a message: the type when it is a short string, else what it is. */
export function describeType(type: unknown): string {
  return typeof type === 'string' && type.length <= 64 ? JSON.stringify(type) : describeValue(type);
}

/** `Unsupported message type: …`, naming the type without letting an odd one throw. */
export function unsupported(type: unknown): string {
  return `Unsupported message type: ${describeType(type)}`;
}

/** The frame's id when it is a string (answers about that frame carry it). */
export function idOf(message: Record<string, unknown>): string | undefined {
  return typeof message.id === 'string' ? message.id : undefined;
}

/** What a frame that is not a JSON object is, without quoting it. */
function frameKind(data: string | null): string {
  if (data === null) return 'a binary frame';
  const value = parseJson(data);
  return value === NOT_JSON ? `${data.length} characters that are not JSON` : describeKind(value);
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  return asObject(parseJson(text));
}
