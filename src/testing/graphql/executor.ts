/**
 * Queries and mutations against a schema, as AppSync's HTTP endpoint runs them: the NONE data
 * source echo and the in-memory store by default, the user's resolvers where given, results in
 * AppSync's error shapes, and every mutation result handed to the subscriptions it feeds
 * (`@aws_subscribe`). Pure: no sockets, no HTTP.
 */
import {
  defaultFieldResolver,
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
import { executionError, requestErrors, syntaxError, validationErrors, type AppSyncGraphQLError } from './appsync-errors.js';
import { echoMutation, readQuery, type EchoEnvironment } from './echo.js';
import { LocalStore } from './store.js';
import { subscriptionTargets } from './subscriptions.js';

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

export interface LocalGraphQLOptions {
  schema: GraphQLSchema;
  /** Root-field resolvers that replace the echo and the store lookup. @default none */
  resolvers?: LocalResolvers | undefined;
  /** Where mutations write and queries read. @default a new, empty store */
  store?: LocalStore | undefined;
  /** Receives each mutation result once per subscription field it feeds, after the request ran. */
  publish?: ((subscriptionField: string, value: unknown) => void) | undefined;
  /** Clock for `createdAt`/`updatedAt`. @default () => new Date() */
  now?: (() => Date) | undefined;
  /** Source of generated ids. @default crypto.randomUUID */
  generateId?: (() => string) | undefined;
}

interface RequestContext {
  mutations: { field: string; value: unknown }[];
}

export class LocalGraphQLExecutor {
  readonly schema: GraphQLSchema;
  readonly store: LocalStore;
  readonly #resolvers: LocalResolvers;
  readonly #publish: ((subscriptionField: string, value: unknown) => void) | undefined;
  readonly #targets: Map<string, string[]>;
  readonly #env: EchoEnvironment;

  constructor(options: LocalGraphQLOptions) {
    this.schema = options.schema;
    this.store = options.store ?? new LocalStore();
    this.#resolvers = options.resolvers ?? {};
    this.#publish = options.publish;
    this.#targets = subscriptionTargets(options.schema);
    this.#env = {
      store: this.store,
      now: options.now ?? (() => new Date()),
      generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
    };
    checkResolvers(options.schema, this.#resolvers);
  }

  /** Runs a query or mutation; never throws for a bad document (errors are in the result). */
  async execute(request: GraphQLRequest): Promise<AppSyncExecutionResult> {
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
    const context: RequestContext = { mutations: [] };
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
    if (result.errors) response.errors = result.errors.map(executionError);
    // AppSync publishes a mutation's result once the mutation has completed.
    for (const { field, value } of context.mutations) {
      if (value === null || value === undefined) continue;
      for (const subscriptionField of this.#targets.get(field) ?? []) this.#publish?.(subscriptionField, value);
    }
    return response;
  }

  readonly #resolve: GraphQLFieldResolver<unknown, RequestContext> = (source, args, context, info) => {
    const root =
      info.parentType === this.schema.getMutationType() ? 'Mutation' : info.parentType === this.schema.getQueryType() ? 'Query' : undefined;
    if (root === undefined) return defaultFieldResolver(source, args, context, info);
    const fallback = (): unknown => (root === 'Mutation' ? echoMutation(args, info, this.#env) : readQuery(args, info, this.store));
    const own = this.#resolvers[root]?.[info.fieldName];
    const value = own ? own(args, { store: this.store, info, fallback }) : fallback();
    if (root === 'Query') return value;
    return Promise.resolve(value).then((resolved) => {
      context.mutations.push({ field: info.fieldName, value: resolved });
      return resolved;
    });
  };
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
