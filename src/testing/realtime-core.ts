/**
 * The local AppSync's GraphQL real-time protocol: `connection_init`, `start`, `stop`, fan-out of
 * published results to subscriptions, invalidation. What it shares with the Events engine
 * (connections, ordered frames, the record, admission, keep-alive, faults) is `EngineCore`;
 * `node-server.ts` binds it to `http` + `ws`.
 */
import { parse, Kind, type OperationDefinitionNode, type FieldNode, type FragmentDefinitionNode } from 'graphql';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { describeValue, errorName } from '../errors.js';
import { buildAppSyncSchema } from '../schema/appsync-sdl.js';
import { EngineCore, asObject, describeKind, idOf, unsupported, type EngineConnection, type EngineOptions } from './engine-core.js';
import { realtimeFaults, type RealtimeFaults } from './faults.js';
import type { LocalCaller } from './auth-check.js';
import type { FieldInfo, TemplateFieldResolver } from './graphql/executor.js';
import type { FieldAuthorizer } from './graphql/field-auth.js';
import { filterLimitBreach, matchesFilter, parseSubscriptionFilter, type SubscriptionFilter } from './graphql/subscription-filter.js';
import { RejectedSubscription, checkSubscription, projectPayload } from './graphql/subscriptions.js';
import { servedSchema } from './graphql/served-schema.js';

export type { Peer } from './engine-core.js';
export type { ReceivedFrame } from './frame-record.js';
export type { RealtimeFaults } from './faults.js';
export type { UpgradeDecision, UpgradeRequest } from './upgrade.js';

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

export interface RealtimeOptions extends EngineOptions {
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
  /**
   * A template's resolvers by `Type.field` (needs `schema`): each one on a Subscription field
   * runs at `start` with the subscriber's identity; an error it raises (`util.unauthorized()`,
   * `util.error`, a throw) refuses the start with an `error` for its id, and the filter it sets
   * (`extensions.setSubscriptionFilter`) decides which results the subscription receives, in
   * place of matching its arguments; the invalidation filter it sets
   * (`extensions.setSubscriptionInvalidationFilter`) decides which `invalidateMatching` calls end it.
   * Read at each start, so entries may be replaced while the server runs. @default none
   */
  fieldResolvers?: Map<string, TemplateFieldResolver> | undefined;
  /**
   * The schema's auth directives (needs `schema`): a `start` whose Subscription field its own
   * authorization may not read gets `Unauthorized` for its id, and each field it selected is
   * checked for it again in every result (null with `Unauthorized` where it may not read it).
   * @default none
   */
  fieldAuth?: FieldAuthorizer | undefined;
}

type Connection = EngineConnection<LocalSubscription>;

export class RealtimeEngine extends EngineCore<LocalSubscription, RealtimeFaults> {
  readonly faults: RealtimeFaults = realtimeFaults();
  readonly #options: RealtimeOptions;
  #schema: GraphQLSchema | undefined;
  /** Parsed documents of subscriptions started under a schema, for projecting results. */
  readonly #documents = new WeakMap<LocalSubscription, DocumentNode>();
  /** The root field's node and the fragments of subscriptions started under a schema (`ctx.info`). */
  readonly #fieldNodes = new WeakMap<LocalSubscription, { fieldNode: FieldNode; fragments: Record<string, FragmentDefinitionNode> }>();
  /** The filters subscription resolvers set. */
  readonly #filters = new WeakMap<LocalSubscription, SubscriptionFilter>();
  /** The invalidation filters subscription resolvers set (`extensions.setSubscriptionInvalidationFilter`). */
  readonly #invalidationFilters = new WeakMap<LocalSubscription, SubscriptionFilter>();
  /** Who started each subscription under `fieldAuth`: each field of what it receives is checked for them. */
  readonly #callers = new WeakMap<LocalSubscription, { mode: string; caller: LocalCaller | undefined }>();
  /** Each started subscription's projection key (see `#projectionKey`). */
  readonly #projectionKeys = new WeakMap<LocalSubscription, string>();

  /** @throws TransportConfigurationError when `options.schema` is not a valid AppSync schema. */
  constructor(options: RealtimeOptions = {}) {
    super('graphql-ws', '/graphql/connect', options);
    this.#options = options;
    this.#schema = options.schema === undefined ? undefined : servedSchema(buildAppSyncSchema(options.schema));
  }

  /**
   * The schema built from `options.schema`, if one was given, with the directives AppSync
   * serves (see `servedSchema`).
   */
  get schema(): GraphQLSchema | undefined {
    return this.#schema;
  }

  /**
   * Serves another schema from now on (a template reloaded by `--watch`): new starts validate
   * against it and results are projected by it; live subscriptions go on with their documents.
   * @throws TransportConfigurationError when `schema` is not a valid AppSync schema.
   */
  replaceSchema(schema: string | GraphQLSchema): GraphQLSchema {
    this.#schema = servedSchema(buildAppSyncSchema(schema));
    return this.#schema;
  }

  protected errorFrame(type: string, errors: unknown, id?: string): Record<string, unknown> {
    return { type, ...(id === undefined ? {} : { id }), payload: { errors } };
  }

  protected ackFrame(): unknown {
    const payload = { connectionTimeoutMs: this.#options.connectionTimeoutMs ?? 300_000 };
    return { type: 'connection_ack', payload: this.faults.ackPayloadAsString ? JSON.stringify(payload) : payload };
  }

  protected async handle(connection: Connection, message: Record<string, unknown>): Promise<void> {
    switch (message.type) {
      case 'connection_init':
        if (await this.admit(connection)) this.acknowledge(connection);
        return;
      case 'start':
        return this.#start(connection, message);
      case 'stop':
        return this.#stop(connection, message);
      default:
        this.send(connection, this.errorFrame('error', [{ errorType: 'UnsupportedOperation', message: unsupported(message.type) }], idOf(message)));
    }
  }

  /**
   * AppSync refuses operations before `connection_init`; our choice of answer is an `error` for
   * that id (the connection stays open, so a client that inits late can go on).
   */
  #beforeInit(connection: Connection, message: Record<string, unknown>): boolean {
    if (connection.admitted) return false;
    const id = idOf(message);
    this.send(
      connection,
      this.errorFrame('error', [{ errorType: 'BadRequestException', message: `Expected connection_init before ${String(message.type)}${id === undefined ? '' : ` (id ${JSON.stringify(id)})`}, but the connection has not been initialized: send {"type":"connection_init"} and wait for connection_ack.` }], id),
    );
    return true;
  }

  async #start(connection: Connection, message: Record<string, unknown>): Promise<void> {
    if (this.#beforeInit(connection, message)) return;
    const id = message.id;
    const error = (errors: unknown): void => this.send(connection, this.errorFrame('error', errors, typeof id === 'string' ? id : undefined));
    if (typeof id !== 'string' || id === '') {
      return error([{ errorType: 'BadRequestException', message: `Expected start to have an id (a non-empty string), but got ${describeValue(id)}.` }]);
    }
    if (connection.subscriptions.has(id)) {
      return error([{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]);
    }
    const payload = asObject(message.payload);
    if (typeof payload?.data !== 'string') {
      return error([{ errorType: 'BadRequestException', message: `Expected start's payload.data to be a JSON string of {query, variables?, operationName?}, but got ${describeKind(payload?.data)}.` }]);
    }
    const authorization = asObject(payload.extensions)?.authorization;
    const verdict = await this.authorize(authorization, '/graphql', payload.data);
    if (connection.closed) return;
    if (!verdict.ok) return error([{ errorType: 'UnauthorizedException', message: verdict.message }]);
    const max = this.#options.maxSubscriptionsPerConnection ?? 100;
    if (connection.subscriptions.size >= max) {
      // AppSync sends this one as an object, not an array (docs/PROTOCOL.md §4.2).
      return error({ errorType: 'MaxSubscriptionsReachedError', message: `Max number of ${max} subscriptions reached` });
    }
    let subscription: LocalSubscription;
    try {
      subscription = this.#parseSubscription(connection.id, id, payload.data);
    } catch (cause) {
      if (cause instanceof RejectedSubscription) return error(cause.errors);
      return error([{ errorType: 'ValidationError', message: cause instanceof Error ? cause.message : String(cause) }]);
    }
    if (this.#options.deniedFields?.includes(subscription.field)) {
      return error([{ errorType: 'Unauthorized', message: `Not Authorized to access ${subscription.field} on type Subscription` }]);
    }
    if (this.schema !== undefined && this.#options.fieldAuth?.allows(this.schema, 'Subscription', subscription.field, verdict.mode, verdict.caller) === false) {
      return error([{ errorType: 'Unauthorized', message: `Not Authorized to access ${subscription.field} on type Subscription` }]);
    }
    const resolver = this.#options.fieldResolvers?.get(`Subscription.${subscription.field}`);
    if (resolver !== undefined) {
      const refused = await this.#resolveStart(resolver, subscription, stringHeaders(authorization), verdict.mode, verdict.caller);
      if (connection.closed) return;
      if (refused !== undefined) return error(refused);
      if (connection.subscriptions.has(id)) return error([{ errorType: 'DuplicatedOperationError', message: `Duplicated operation with id ${id}` }]);
    }
    if (this.#options.fieldAuth !== undefined) this.#callers.set(subscription, { mode: verdict.mode, caller: verdict.caller });
    connection.subscriptions.set(id, subscription);
    this.notify();
    this.confirm(connection, id, subscription, { type: 'start_ack', id });
  }

  #parseSubscription(connectionId: number, id: string, data: string): LocalSubscription {
    const request = asObject(JSON.parse(data)) as { query?: unknown; operationName?: unknown; variables?: unknown } | undefined;
    if (typeof request?.query !== 'string') throw new Error('Validation error: payload.data must be a JSON object with the query as a string.');
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

  /**
   * Runs a Subscription field's resolver for one `start`; answers the errors that refuse it, or
   * undefined (with the filter it set kept for `publish`).
   */
  async #resolveStart(resolver: TemplateFieldResolver, subscription: LocalSubscription, headers: Record<string, string>, authMode: string, caller: LocalCaller | undefined): Promise<unknown[] | undefined> {
    const nodes = this.#fieldNodes.get(subscription);
    const info: FieldInfo = {
      fieldName: subscription.field,
      parentType: { name: 'Subscription' },
      fieldNodes: nodes ? [nodes.fieldNode] : [],
      fragments: nodes?.fragments ?? {},
      variableValues: subscription.variables,
    };
    try {
      const resolved = await resolver({ source: null, args: JSON.parse(JSON.stringify(subscription.args)) as Record<string, unknown>, info, headers, authMode, caller });
      const filters = [
        ['subscription filter', resolved.subscriptionFilter, this.#filters],
        ['subscription invalidation filter', resolved.invalidationFilter, this.#invalidationFilters],
      ] as const;
      const parsed: [SubscriptionFilter, WeakMap<LocalSubscription, SubscriptionFilter>][] = [];
      for (const [kind, given, into] of filters) {
        if (given === undefined || given === null) continue;
        // AppSync's own refusal of a filter over its limits: its message and a 400, no errorType.
        const breach = filterLimitBreach(given);
        if (breach !== undefined) return [{ message: breach, errorCode: 400 }];
        const filter = parseSubscriptionFilter(given);
        if (typeof filter === 'string') return [{ errorType: 'Code', message: `The resolver of Subscription.${subscription.field} set a ${kind} that is not one: ${filter}` }];
        parsed.push([filter, into]);
      }
      for (const [filter, into] of parsed) into.set(subscription, filter);
      return undefined;
    } catch (cause) {
      // A resolver's own error carries its errorType (null for util.error without one); anything else is ours, named by class only.
      if (cause instanceof Error && 'errorType' in cause) {
        const { errorType } = cause as { errorType: unknown };
        return [{ errorType: typeof errorType === 'string' ? errorType : null, message: cause.message }];
      }
      return [{ errorType: 'InternalFailure', message: `The resolver of Subscription.${subscription.field} failed in the local AppSync (${errorName(cause)}).` }];
    }
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
    this.#fieldNodes.set(subscription, { fieldNode: checked.fieldNode, fragments: checked.fragments });
    return subscription;
  }

  #stop(connection: Connection, message: Record<string, unknown>): void {
    if (this.#beforeInit(connection, message)) return;
    const id = message.id;
    if (typeof id !== 'string') {
      this.send(connection, this.errorFrame('error', [{ errorType: 'BadRequestException', message: `Expected stop to have the id of a start (a string), but got ${describeValue(id)}.` }]));
      return;
    }
    connection.subscriptions.delete(id);
    this.notify();
    if (!this.faults.skipComplete) this.send(connection, { type: 'complete', id });
  }

  // ---- what tests and the local AppSync drive -----------------------------------------------

  /**
   * Sends `value` to the subscriptions on `field` that it passes, as AppSync fans out a
   * mutation's result, and returns how many received it. Each subscription is tested as at a
   * mutation: by the enhanced filter its Subscription resolver set
   * (`extensions.setSubscriptionFilter`), which takes the place of its arguments; without one, by
   * its arguments (each non-null one must equal the same field of `value`). Publishing ends no
   * subscription: invalidation is `invalidateMatching`.
   *
   * There is no mutation here, so no mutation-selection rule: `value` is what the filters see and
   * what is sent, as given. With a `schema`, each subscriber gets it cut down to its own
   * selection set (aliases, fragments, `__typename`, scalars serialized), as AppSync sends it;
   * without one, as is. A mutation the server runs publishes through here with only the fields it
   * selected.
   */
  publish(field: string, value: unknown, extra: { errors?: unknown[] } = {}): number {
    // Subscribers with the same document and variables get the same payload: project and
    // serialize it once (20 000 subscribers to one document are one projection, not 20 000).
    const payloads = new Map<string, string>();
    let count = 0;
    for (const connection of this.open()) {
      for (const subscription of connection.subscriptions.values()) {
        if (subscription.field !== field) continue;
        // A filter the subscription's resolver set replaces filtering by its arguments.
        const filter = this.#filters.get(subscription);
        if (filter === undefined ? !matchesArgs(subscription.args, value) : !matchesFilter(filter, value)) continue;
        const document = this.#documents.get(subscription);
        const who = this.#callers.get(subscription);
        const key = document ? this.#projectionKey(subscription, who) : '';
        let payload = payloads.get(key);
        if (payload === undefined) {
          const schema = this.schema;
          const fieldAuth = this.#options.fieldAuth;
          const allows = schema && fieldAuth && who ? (type: string, name: string) => fieldAuth.allows(schema, type, name, who.mode, who.caller) : undefined;
          const body: Record<string, unknown> =
            schema && document ? { ...projectPayload(schema, document, subscription, value, allows) } : { data: { [field]: value } };
          if (extra.errors) body.errors = [...((body.errors as unknown[] | undefined) ?? []), ...extra.errors];
          payload = JSON.stringify(body);
          payloads.set(key, payload);
        }
        this.send(connection, `{"type":"data","id":${JSON.stringify(subscription.id)},"payload":${payload}}`);
        count++;
      }
    }
    return count;
  }

  /**
   * What makes two subscribers' payloads the same (document, variables, and what field auth reads
   * of them): fixed at start, so computed on the first publish and kept.
   */
  #projectionKey(subscription: LocalSubscription, who: { mode: string; caller: LocalCaller | undefined } | undefined): string {
    let key = this.#projectionKeys.get(subscription);
    if (key === undefined) {
      key = `${subscription.operationName ?? ''}\u0000${JSON.stringify(subscription.variables)}\u0000${subscription.query}\u0000${authKey(who)}`;
      this.#projectionKeys.set(subscription, key);
    }
    return key;
  }

  /**
   * A mutation resolver's `extensions.invalidateSubscriptions({ subscriptionField, payload })`:
   * ends each subscription on `field` whose resolver set an invalidation filter that `payload`
   * passes, with AppSync's `Subscription complete.` for its id (the socket stays open; see
   * docs/PROTOCOL.md). Subscriptions without one are untouched. Returns how many it ended.
   */
  invalidateMatching(field: string, payload: Record<string, unknown>): number {
    let count = 0;
    for (const connection of this.open()) {
      for (const subscription of [...connection.subscriptions.values()]) {
        const filter = subscription.field === field ? this.#invalidationFilters.get(subscription) : undefined;
        if (filter === undefined || !matchesFilter(filter, payload)) continue;
        connection.subscriptions.delete(subscription.id);
        this.send(connection, this.errorFrame('error', [{ message: 'Subscription complete.' }], subscription.id));
        count++;
      }
    }
    if (count > 0) this.notify();
    return count;
  }

  /** Server-side invalidation: AppSync's `Subscription complete.` for one subscription id. */
  invalidate(id: string): void {
    this.sendError([{ message: 'Subscription complete.' }], id);
  }

  /** Sends an error for one subscription (it is removed) or, without id, for the connection. */
  sendError(errors: unknown, id?: string): void {
    for (const connection of this.open()) {
      if (id === undefined) this.send(connection, this.errorFrame('error', errors));
      else if (connection.subscriptions.delete(id)) this.send(connection, this.errorFrame('error', errors, id));
    }
    this.notify();
  }
}

/** The string-valued entries of a `start`'s authorization object (`ctx.request.headers`, `ctx.identity`). */
function stringHeaders(auth: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(asObject(auth) ?? {})) if (typeof value === 'string') headers[name.toLowerCase()] = value;
  return headers;
}

/** What per-field auth reads of a subscriber: subscribers alike in it share one projection. */
function authKey(who: { mode: string; caller: LocalCaller | undefined } | undefined): string {
  if (who === undefined) return '';
  const { caller } = who;
  return JSON.stringify([who.mode, caller?.isDefaultProvider ?? null, caller?.claims?.['cognito:groups'] ?? null, caller?.deniedFields ?? null]);
}

function matchesArgs(args: Record<string, unknown>, value: unknown): boolean {
  for (const [name, expected] of Object.entries(args)) {
    if (expected === undefined || expected === null) continue;
    if (typeof value !== 'object' || value === null || (value as Record<string, unknown>)[name] !== expected) return false;
  }
  return true;
}
