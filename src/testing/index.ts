/**
 * A local AppSync for your tests and offline work: {@link startLocalAppSync} serves GraphQL over
 * HTTP, the real-time endpoint and the Events API on one port.
 * @module appsync-websockets/testing
 */
export { startLocalAppSync } from './node-server.js';
export type { LocalAppSync, LocalAppSyncOptions, TemplateReload } from './node-server.js';
export { RealtimeEngine } from './realtime-core.js';
export type { LocalSubscription, RealtimeOptions } from './realtime-core.js';
export type { EngineConnection, EngineCore, EngineOptions, Peer } from './engine-core.js';
export type { ConnectionFaults, EventsFaults, RealtimeFaults } from './faults.js';
export type { FrameRecordOptions, ReceivedFrame } from './frame-record.js';
export type { UpgradeDecision, UpgradeRequest } from './upgrade.js';
export { checkAuth } from './auth-check.js';
export type {
  AuthCheck,
  AuthCheckRequest,
  LocalAuthOptions,
  LocalCaller,
  LocalIamCredentials,
  LocalJwks,
  LocalJwksByIssuer,
  LocalLambdaAuthRequest,
  LocalLambdaAuthResult,
  LocalOidcProvider,
  LocalUserPool,
} from './auth-check.js';
export { FieldAuthorizer } from './graphql/field-auth.js';
export type { FieldAuthPolicy } from './graphql/field-auth.js';
export { verifyAppSyncSignature } from './sigv4-verify.js';
export type { SigV4VerifierCredentials, VerifyAppSyncSignatureOptions, VerifyAppSyncSignatureResult } from './sigv4-verify.js';
export type { AppSyncExecutionResult, GraphQLRequest, LocalResolver, LocalResolverContext, LocalResolvers } from './graphql/executor.js';
export { LocalGraphQLExecutor } from './graphql/executor.js';
export type { LocalGraphQLOptions } from './graphql/executor.js';
export type { AppSyncErrorLocation, AppSyncGraphQLError } from './graphql/appsync-errors.js';
export { LocalStore } from './graphql/store.js';
export type { StoredItem } from './graphql/store.js';
export { CHAT_SCHEMA } from './chat-schema.js';
// The schema helpers live in src/schema (the client will use them too); exported here for now.
export { APPSYNC_SDL_PRELUDE, buildAppSyncSchema } from '../schema/appsync-sdl.js';
export { APPSYNC_SCALAR_NAMES } from '../schema/appsync-scalars.js';
export type { AppSyncScalarName } from '../schema/appsync-scalars.js';
export { EventsEngine } from './events-engine.js';
export type {
  EventsEngineOptions,
  LocalAuthMode,
  LocalEventsNamespace,
  LocalEventsPublish,
  LocalEventsSubscription,
} from './events-engine.js';
export type { EventsHandlerCall, EventsHandlerVerdict, EventsHandlers, IncomingEvent } from './events-handlers.js';
