/**
 * graphql-js errors in AppSync's words and shapes. AppSync runs graphql-java, so its
 * validation messages read `Validation error of type FieldUndefined: Field 'x' in type 'Query'
 * is undefined @ 'x'`; clients and people grep for those, so the local server says the same.
 * Shapes follow what AppSync sends (graphql/graphql-over-http#81, AppSync issue threads):
 * validation and request errors carry `path: null`, no `errorType`; resolver errors carry
 * `path`, `data`, `errorType`, `errorInfo` and `locations`.
 */
import { Kind, isNonNullType, isObjectType, visit, type ASTNode, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';

export interface AppSyncErrorLocation {
  line: number;
  column: number;
  sourceName: null;
}

/** An error object as AppSync puts it in `errors` over HTTP. */
export interface AppSyncGraphQLError {
  path: ReadonlyArray<string | number> | null;
  locations: AppSyncErrorLocation[] | null;
  message: string;
  data?: unknown;
  errorType?: string | null;
  errorInfo?: unknown;
}

type Rewrite = [RegExp, (m: RegExpMatchArray) => string];

// graphql-js message → graphql-java's `<type>: <message>` (graphql 16 is pinned, so the
// wording these match is stable). Unknown messages keep graphql-js's words.
const VALIDATION_REWRITES: Rewrite[] = [
  [/^Cannot query field "(.+?)" on type "(.+?)"\./, (m) => `FieldUndefined: Field '${m[1]}' in type '${m[2]}' is undefined`],
  [/^Unknown argument "(.+?)" on field "(.+?)"\./, (m) => `UnknownArgument: Unknown field argument ${m[1]}`],
  [/^Unknown argument "(.+?)" on directive "@(.+?)"\./, (m) => `UnknownArgument: Unknown directive argument ${m[1]}`],
  [/^Field "(.+?)" of type "(.+?)" must have a selection of subfields/, (m) => `SubSelectionRequired: Sub selection required for type ${m[2]} of field ${m[1]}`],
  [/^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields\./, (m) => `SubSelectionNotAllowed: Sub selection not allowed on leaf type ${m[2]} of field ${m[1]}`],
  [/^Field "(.+?)" argument "(.+?)" of type "(.+?)" is required, but it was not provided\./, (m) => `MissingFieldArgument: Missing field argument ${m[2]}`],
  [/^Unknown type "(.+?)"\./, (m) => `UnknownType: Unknown type ${m[1]}`],
  [/^Variable "\$(.+?)" is not defined/, (m) => `UndefinedVariable: Undefined variable ${m[1]}`],
  [/^Variable "\$(.+?)" is never used/, (m) => `UnusedVariable: Unused variable ${m[1]}`],
  [/^Variable "\$(.+?)" of type "(.+?)" used in position expecting type "(.+?)"\./, (m) => `VariableTypeMismatch: Variable type '${m[2]}' doesn't match expected type '${m[3]}'`],
  [/^Unknown fragment "(.+?)"\./, (m) => `UndefinedFragment: Undefined fragment ${m[1]}`],
  [/^Fragment "(.+?)" is never used\./, (m) => `UnusedFragment: Unused fragment ${m[1]}`],
  [/^Unknown directive "@(.+?)"\./, (m) => `UnknownDirective: Unknown directive ${m[1]}`],
  [/^(Expected value of type|.+ cannot represent)/, (m) => `WrongType: ${m.input ?? ''}`],
  [/must select only one top level field\.$/, (m) => `SubscriptionMultipleRootFields: ${m.input ?? ''}`],
];

const VARIABLE_REWRITES: Rewrite[] = [
  [/^Variable "\$(.+?)" of required type "(.+?)" was not provided\./, (m) => `Variable '${m[1]}' has coerced Null value for NonNull type '${m[2]}'`],
  [/^Variable "\$(.+?)" of non-null type "(.+?)" must not be null\./, (m) => `Variable '${m[1]}' has coerced Null value for NonNull type '${m[2]}'`],
];

function rewrite(message: string, rules: Rewrite[]): string | undefined {
  for (const [pattern, to] of rules) {
    const match = message.match(pattern);
    if (match) return to(match);
  }
  return undefined;
}

function locationsOf(error: GraphQLError): AppSyncErrorLocation[] | null {
  return error.locations?.map(({ line, column }) => ({ line, column, sourceName: null })) ?? null;
}

/** Each node's path of field names from its definition's root, as graphql-java's `@ 'a/b'`. */
function fieldPaths(document: DocumentNode): Map<ASTNode, string> {
  const paths = new Map<ASTNode, string>();
  const stack: string[] = [];
  visit(document, {
    enter(node) {
      if (node.kind === Kind.FIELD) stack.push(node.name.value);
      paths.set(node, stack.join('/'));
    },
    leave(node) {
      if (node.kind === Kind.FIELD) stack.pop();
    },
  });
  return paths;
}

/** The message AppSync gives for a validation error of `document`. */
export function validationMessage(error: GraphQLError, paths: Map<ASTNode, string>): string {
  const body = rewrite(error.message, VALIDATION_REWRITES);
  if (body === undefined) return `Validation error: ${error.message}`;
  const node = error.nodes?.[0];
  const path = node === undefined ? '' : (paths.get(node) ?? '');
  return `Validation error of type ${body}${path === '' ? '' : ` @ '${path}'`}`;
}

/** Validation errors of `document`, as AppSync returns them over HTTP. */
export function validationErrors(errors: readonly GraphQLError[], document: DocumentNode): AppSyncGraphQLError[] {
  const paths = fieldPaths(document);
  return errors.map((error) => ({ path: null, locations: locationsOf(error), message: validationMessage(error, paths) }));
}

/** Validation errors of `document`, as AppSync sends them in a real-time `error` frame. */
export function realtimeValidationErrors(errors: readonly GraphQLError[], document: DocumentNode): { message: string }[] {
  const paths = fieldPaths(document);
  return errors.map((error) => ({ message: validationMessage(error, paths) }));
}

/** A document that does not parse (graphql-java calls it "Invalid Syntax"). */
export function syntaxError(error: GraphQLError): AppSyncGraphQLError {
  const description = error.message.replace(/^Syntax Error: /, '');
  return { path: null, locations: locationsOf(error), message: `Invalid Syntax : ${description}` };
}

/** Errors raised before execution (variables that do not coerce, unknown operation). */
export function requestErrors(errors: readonly GraphQLError[]): AppSyncGraphQLError[] {
  return errors.map((error) => ({
    path: null,
    locations: null,
    message: rewrite(error.message, VARIABLE_REWRITES) ?? error.message,
  }));
}

/**
 * A field error during execution. A resolver may throw an error carrying `errorType`, `data`
 * and `errorInfo`, as AppSync's `util.error(message, errorType, data, errorInfo)` does.
 */
export function executionError(error: GraphQLError): AppSyncGraphQLError {
  const original = (error.originalError ?? {}) as { errorType?: unknown; data?: unknown; errorInfo?: unknown };
  return {
    path: error.path ?? null,
    data: original.data ?? null,
    errorType: typeof original.errorType === 'string' ? original.errorType : null,
    errorInfo: original.errorInfo ?? null,
    locations: locationsOf(error),
    message: error.message,
  };
}

/**
 * A field error during execution, with graphql-java's words for a null in a non-null field
 * (`Cannot return null for non-nullable type: 'String' within parent 'Message' (/onPost/text)`,
 * what AppSync sends a subscriber whose selection holds a non-null field the mutation did not
 * select) where graphql-js says `Cannot return null for non-nullable field Message.text.`.
 */
export function executionErrorIn(schema: GraphQLSchema, error: GraphQLError): AppSyncGraphQLError {
  const shaped = executionError(error);
  const match = /^Cannot return null for non-nullable field ([_A-Za-z][_0-9A-Za-z]*)\.([_A-Za-z][_0-9A-Za-z]*)\.$/.exec(error.message);
  const parent = match ? schema.getType(match[1] ?? '') : undefined;
  const type = isObjectType(parent) ? parent.getFields()[match?.[2] ?? '']?.type : undefined;
  if (!match || type === undefined || !isNonNullType(type)) return shaped;
  const path = (error.path ?? []).map(String).join('/');
  return { ...shaped, message: `Cannot return null for non-nullable type: '${type.ofType.toString()}' within parent '${match[1] ?? ''}' (/${path})` };
}
