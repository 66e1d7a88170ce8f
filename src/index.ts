/**
 * AppSync real-time GraphQL over WebSocket ({@link AppSyncWebsocketsTransport}, and
 * {@link Client}, which sends queries and mutations over HTTP), AppSync Events
 * ({@link AppSyncEventsClient}), every AppSync auth mode, and typed errors.
 * @module appsync-websockets
 */
export { AppSyncWebsocketsTransport } from './transport/transport.js';
export type {
  AppSyncWebsocketsTransportOptions,
  SubscribeOptions,
  TransportEvents,
  TransportState,
} from './transport/transport.js';
export type { RetryOptions } from './transport/retry.js';
export type { SubscriptionIterator } from './transport/result-stream.js';
export type { Observer, RealtimeClientOptions, SubscriptionOptions } from './transport/realtime-client.js';
export { AppSyncApiKeyAuthentication } from './auth/api-key.js';
export type { AppSyncApiKeyAuthenticationOptions } from './auth/api-key.js';
export { AppSyncJWTAuthentication } from './auth/jwt.js';
export type { AppSyncJWTAuthenticationOptions } from './auth/jwt.js';
export { AppSyncLambdaAuthentication } from './auth/lambda.js';
export type { AppSyncLambdaAuthenticationOptions } from './auth/lambda.js';
export { AppSyncIAMAuthentication, signAppSyncRequest } from './auth/iam.js';
export type { AppSyncIAMAuthenticationOptions, AwsCredentialIdentity, AwsCredentialsSource, SignAppSyncRequestInput } from './auth/iam.js';
export type { AppSyncAuthentication, AuthMode, AuthRequest, ValueOrProvider } from './auth/types.js';
export {
  TransportAlreadyConnected,
  TransportAuthError,
  TransportBufferOverflowError,
  TransportClosed,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportDocumentError,
  TransportError,
  TransportProtocolError,
  TransportQueryError,
  TransportServerError,
  TransportTimeoutError,
  TransportUnsupportedOperation,
  isTransportError,
} from './errors.js';
export type { GraphQLErrorLike, TimeoutPhase, TransportErrorCode } from './errors.js';
export type { HandshakeAuth } from './protocol/handshake.js';
export type { TlsOptions, WebSocketConstructor, WebSocketLike } from './socket/websocket.js';
export { AppSyncHttpTransport } from './http/http-transport.js';
export type { AppSyncHttpTransportOptions, ExecuteOptions, FetchLike } from './http/http-transport.js';
export { Client } from './client/client.js';
export type { ClientOptions, TypedDocumentNode } from './client/client.js';
export { AppSyncEventsClient } from './events/client.js';
export type {
  AppSyncEventsClientOptions,
  EventsSubscribeOptions,
  FailedEvent,
  PublishOptions,
  PublishRateLimit,
  PublishResult,
  PublishedEvent,
} from './events/client.js';
export type { EventsClock } from './events/rate-limit.js';
