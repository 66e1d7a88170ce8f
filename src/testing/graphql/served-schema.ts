/**
 * The schema as the local AppSync serves it, introspection included. graphql 16.15 adds
 * `DIRECTIVE_DEFINITION` to `@deprecated`'s locations and declares `@specifiedBy` and `@oneOf`
 * in every schema. AppSync's own introspection has neither, and older clients cannot read the
 * first: graphql-core 3.2 (gql 3.5's, used by `fetch_schema_from_transport` and `gql-cli
 * --print-schema`) knows no `DIRECTIVE_DEFINITION` location, so its `build_client_schema` fails
 * with "deprecated locations must be specified as a collection of DirectiveLocation enum values".
 */
import * as graphql from 'graphql';
import {
  DirectiveLocation,
  GraphQLDeprecatedDirective,
  GraphQLDirective,
  GraphQLSchema,
  GraphQLSpecifiedByDirective,
  isInputObjectType,
  isScalarType,
} from 'graphql';

/** `@oneOf` exists from graphql 16.9 on; the peer range starts earlier (a named import would fail to link there). */
const GraphQLOneOfDirective = (graphql as { GraphQLOneOfDirective?: GraphQLDirective }).GraphQLOneOfDirective;

/** `@deprecated` where graphql-java (AppSync) allows it: no directive definitions. */
const APPSYNC_DEPRECATED = new GraphQLDirective({
  ...GraphQLDeprecatedDirective.toConfig(),
  locations: GraphQLDeprecatedDirective.locations.filter((location) => location !== DirectiveLocation.DIRECTIVE_DEFINITION),
});

/**
 * The same schema (the same types, so execution is unchanged) with graphql-js's own directives
 * as AppSync lists them: `@deprecated` without `DIRECTIVE_DEFINITION`, `@specifiedBy` only when a
 * scalar has a URL, `@oneOf` only when an input type is one-of. A schema that declares any of
 * them itself keeps its own declaration.
 */
export function servedSchema(schema: GraphQLSchema): GraphQLSchema {
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives().flatMap((directive) => {
    if (directive === GraphQLDeprecatedDirective) return [APPSYNC_DEPRECATED];
    if (directive === GraphQLSpecifiedByDirective) return types.some((type) => isScalarType(type) && type.specifiedByURL != null) ? [directive] : [];
    if (GraphQLOneOfDirective !== undefined && directive === GraphQLOneOfDirective) {
      return types.some((type) => isInputObjectType(type) && (type as { isOneOf?: boolean }).isOneOf === true) ? [directive] : [];
    }
    return [directive];
  });
  if (directives.length === schema.getDirectives().length && !directives.includes(APPSYNC_DEPRECATED)) return schema;
  return new GraphQLSchema({ ...schema.toConfig(), directives });
}
