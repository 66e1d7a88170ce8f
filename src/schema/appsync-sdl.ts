/**
 * AppSync schema files as AppSync reads them (see `sdl-builder.ts`): its scalars and directives
 * exist without being declared.
 */
import type { GraphQLSchema } from 'graphql';
import { TransportConfigurationError } from '../errors.js';
import { buildSchema } from './sdl-builder.js';

export { APPSYNC_SDL_PRELUDE } from './sdl-builder.js';

/**
 * Builds a graphql-js schema from an AppSync schema file (or checks a schema already built).
 * AppSync's scalars and directives are added unless the file declares them itself; the scalars
 * check their values as AppSync does (`AWSDateTime` needs an offset, `AWSJSON` holds JSON…).
 *
 * @throws TransportConfigurationError naming each problem and its line and column.
 */
export function buildAppSyncSchema(sdl: string | GraphQLSchema): GraphQLSchema {
  return buildSchema(sdl, TransportConfigurationError);
}
