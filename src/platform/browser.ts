/**
 * The browser side of `#platform` (see `types.ts`): the global WebSocket only, no environment
 * and no credential chain (browser apps pass `credentials`, e.g. from Cognito identity pools).
 * Nothing here may touch `process`, `Buffer` or a Node module.
 */
import type { AppSyncAuthentication } from '../auth/types.js';
import { TransportAuthError, TransportConfigurationError } from '../errors.js';
import type { WebSocketConstructor } from '../socket/websocket.js';
import { domWakeUps, type WakeUpSource } from '../transport/wake-ups.js';
import type { AwsDefaults } from './types.js';

export function loadWebSocket(hasGlobal: boolean): Promise<WebSocketConstructor> {
  return Promise.reject(
    new TransportConfigurationError(
      hasGlobal
        ? 'The options `tls`, `webSocketOptions` and handshakeAuth `headers` need the `ws` package (Node); a browser WebSocket cannot take them. Remove them, or use handshakeAuth `subprotocol`.'
        : 'No WebSocket implementation: this runtime has no global WebSocket. Pass a WebSocket constructor as `webSocketImpl`.',
    ),
  );
}

export function prefersWs(): boolean {
  return false;
}

export function defaultWakeUps(): WakeUpSource {
  return domWakeUps();
}

/** No environment, config files or chain: browser apps pass `credentials` and `region`. */
export function awsDefaults(_profile: string | undefined): AwsDefaults {
  return {
    credentials: () =>
      Promise.reject(
        new TransportAuthError(
          'AWS_IAM auth has no default credential chain in a browser: pass `credentials` (an object or an async function, e.g. from Cognito identity pools) to AppSyncIAMAuthentication.',
        ),
      ),
    region: (host) =>
      Promise.reject(
        new TransportAuthError(
          `AWS_IAM auth needs the API's region to sign, but host "${host}" does not name one (custom domain or local server) and a browser has no AWS config. Pass \`region\` to AppSyncIAMAuthentication.`,
        ),
      ),
    invalidate() {},
  };
}

/**
 * Reached only when `auth` was left out, which in a browser is a mistake: the object that
 * explains it loads then, so pages that pass `auth` do not carry its message.
 */
export async function createDefaultAuth(): Promise<AppSyncAuthentication> {
  const { MISSING_BROWSER_AUTH } = await import('./browser-missing-auth.js');
  return { mode: 'AWS_IAM', getHeaders: () => Promise.reject(new TransportAuthError(MISSING_BROWSER_AUTH)) };
}
