/**
 * The local AppSync's real-time protocol engine, independent of any socket library: it decides
 * on upgrades, answers frames as AppSync does, fans published results out to subscriptions,
 * records every frame and injects faults. `node-server.ts` binds it to `http` + `ws`.
 */
import { ConnectionTable } from './connection-table.js';
import { Waiters } from './waiters.js';
import { decideUpgrade, type Refusal, type UpgradeDecision, type UpgradeRequest } from './upgrade.js';
import { parse, Kind, type OperationDefinitionNode, type FieldNode } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { buildAppSyncSchema } from '../schema/appsync-sdl.js';
import { RejectedSubscription, checkSubscription, projectPayload } from './graphql/subscriptions.js';
import { checkAuth, type LocalAuthOptions } from './auth-check.js';

/** What the engine needs of a connected socket. */
export interface Peer {
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Drops the TCP connection without a close frame. */
  terminate(): void;
  /** Sends a binary frame (fault injection). */
  sendBinary(bytes: Uint8Array): void;
}

export type { UpgradeDecision, UpgradeRequest } from './upgrade.js';

export interface ReceivedFrame {
  connectionId: number;
  /** The parsed frame, or undefined when it was not JSON. */
  message: Record<string, unknown> | undefined;
  raw: string;
}

export interface LocalSubscription {
  connectionId: number;
  id: string;
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** The root field of the subscription (`onCreateMessage`). */
  field: string;
  /** Arguments given to the root field, with variables resolved. */
  args: Record<string, unknown>;
}

export interface RealtimeFaults {
  /** Delay `connection_ack` by this many ms. */
  ackDelayMs: number;
  /** Never send `connection_ack`. */
  skipAck: boolean;
  /** Delay each `start_ack` by this many ms. */
  startAckDelayMs: number;
  /** Never send `start_ack`. */
  skipStartAck: boolean;
  /** Stop sending `ka`. */
  keepAliveStopped: boolean;
  /** Send the ack payload as a JSON string (some servers do). */
  ackPayloadAsString: boolean;
  /** Answer `stop` without `complete`. */
  skipComplete: boolean;
  /** Close the socket (code 1012, "service restart") right after sending `connection_ack`. */
  closeAfterAck: boolean;
}

export interface RealtimeOptions {
  /** Auth modes accepted; undefined accepts everything. */
  auth?: LocalAuthOptions | undefined;
  /** Sent in `connection_ack`, in ms. @default 300000 */
  connectionTimeoutMs?: number;
  /** Interval between `ka` frames, in ms; 0 sends none. @default 60000 */
  keepAliveIntervalMs?: number;
  /** AppSync's quota; the next start gets `MaxSubscriptionsReachedError` (errors as an object). @default 100 */
  maxSubscriptionsPerConnection?: number;
  /** Root fields whose subscriptions are denied with a field-level `Unauthorized` error. */
  deniedFields?: string[];
  /** Valid root subscription fields; others get a `FieldUndefined` validation error. @default any */
  subscriptionFields?: string[];
  /**
   * The API's schema: SDL text (AppSync's scalars and directives need no declaration) or a
   * built schema. With it, a `start` must validate against it (else AppSync's `Validation error
   * of type …` for that id), its arguments are coerced by it, and `publish` sends each
   * subscriber only what it selected. @default none: any subscription document is accepted
   */
  schema?: string | GraphQLSchema | undefined;
}

interface ConnectionState {
  id: number;
  peer: Peer;
  auth: Record<string, string> | undefined;
  protocolOk: boolean;
  initialized: boolean;
  subscriptions: Map<string, LocalSubscription>;
  kaTimer: ReturnType<typeof setInterval> | undefined;
  timers: Set<ReturnType<typeof setTimeout>>;
  closed: boolean;
}

export class RealtimeEngine {
  readonly faults: RealtimeFaults = {
    ackDelayMs: 0,
    skipAck: false,
    startAckDelayMs: 0,
    skipStartAck: false,
    keepAliveStopped: false,
    ackPayloadAsString: false,
    skipComplete: false,
    closeAfterAck: false,
  };
  /** Every frame received, in order. */
  readonly received: ReceivedFrame[] = [];
  readonly #options: RealtimeOptions;
  readonly #table = new ConnectionTable<LocalSubscription, ConnectionState>(() => this.#notify());
  #refusals: Refusal | undefined;
  readonly #waiters = new Waiters();
  /** The schema built from `options.schema`, if one was given. */
  readonly schema: GraphQLSchema | undefined;
  /** Parsed documents of subscriptions started under a schema, for projecting results. */
  readonly #documents = new WeakMap<LocalSubscription, DocumentNode>();

  /** @throws TransportConfigurationError when `options.schema` is not a valid AppSync schema. */
  constructor(options: RealtimeOptions = {}) {
    this.#options = options;
    this.schema = options.schema === undefined ? undefined : buildAppSyncSchema(options.schema);
  }

  // ---- upgrade ------------------------------------------------------------------------------

  /** Decides on an upgrade request: refusals injected by tests, then the auth object's form. */
  upgrade(request: UpgradeRequest): UpgradeDecision {
    return decideUpgrade(request, this.#refusals, 'graphql-ws');
  }

  /** Refuse the next `times` upgrades with HTTP `status`. */
  refuseHandshakes(status: number, times = Infinity): void {
    this.#refusals = { status, remaining: times };
  }

  // ---- connections --------------------------------------------------------------------------

  /** A socket was accepted; returns the functions the adapter calls on its events. */
  accept(peer: Peer, decision: Extract<UpgradeDecision, { accept: true }>): { receive(data: string | null): void; closed(): void } {
    const state: ConnectionState = {
      id: this.#table.nextId(),
      peer,
      auth: decision.auth,
      protocolOk: decision.protocol === 'graphql-ws',
      initialized: false,
      subscriptions: new Map(),
      kaTimer: undefined,
      timers: new Set(),
      closed: false,
    };
    this.#table.add(state);
    return {
      receive: (data) => void this.#receive(state, data),
      closed: () => this.#table.close(state),
    };
  }

  #send(state: ConnectionState, message: unknown): void {
    if (!state.closed) state.peer.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  #later(state: ConnectionState, ms: number, fn: () => void): void {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      if (!state.closed) fn();
    }, ms);
    state.timers.add(timer);
  }

  async #receive(state: ConnectionState, data: string | null): Promise<void> {
    if (state.closed) return;
    if (data === null) {
      this.received.push({ connectionId: state.id, message: undefined, raw: '<binary>' });
      this.#notify();
      return;
    }
    let message: Record<string, unknown> | undefined;
    try {
      const value = JSON.parse(data) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) message = value as Record<string, unknown>;
    } catch {
      message = undefined;
    }
    this.received.push({ connectionId: state.id, message, raw: data });
    this.#notify();
    if (message === undefined) {
      this.#send(state, { type: 'error', payload: { errors: [{ errorType: 'BadRequestException', message: 'Message is not a JSON object.' }] } });
      return;
    }
    switch (message.type) {
      case 'connection_init':
        return this.#init(state);
      case 'start':
        return this.#start(state, message);
      case 'stop':
        return this.#stop(state, message);
      default:
        this.#send(state, {
          type: 'error',
          payload: { errors: [{ errorType: 'UnsupportedOperation', message: `Unsupported message type: ${String(message.type)}` }] },
        });
    }
  }

  async #init(state: ConnectionState): Promise<void> {
    if (!state.protocolOk) {
      this.#send(state, {
        type: 'connection_error',
        payload: { errors: [{ errorType: 'SubProtocolNotSupportedError', message: 'graphql-ws subprotocol is required.', errorCode: 400 }] },
      });
      state.peer.close(1000, 'unsupported subprotocol');
      return;
    }
    const verdict = await checkAuth(this.#options.auth, { headers: state.auth ?? {}, path: '/graphql/connect', body: '{}' });
    if (!verdict.ok) {
      this.#send(state, {
        type: 'connection_error',
        payload: { errors: [{ errorType: 'UnauthorizedException', message: verdict.message, errorCode: 401 }] },
      });
      state.peer.close(1000, 'unauthorized');
      return;
    }
    state.initialized = true;
    if (this.faults.skipAck) return;
    this.#later(state, this.faults.ackDelayMs, () => {
      const payload = { connectionTimeoutMs: this.#options.connectionTimeoutMs ?? 300_000 };
      this.#send(state, { type: 'connection_ack', payload: this.faults.ackPayloadAsString ? JSON.stringify(payload) : payload });
      if (this.faults.closeAfterAck) {
        state.peer.close(1012, 'service restart');
        return;
      }
      const interval = this.#options.keepAliveIntervalMs ?? 60_000;
      if (interval > 0) {
        state.kaTimer = setInterval(() => {
          if (!this.faults.keepAliveStopped) this.#send(state, '{"type":"ka"}');
        }, interval);
      }
    });
  }

  async #start(state: ConnectionState, message: Record<string, unknown>): Promise<void> {
    const id = message.id;
    const error = (errors: unknown): void => this.#send(state, { type: 'error', id, payload: { errors } });
    if (typeof id !== 'string' || id === '') return error([{ errorType: 'BadRequestException', message: 'start requires an id.' }]);
    if (state.subscriptions.has(id)) {
      return error([{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]);
    }
    const payload = message.payload as { data?: unknown; extensions?: { authorization?: Record<string, string> } } | undefined;
    if (typeof payload?.data !== 'string') {
      return error([{ errorType: 'BadRequestException', message: 'start requires payload.data as a JSON string.' }]);
    }
    const verdict = await checkAuth(this.#options.auth, {
      headers: payload.extensions?.authorization ?? {},
      path: '/graphql',
      body: payload.data,
    });
    if (state.closed) return;
    if (!verdict.ok) return error([{ errorType: 'UnauthorizedException', message: verdict.message }]);
    const max = this.#options.maxSubscriptionsPerConnection ?? 100;
    if (state.subscriptions.size >= max) {
      // AppSync sends this one as an object, not an array (protocol reference §1.5).
      return error({ errorType: 'MaxSubscriptionsReachedError', message: `Max number of ${max} subscriptions reached` });
    }
    let subscription: LocalSubscription;
    try {
      subscription = this.#parseSubscription(state.id, id, payload.data);
    } catch (cause) {
      if (cause instanceof RejectedSubscription) return error(cause.errors);
      return error([{ errorType: 'ValidationError', message: cause instanceof Error ? cause.message : String(cause) }]);
    }
    if (this.#options.deniedFields?.includes(subscription.field)) {
      return error([{ errorType: 'Unauthorized', message: `Not Authorized to access ${subscription.field} on type Subscription` }]);
    }
    state.subscriptions.set(id, subscription);
    this.#notify();
    if (this.faults.skipStartAck) return;
    this.#later(state, this.faults.startAckDelayMs, () => {
      if (state.subscriptions.get(id) === subscription) this.#send(state, { type: 'start_ack', id });
    });
  }

  #parseSubscription(connectionId: number, id: string, data: string): LocalSubscription {
    const request = JSON.parse(data) as { query?: unknown; operationName?: unknown; variables?: unknown };
    if (typeof request.query !== 'string') throw new Error('Validation error: query is required.');
    if (this.schema) return this.#checkWithSchema(this.schema, connectionId, id, { ...request, query: request.query });
    const document = parse(request.query);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation =
      typeof request.operationName === 'string'
        ? operations.find((o) => o.name?.value === request.operationName)
        : operations[0];
    if (operation === undefined) throw new Error('Validation error: unknown operation.');
    if (operation.operation !== 'subscription') {
      throw new Error(`Validation error: only subscriptions are supported on the real-time endpoint, got ${operation.operation}.`);
    }
    const field = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD);
    if (field === undefined) throw new Error('Validation error: the subscription selects no field.');
    const allowed = this.#options.subscriptionFields;
    if (allowed && !allowed.includes(field.name.value)) {
      throw new Error(`Validation error of type FieldUndefined: Field '${field.name.value}' in type 'Subscription' is undefined`);
    }
    const variables = (typeof request.variables === 'object' && request.variables !== null ? request.variables : {}) as Record<string, unknown>;
    const args: Record<string, unknown> = {};
    for (const arg of field.arguments ?? []) {
      const v = arg.value;
      if (v.kind === Kind.VARIABLE) args[arg.name.value] = variables[v.name.value];
      else if (v.kind === Kind.STRING || v.kind === Kind.ENUM) args[arg.name.value] = v.value;
      else if (v.kind === Kind.INT) args[arg.name.value] = Number(v.value);
      else if (v.kind === Kind.BOOLEAN) args[arg.name.value] = v.value;
    }
    return {
      connectionId,
      id,
      query: request.query,
      operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
      variables,
      field: field.name.value,
      args,
    };
  }

  /** A `start` under a schema: validated, arguments coerced, document kept for `publish`. */
  #checkWithSchema(
    schema: GraphQLSchema,
    connectionId: number,
    id: string,
    request: { query: string; operationName?: unknown; variables?: unknown },
  ): LocalSubscription {
    const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;
    const variables = (typeof request.variables === 'object' && request.variables !== null ? request.variables : {}) as Record<string, unknown>;
    const checked = checkSubscription(schema, { query: request.query, operationName, variables });
    const subscription: LocalSubscription = { connectionId, id, query: request.query, operationName, variables, field: checked.field, args: checked.args };
    this.#documents.set(subscription, checked.document);
    return subscription;
  }

  #stop(state: ConnectionState, message: Record<string, unknown>): void {
    const id = message.id;
    if (typeof id !== 'string') return;
    state.subscriptions.delete(id);
    this.#notify();
    if (!this.faults.skipComplete) this.#send(state, { type: 'complete', id });
  }

  // ---- what tests and the local AppSync drive -----------------------------------------------

  /** Active subscriptions on every connection. */
  get subscriptions(): LocalSubscription[] {
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

  /**
   * Sends `data` to every subscription on `field` whose given arguments equal the same fields
   * of `value` (AppSync's argument filtering). Returns how many subscriptions received it.
   * With a `schema`, each subscriber gets `value` cut down to its own selection set (aliases,
   * fragments, `__typename`, scalars serialized), as AppSync sends it; without one, `value` as is.
   */
  publish(field: string, value: unknown, extra: { errors?: unknown[] } = {}): number {
    let count = 0;
    for (const state of this.#table.values()) {
      for (const subscription of state.subscriptions.values()) {
        if (subscription.field !== field || !matchesArgs(subscription.args, value)) continue;
        const document = this.#documents.get(subscription);
        const payload: Record<string, unknown> =
          this.schema && document ? { ...projectPayload(this.schema, document, subscription, value) } : { data: { [field]: value } };
        if (extra.errors) payload.errors = [...((payload.errors as unknown[] | undefined) ?? []), ...extra.errors];
        this.#send(state, { type: 'data', id: subscription.id, payload });
        count++;
      }
    }
    return count;
  }

  /** Sends a raw text frame on every connection (or one). */
  sendRaw(frame: string, connectionId?: number): void {
    for (const state of this.#table.values()) {
      if (connectionId === undefined || state.id === connectionId) this.#send(state, frame);
    }
  }

  /** Sends a binary frame on every connection. */
  sendBinary(bytes: Uint8Array): void {
    for (const state of this.#table.values()) if (!state.closed) state.peer.sendBinary(bytes);
  }

  /** Closes every connection with a close frame (`code`), or drops it without one. */
  dropConnections(options: { code?: number; reason?: string; terminate?: boolean } = {}): void {
    this.#table.drop(options);
  }

  /** Server-side invalidation: AppSync's `Subscription complete.` for one subscription id. */
  invalidate(id: string): void {
    for (const state of this.#table.values()) {
      if (state.subscriptions.delete(id)) {
        this.#send(state, { type: 'error', id, payload: { errors: [{ message: 'Subscription complete.' }] } });
        this.#notify();
      }
    }
  }

  /** Sends an error for one subscription (it is removed) or, without id, for the connection. */
  sendError(errors: unknown, id?: string): void {
    for (const state of this.#table.values()) {
      if (id === undefined) this.#send(state, { type: 'error', payload: { errors } });
      else if (state.subscriptions.delete(id)) this.#send(state, { type: 'error', id, payload: { errors } });
    }
    this.#notify();
  }

  /** Resolves once `check()` is true, re-checked after every event of the engine. */
  waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
    return this.#waiters.waitFor(check, timeoutMs);
  }

  #notify(): void {
    this.#waiters.notify();
  }

  /** Closes every connection and clears every timer. */
  shutdown(): void {
    this.#table.shutdown();
  }

}

function matchesArgs(args: Record<string, unknown>, value: unknown): boolean {
  for (const [name, expected] of Object.entries(args)) {
    if (expected === undefined || expected === null) continue;
    if (typeof value !== 'object' || value === null || (value as Record<string, unknown>)[name] !== expected) return false;
  }
  return true;
}
