/**
 * The `auth` a browser transport gets when none was passed (see `createDefaultAuth` in
 * `browser.ts`): its default, AWS_IAM with the AWS credential chain, does not exist in browsers,
 * so every request fails saying what to pass instead.
 */
import type { AppSyncAuthentication } from '../auth/types.js';
import { TransportAuthError } from '../errors.js';

export function missingBrowserAuth(): AppSyncAuthentication {
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
