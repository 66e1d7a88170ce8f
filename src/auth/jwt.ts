import { AuthorizationTokenAuthentication } from './authorization-token.js';
import type { ValueOrProvider } from './types.js';

export interface AppSyncJWTAuthenticationOptions {
  /**
   * The Cognito user pool or OIDC token, or a function returning it. The function is called on
   * every connect and every start, so returning a refreshed token is all token refresh takes.
   */
  jwt: ValueOrProvider<string>;
  /** The AppSync API host. @default derived from the transport URL */
  host?: string;
}

/** Cognito user pools / OpenID Connect auth: `{"Authorization": <jwt>, "host": …}`. */
export class AppSyncJWTAuthentication extends AuthorizationTokenAuthentication {
  readonly mode = 'AMAZON_COGNITO_USER_POOLS' as const;
  constructor(options: AppSyncJWTAuthenticationOptions) {
    super('AppSyncJWTAuthentication', options.jwt, options.host, 'JWT', 'jwt');
  }
}
