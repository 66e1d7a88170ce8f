/**
 * AppSync schema files as AppSync reads them: its scalars and directives exist without being
 * declared. `buildSchema` adds what a file leaves out and builds a graphql-js schema.
 * Pure (graphql 16 only, no Node APIs) so a browser client can validate documents with it.
 *
 * This module is the lazy chunk a `Client` with a schema loads, so it does not import
 * `errors.js`: a module shared by a lazy chunk and the initial load becomes a chunk of its own,
 * which costs every page its own file and compression. Its caller hands it the error class
 * (`TransportConfigurationError`); `appsync-sdl.ts` is the public `buildAppSyncSchema`.
 */
import {
  GraphQLSchema,
  Kind,
  buildASTSchema,
  isScalarType,
  parse,
  validateSchema,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLError,
} from 'graphql';
// graphql 16 exports SDL validation only from its validate module; buildASTSchema's own check
// throws one string without locations, and we want to name the line of each problem.
// `#graphql-validate` (package.json `imports`) is that module in the format the `graphql` root
// resolves to: its ES module for the `browser` condition (bundlers read graphql's `module`
// field), its CommonJS file elsewhere (Node loads graphql's `main`). One copy of graphql either
// way, and no CommonJS interop code in browser bundles.
import { validateSDL } from '#graphql-validate';
import { APPSYNC_SCALAR_NAMES, applyAppSyncScalar, type AppSyncScalarName } from './appsync-scalars.js';

/**
 * The declarations AppSync provides implicitly. Directive locations are generous: AppSync
 * accepts its auth directives on types and fields, and a prelude stricter than AppSync would
 * reject real schema files.
 */
export const APPSYNC_SDL_PRELUDE = `
${APPSYNC_SCALAR_NAMES.map((name) => `scalar ${name}`).join('\n')}

"Subscription field fed by the results of the named mutations."
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
"Legacy form of @aws_subscribe, declared on the mutation."
directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_iam on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_oidc on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_lambda on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
"Legacy form of @aws_cognito_user_pools."
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
"Merged APIs: keep this source's definition when types conflict."
directive @canonical on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
"Merged APIs: leave this element out of the merged schema."
directive @hidden on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
"Merged APIs: rename this element in the merged schema."
directive @renamed(to: String!) on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
`;

let preludeDefinitions: readonly DefinitionNode[] | undefined;

function prelude(): readonly DefinitionNode[] {
  preludeDefinitions ??= parse(APPSYNC_SDL_PRELUDE, { noLocation: true }).definitions;
  return preludeDefinitions;
}

/** The name a definition declares (types, scalars, directives), if any. */
function declaredName(definition: DefinitionNode): string | undefined {
  if (definition.kind === Kind.DIRECTIVE_DEFINITION) return `@${definition.name.value}`;
  return 'name' in definition && definition.name !== undefined && definition.kind.endsWith('Definition')
    ? definition.name.value
    : undefined;
}

function describe(errors: readonly GraphQLError[]): string {
  return errors
    .map((error) => {
      const at = error.locations?.[0];
      return at ? `${error.message} (line ${at.line}, column ${at.column})` : error.message;
    })
    .join('; ');
}

/** The error class an invalid schema is reported with: `TransportConfigurationError`. */
export type SchemaErrorClass = new (message: string, options?: { cause?: unknown }) => Error;

function invalid(ConfigurationError: SchemaErrorClass, errors: readonly GraphQLError[]): Error {
  const count = errors.length === 1 ? 'a problem' : `${errors.length} problems`;
  return new ConfigurationError(`Expected a valid AppSync schema, but found ${count}: ${describe(errors)}.`, {
    cause: errors[0],
  });
}

/**
 * Builds a graphql-js schema from an AppSync schema file (or checks a schema already built).
 * AppSync's scalars and directives are added unless the file declares them itself; the scalars
 * check their values as AppSync does (`AWSDateTime` needs an offset, `AWSJSON` holds JSON…).
 *
 * @throws `ConfigurationError` (`TransportConfigurationError`) naming each problem and its line and column.
 */
export function buildSchema(sdl: string | GraphQLSchema, ConfigurationError: SchemaErrorClass): GraphQLSchema {
  if (sdl instanceof GraphQLSchema) {
    const errors = validateSchema(sdl);
    if (errors.length > 0) throw invalid(ConfigurationError, errors);
    return sdl;
  }
  if (typeof sdl !== 'string') {
    throw new ConfigurationError(`Expected the schema as SDL text or a GraphQLSchema, but got ${typeof sdl}.`);
  }
  let user: DocumentNode;
  try {
    user = parse(sdl);
  } catch (error) {
    throw invalid(ConfigurationError, [error as GraphQLError]);
  }
  const declared = new Set(user.definitions.map(declaredName));
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [...prelude().filter((d) => !declared.has(declaredName(d))), ...user.definitions],
  };
  const sdlErrors = validateSDL(document);
  if (sdlErrors.length > 0) throw invalid(ConfigurationError, sdlErrors);
  let schema: GraphQLSchema;
  try {
    schema = buildASTSchema(document, { assumeValidSDL: true });
  } catch (error) {
    throw invalid(ConfigurationError, [error as GraphQLError]);
  }
  const errors = validateSchema(schema);
  if (errors.length > 0) throw invalid(ConfigurationError, errors);
  for (const name of APPSYNC_SCALAR_NAMES) {
    const type = schema.getType(name);
    if (isScalarType(type)) applyAppSyncScalar(type, name as AppSyncScalarName);
  }
  return schema;
}
