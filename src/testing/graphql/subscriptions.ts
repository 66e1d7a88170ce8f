/**
 * Subscriptions against a schema: which subscription fields a mutation feeds
 * (`@aws_subscribe`), checking a `start` document, and cutting a published result down to what
 * one subscriber selected. Pure: the real-time engine calls these.
 */
import {
  Kind,
  defaultFieldResolver,
  executeSync,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
  type DocumentNode,
  type FieldDefinitionNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { executionErrorIn, realtimeValidationErrors, requestErrors, syntaxError, type AppSyncGraphQLError } from './appsync-errors.js';
import { unauthorizedField } from './field-auth.js';

/**
 * graphql-js's default resolver, except that a name only `Object.prototype` has (`constructor`,
 * `toString`, `valueOf`…) is absent, as in AppSync's JSON data, not a function called or
 * "[object Object]". Own properties, getters and methods of a class still resolve.
 */
export const dataFieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) =>
  onlyOnObjectPrototype(source, info.fieldName) ? undefined : defaultFieldResolver(source, args, context, info);

function onlyOnObjectPrototype(source: unknown, name: string): boolean {
  if (typeof source !== 'object' || source === null) return false;
  for (let holder: object | null = source; holder !== null; holder = Object.getPrototypeOf(holder) as object | null) {
    // Object.prototype, of this realm or the sandbox's, is the link whose own prototype is null.
    if (Object.hasOwn(holder, name)) return holder !== source && Object.getPrototypeOf(holder) === null;
  }
  return false;
}

/**
 * Subscription fields by the mutation that feeds them: `@aws_subscribe(mutations: [...])` on
 * the subscription field, and the legacy `@aws_publish(subscriptions: [...])` on the mutation.
 */
export function subscriptionTargets(schema: GraphQLSchema): Map<string, string[]> {
  const targets = new Map<string, string[]>();
  const add = (mutation: string, subscription: string): void => {
    const list = targets.get(mutation) ?? [];
    if (!list.includes(subscription)) list.push(subscription);
    targets.set(mutation, list);
  };
  for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
    for (const name of directiveStrings(field.astNode, 'aws_subscribe', 'mutations')) add(name, field.name);
  }
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    for (const name of directiveStrings(field.astNode, 'aws_publish', 'subscriptions')) add(field.name, name);
  }
  return targets;
}

/** The strings of a `[String]` directive argument given as a literal. */
function directiveStrings(node: FieldDefinitionNode | null | undefined, directive: string, argument: string): string[] {
  const value = node?.directives?.find((d) => d.name.value === directive)?.arguments?.find((a) => a.name.value === argument)?.value;
  if (value === undefined) return [];
  const values = value.kind === Kind.LIST ? value.values : [value];
  return values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
}

/** A `start` that AppSync would refuse; `errors` go in the `error` frame for that id. */
export class RejectedSubscription extends Error {
  override name = 'RejectedSubscription' as const;
  constructor(readonly errors: { message: string }[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

export interface CheckedSubscription {
  document: DocumentNode;
  /** The root field (`onCreateMessage`). */
  field: string;
  /** Its arguments, coerced by the schema, with variables resolved. */
  args: Record<string, unknown>;
  /** The root field's node and the document's fragments (a subscription resolver's `ctx.info`). */
  fieldNode: FieldNode;
  fragments: Record<string, FragmentDefinitionNode>;
}

/** The root field of a subscription, looking through fragments. */
function rootField(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): FieldNode | undefined {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) return selection;
    const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
    const found = inner && rootField(inner, fragments);
    if (found) return found;
  }
  return undefined;
}

/**
 * Checks a `start` document against the schema as AppSync does.
 * @throws RejectedSubscription with AppSync's messages (`Validation error of type …`).
 */
export function checkSubscription(
  schema: GraphQLSchema,
  request: { query: string; operationName: string | undefined; variables: Record<string, unknown> },
): CheckedSubscription {
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    throw new RejectedSubscription([{ message: syntaxError(error as GraphQLError).message }]);
  }
  const errors = validate(schema, document);
  if (errors.length > 0) throw new RejectedSubscription(realtimeValidationErrors(errors, document));
  const operation = getOperationAST(document, request.operationName);
  if (!operation) {
    throw new RejectedSubscription([
      { message: request.operationName ? `Unknown operation named '${request.operationName}'.` : 'The document must name the operation to run when it holds several.' },
    ]);
  }
  const subscriptionType = schema.getSubscriptionType();
  if (operation.operation !== 'subscription' || !subscriptionType) {
    throw new RejectedSubscription([
      {
        message: subscriptionType
          ? `Validation error: the real-time endpoint runs only subscriptions, but got a ${operation.operation}.`
          : 'Validation error: the schema has no Subscription type.',
      },
    ]);
  }
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const fieldNode = rootField(operation.selectionSet, fragments);
  const fieldDef = fieldNode && subscriptionType.getFields()[fieldNode.name.value];
  if (fieldNode === undefined || fieldDef === undefined) throw new RejectedSubscription([{ message: 'Validation error: the subscription selects no field.' }]);
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables);
  if (variables.errors) throw new RejectedSubscription(requestErrors(variables.errors).map(({ message }) => ({ message })));
  try {
    return { document, field: fieldNode.name.value, args: getArgumentValues(fieldDef, fieldNode, variables.coerced), fieldNode, fragments: Object.fromEntries(fragments) };
  } catch (error) {
    throw new RejectedSubscription([{ message: (error as Error).message }]);
  }
}

export interface ProjectedPayload {
  data: Record<string, unknown> | null;
  errors?: AppSyncGraphQLError[];
}

/**
 * `value` cut down to one subscriber's selection set: its fields, aliases, fragments and
 * `__typename`, serialized by the schema's scalars. Runs the subscriber's own document with
 * `value` as the root field's result, which is what graphql-js does for each subscription event.
 */
export function projectPayload(
  schema: GraphQLSchema,
  document: DocumentNode,
  subscription: { field: string; operationName: string | undefined; variables: Record<string, unknown> },
  value: unknown,
  allows?: (typeName: string, fieldName: string) => boolean,
): ProjectedPayload {
  // The subscriber's own auth decides each field it selected, as on HTTP: a field its mode may
  // not read is null with `Unauthorized`, whoever ran the mutation.
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> =
    allows === undefined
      ? dataFieldResolver
      : (source, args, context, info) => {
          if (!allows(info.parentType.name, info.fieldName)) throw unauthorizedField(info.parentType.name, info.fieldName);
          return dataFieldResolver(source, args, context, info);
        };
  try {
    const result = executeSync({
      schema,
      document,
      operationName: subscription.operationName,
      variableValues: subscription.variables,
      rootValue: { [subscription.field]: value },
      fieldResolver,
    });
    if (!('data' in result)) return { data: null, errors: requestErrors(result.errors ?? []) };
    const payload: ProjectedPayload = { data: (result.data ?? null) as Record<string, unknown> | null };
    if (result.errors) payload.errors = result.errors.map((error) => executionErrorIn(schema, error));
    return payload;
  } catch (error) {
    // executeSync throws when a field resolver of a user-built schema returns a promise.
    return { data: null, errors: [{ path: null, locations: null, message: (error as Error).message }] };
  }
}
