import { AuthorizationTokenAuthentication } from './authorization-token.js';
import type { ValueOrProvider } from './types.js';

export interface AppSyncLambdaAuthenticationOptions {
  /** The token handed to the Lambda authorizer, or a function returning it (called per connect and start). */
  token: ValueOrProvider<string>;
  /** The AppSync API host. @default derived from the transport URL */
  host?: string;
}

/** Lambda authorizer auth: `{"Authorization": <token>, "host": …}`. */
export class AppSyncLambdaAuthentication extends AuthorizationTokenAuthentication {
  readonly mode = 'AWS_LAMBDA' as const;
  constructor(options: AppSyncLambdaAuthenticationOptions) {
    super('AppSyncLambdaAuthentication', options.token, options.host, 'Lambda authorizer token', 'token');
  }
}
