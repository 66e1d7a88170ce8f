/** `appsync-websockets/testing`: a local AppSync for your tests and offline work. */
export { startLocalAppSync } from './node-server.js';
export type { LocalAppSync, LocalAppSyncOptions } from './node-server.js';
export { RealtimeEngine } from './realtime-core.js';
export type {
  LocalSubscription,
  Peer,
  RealtimeFaults,
  RealtimeOptions,
  ReceivedFrame,
  UpgradeDecision,
  UpgradeRequest,
} from './realtime-core.js';
export { checkAuth } from './auth-check.js';
export type { AuthCheck, AuthCheckRequest, LocalAuthOptions, LocalIamCredentials } from './auth-check.js';
export { verifyAppSyncSignature } from './sigv4-verify.js';
export type { SigV4VerifierCredentials, VerifyAppSyncSignatureOptions, VerifyAppSyncSignatureResult } from './sigv4-verify.js';
