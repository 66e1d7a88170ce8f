/**
 * The browser side of `#platform` (see `types.ts`): the global WebSocket only, WebCrypto for
 * SHA-256, no environment and no credential chain (browser apps pass `credentials`, e.g. from
 * Cognito identity pools). Nothing here may touch `process`, `Buffer` or a Node module.
 */
import type { ChecksumConstructor } from '@smithy/types';
import type { AppSyncAuthentication } from '../auth/types.js';
import { TransportAuthError } from '../errors.js';
import type { WebSocketConstructor } from '../socket/websocket.js';
import type { CredentialProvider } from './types.js';
import { WebCryptoSha256 } from './webcrypto-sha256.js';

export function isNode(): boolean {
  return false;
}

export function loadWebSocket(): Promise<WebSocketConstructor> {
  return Promise.reject(new Error('this browser has no global WebSocket'));
}

export async function loadSha256(): Promise<ChecksumConstructor> {
  return WebCryptoSha256;
}

export function readEnv(): Record<string, string | undefined> {
  return {};
}

export function loadDefaultCredentialChain(_profile: string | undefined): Promise<CredentialProvider> {
  return Promise.reject(new Error('browsers have no default AWS credential chain'));
}

export async function loadConfigRegion(_profile: string | undefined): Promise<string | undefined> {
  return undefined;
}

export async function createDefaultAuth(): Promise<AppSyncAuthentication> {
  return {
    mode: 'AWS_IAM',
    getHeaders: () =>
      Promise.reject(
        new TransportAuthError(
          'No `auth` was given, and its default, AWS_IAM with the AWS SDK default credential chain, does not exist in browsers. ' +
            'Pass `auth`: AppSyncApiKeyAuthentication, AppSyncJWTAuthentication, AppSyncLambdaAuthentication, or AppSyncIAMAuthentication with `credentials` (e.g. from Cognito identity pools) and `region`.',
        ),
      ),
  };
}
