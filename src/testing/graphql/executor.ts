/**
 * Queries and mutations against a schema, as AppSync's HTTP endpoint runs them: the NONE data
 * source echo and the in-memory store by default, the user's resolvers where given, results in
 * AppSync's error shapes, and every mutation result handed to the subscriptions it feeds
 * (`@aws_subscribe`). Pure: no sockets, no HTTP.
 */
import {
  execute,
  getOperationAST,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { TransportConfigurationError } from '../../errors.js';
import type { LocalCaller } from '../auth-check.js';
import { unauthorizedField, type FieldAuthorizer } from './field-auth.js';
import { executionError, requestErrors, syntaxError, validationErrors, type AppSyncGraphQLError } from './appsync-errors.js';
import { echoMutation, readQuery, type EchoEnvironment } from './echo.js';
import { selectedValue } from './mutation-selection.js';
import { MAX_INVALIDATIONS_PER_REQUEST } from '../appsync-js/limits.js';
import { LocalStore } from './store.js';
import { dataFieldResolver, subscriptionTargets } from './subscriptions.js';

export interface LocalResolverContext {
  store: LocalStore;
  info: GraphQLResolveInfo;
  /** What the field returns without this resolver: the echo (Mutation) or the store (Query). */
  fallback(): unknown;
}

/**
 * Replaces the default behaviour of a root field. Throw an error with `errorType` (and
 * optionally `data`, `errorInfo`) to answer as AppSync's `util.error` does.
 */
export type LocalResolver = (args: Record<string, unknown>, context: LocalResolverContext) => unknown;

export interface LocalResolvers {
  Query?: Record<string, LocalResolver>;
  Mutation?: Record<string, LocalResolver>;
}

/** The body of a GraphQL request over HTTP. */
export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

/** A response body as AppSync sends it. */
export interface AppSyncExecutionResult {
  data: Record<string, unknown> | null;
  errors?: AppSyncGraphQLError[];
}

/**
 * The part of graphql-js's resolve info a template resolver reads (`ctx.info`): what a query's
 * field has, and what a subscription's `start` gives too. @inline
 */
export type FieldInfo = Pick<GraphQLResolveInfo, 'fieldName' | 'fieldNodes' | 'fragments' | 'variableValues'> & { parentType: { name: string } };

/** What a template resolver is called with (any type's field, not only root fields). @inline */
export interface FieldCall {
  source: unknown;
  args: Record<string, unknown>;
  info: FieldInfo;
  /** The HTTP request's headers (lower-cased names). */
  headers: Record<string, string>;
  /** The auth mode the request passed (`API_KEY`, `AWS_IAM`…). */
  authMode: string;
  /** Who passed the auth check (claims, Lambda context…). */
  caller?: LocalCaller | undefined;
}

/** A field's value and the errors `util.appendError` added beside it. @inline */
export interface FieldResolution {
  value: unknown;
  errors: { message: string; errorType: string | null; data: unknown; errorInfo: unknown }[];
  /** A Subscription field's resolver: the filter `extensions.setSubscriptionFilter` set. */
  subscriptionFilter?: unknown;
  /** A Subscription field's resolver: the filter `extensions.setSubscriptionInvalidationFilter` set. */
  invalidationFilter?: unknown;
  /** A Mutation field's resolver: the distinct `extensions.invalidateSubscriptions` arguments. */
  invalidations?: unknown[];
}

/**
 * Resolves one field the way the app's own resolver does (a template's APPSYNC_JS code). Throw an
 * error with `errorType` (and `data`, `errorInfo`) to fail the field.
 * @inline
 */
export type TemplateFieldResolver = (call: FieldCall) => Promise<FieldResolution>;

/** Who sent a request: its headers and the auth mode it passed. @inline */
export interface RequestMeta {
  headers?: Record<string, string> | undefined;
  authMode?: string | undefined;
  /** Who passed the auth check (claims, Lambda context…). */
  caller?: LocalCaller | undefined;
}

export interface LocalGraphQLOptions {
  schema: GraphQLSchema;
  /**
   * Resolvers by `Type.field`, from a template. With them, a root field that has none returns
   * null, as in AppSync, instead of the echo and the store. @default none
   */
  fieldResolvers?: Map<string, TemplateFieldResolver> | undefined;
  /** Root-field resolvers that replace the echo and the store lookup. @default none */
  resolvers?: LocalResolvers | undefined;
  /** Where mutations write and queries read. @default a new, empty store */
  store?: LocalStore | undefined;
  /**
   * Receives each mutation's response (what it selected) once per subscription field it feeds,
   * after the request ran.
   */
  publish?: ((subscriptionField: string, value: unknown) => void) | undefined;
  /**
   * Receives each mutation resolver's `extensions.invalidateSubscriptions({ subscriptionField,
   * payload })`, after the request ran.
   */
  invalidate?: ((subscriptionField: string, payload: Record<string, unknown>) => void) | undefined;
  /** Clock for `createdAt`/`updatedAt`. @default () => new Date() */
  now?: (() => Date) | undefined;
  /** Source of generated ids. @default crypto.randomUUID */
  generateId?: (() => string) | undefined;
  /**
   * The schema's auth directives enforced on every field of a request that passed an auth
   * check (`server.mutate()` has none and is not checked). @default none: every field allowed
   */
  fieldAuth?: FieldAuthorizer | undefined;
}

/** A root mutation field that ran: its name, and where its response is (AppSync publishes that). */
interface RanMutation {
  field: string;
  responseKey: string;
  info: GraphQLResolveInfo;
}

interface RequestContext {
  mutations: RanMutation[];
  /** Each mutation resolver's `extensions.invalidateSubscriptions`, in order. */
  invalidations: { subscriptionField: string; payload: Record<string, unknown> }[];
  meta: RequestMeta;
  /** Errors reported beside a value (`util.appendError`). */
  appended: AppSyncGraphQLError[];
}

export class LocalGraphQLExecutor {
  readonly schema: GraphQLSchema;
  readonly store: LocalStore;
  readonly #resolvers: LocalResolvers;
  readonly #publish: ((subscriptionField: string, value: unknown) => void) | undefined;
  readonly #invalidate: ((subscriptionField: string, payload: Record<string, unknown>) => void) | undefined;
  readonly #targets: Map<string, string[]>;
  readonly #env: EchoEnvironment;
  readonly #fields: Map<string, TemplateFieldResolver> | undefined;
  readonly #fieldAuth: FieldAuthorizer | undefined;

  constructor(options: LocalGraphQLOptions) {
    this.schema = options.schema;
    this.store = options.store ?? new LocalStore();
    this.#resolvers = options.resolvers ?? {};
    this.#publish = options.publish;
    this.#invalidate = options.invalidate;
    this.#fields = options.fieldResolvers;
    this.#targets = subscriptionTargets(options.schema);
    this.#env = {
      store: this.store,
      now: options.now ?? (() => new Date()),
      generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
    };
    checkResolvers(options.schema, this.#resolvers);
    if (this.#fields !== undefined) checkFieldResolvers(options.schema, this.#fields);
    this.#fieldAuth = options.fieldAuth;
    this.#fieldAuth?.check(options.schema);
  }

  /** Runs a query or mutation; never throws for a bad document (errors are in the result). */
  async execute(request: GraphQLRequest, meta: RequestMeta = {}): Promise<AppSyncExecutionResult> {
    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (error) {
      return { data: null, errors: [syntaxError(error as GraphQLError)] };
    }
    const invalid = validate(this.schema, document);
    if (invalid.length > 0) return { data: null, errors: validationErrors(invalid, document) };
    const operationName = request.operationName ?? undefined;
    if (getOperationAST(document, operationName)?.operation === 'subscription') {
      // Our choice: AppSync's HTTP endpoint is not where subscriptions live; say so plainly.
      return {
        data: null,
        errors: [{ path: null, locations: null, message: 'Subscriptions run on the real-time endpoint (WebSocket), not over HTTP.' }],
      };
    }
    const context: RequestContext = { mutations: [], meta, appended: [], invalidations: [] };
    const result = await execute({
      schema: this.schema,
      document,
      variableValues: request.variables ?? {},
      operationName,
      contextValue: context,
      fieldResolver: this.#resolve,
    });
    // No `data` at all: the request failed before execution (variables, operation name).
    if (!('data' in result)) return { data: null, errors: requestErrors(result.errors ?? []) };
    const response: AppSyncExecutionResult = { data: (result.data ?? null) as Record<string, unknown> | null };
    if (result.errors || context.appended.length > 0) response.errors = [...(result.errors ?? []).map(executionError), ...context.appended];
    // AppSync publishes a mutation's response, once the mutation has completed: only the fields
    // it selected (the mutation-selection rule, see mutation-selection.ts).
    for (const { field, responseKey, info } of context.mutations) {
      const answered = response.data?.[responseKey];
      if (answered === null || answered === undefined) continue;
      const value = selectedValue(answered, info.fieldNodes, info.fragments);
      for (const subscriptionField of this.#targets.get(field) ?? []) this.#publish?.(subscriptionField, value);
    }
    for (const { subscriptionField, payload } of context.invalidations) this.#invalidate?.(subscriptionField, payload);
    return response;
  }

  readonly #resolve: GraphQLFieldResolver<unknown, RequestContext> = (source, args, context, info) => {
    // Checked before the resolver runs: a denied mutation writes nothing and publishes nothing.
    const { authMode, caller } = context.meta;
    if (this.#fieldAuth !== undefined && authMode !== undefined && !this.#fieldAuth.allows(this.schema, info.parentType.name, info.fieldName, authMode, caller)) {
      throw unauthorizedField(info.parentType.name, info.fieldName);
    }
    const root =
      info.parentType === this.schema.getMutationType() ? 'Mutation' : info.parentType === this.schema.getQueryType() ? 'Query' : undefined;
    if (this.#fields !== undefined) return this.#resolveWithTemplate(this.#fields, root, source, args, context, info);
    if (root === undefined) return dataFieldResolver(source, args, context, info);
    const fallback = (): unknown => (root === 'Mutation' ? echoMutation(args, info, this.#env) : readQuery(args, info, this.store));
    const own = this.#resolvers[root]?.[info.fieldName];
    const value = own ? own(args, { store: this.store, info, fallback }) : fallback();
    if (root === 'Query') return value;
    context.mutations.push({ field: info.fieldName, responseKey: String(info.path.key), info });
    return value;
  };

  /** A template app: its resolvers on any type; a root field without one is null, as in AppSync. */
  async #resolveWithTemplate(
    fields: Map<string, TemplateFieldResolver>,
    root: 'Query' | 'Mutation' | undefined,
    source: unknown,
    args: Record<string, unknown>,
    context: RequestContext,
    info: GraphQLResolveInfo,
  ): Promise<unknown> {
    const own = fields.get(`${info.parentType.name}.${info.fieldName}`);
    if (own === undefined) return root === undefined ? dataFieldResolver(source, args, context, info) : null;
    const resolved = await own({ source, args: JSON.parse(JSON.stringify(args)) as Record<string, unknown>, info, headers: context.meta.headers ?? {}, authMode: context.meta.authMode ?? 'API_KEY', caller: context.meta.caller });
    const path = pathOf(info.path);
    const errors = [...resolved.errors];
    if (root === 'Mutation') {
      const known = this.schema.getSubscriptionType()?.getFields() ?? {};
      for (const invalidation of (resolved.invalidations ?? []) as { subscriptionField: string; payload: Record<string, unknown> }[]) {
        // Our choice: a field the schema lacks is a typo that would end nothing; say so beside the value.
        if (known[invalidation.subscriptionField] === undefined) {
          errors.push({ message: `extensions.invalidateSubscriptions names subscriptionField ${JSON.stringify(invalidation.subscriptionField)}, but the schema's Subscription type has ${Object.keys(known).length > 0 ? `only ${Object.keys(known).join(', ')}` : 'no fields'}: no subscription was ended.`, errorType: 'Code', data: null, errorInfo: null });
          continue;
        }
        const key = JSON.stringify(invalidation);
        if (context.invalidations.some((i) => JSON.stringify(i) === key)) continue;
        // The limit is per request: two mutation fields share it.
        if (context.invalidations.length >= MAX_INVALIDATIONS_PER_REQUEST) {
          errors.push({ message: `extensions.invalidateSubscriptions: this request already made ${MAX_INVALIDATIONS_PER_REQUEST} unique calls, AppSync's limit per request; ${invalidation.subscriptionField}'s was not applied.`, errorType: 'Code', data: null, errorInfo: null });
          continue;
        }
        context.invalidations.push(invalidation);
      }
    }
    for (const error of errors) {
      context.appended.push({ path, data: error.data ?? null, errorType: error.errorType, errorInfo: error.errorInfo ?? null, locations: info.fieldNodes.map((n) => ({ line: n.loc?.startToken.line ?? 0, column: n.loc?.startToken.column ?? 0, sourceName: null })), message: error.message });
    }
    if (root === 'Mutation') context.mutations.push({ field: info.fieldName, responseKey: String(info.path.key), info });
    return resolved.value;
  }
}

function pathOf(path: GraphQLResolveInfo['path']): (string | number)[] {
  const out: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = path; p; p = p.prev) out.unshift(p.key);
  return out;
}

/** A resolver for a field the schema does not have is a typo: say so at startup. */
function checkResolvers(schema: GraphQLSchema, resolvers: LocalResolvers): void {
  for (const root of ['Query', 'Mutation'] as const) {
    const type = root === 'Query' ? schema.getQueryType() : schema.getMutationType();
    const fields = type?.getFields() ?? {};
    for (const name of Object.keys(resolvers[root] ?? {})) {
      if (fields[name] === undefined) {
        throw new TransportConfigurationError(
          `Expected resolvers.${root}.${name} to match a field of the schema's ${root} type, but it has ${Object.keys(fields).length > 0 ? `only ${Object.keys(fields).join(', ')}` : 'no such type'}.`,
        );
      }
    }
  }
}

/** A template resolver on a type or field the schema lacks fails a deploy; so it fails here. */
function checkFieldResolvers(schema: GraphQLSchema, fields: Map<string, TemplateFieldResolver>): void {
  for (const key of fields.keys()) {
    const [typeName = '', fieldName = ''] = key.split('.');
    const type = schema.getType(typeName);
    const known = type && 'getFields' in type ? (type.getFields() as Record<string, unknown>) : undefined;
    if (known?.[fieldName] === undefined) {
      throw new TransportConfigurationError(`A resolver is attached to ${key}, but the schema has no such ${known === undefined ? 'type' : 'field'}: AppSync would refuse to deploy it.`);
    }
  }
}
