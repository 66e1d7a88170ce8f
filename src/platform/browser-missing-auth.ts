/**
 * The explanation a browser transport gives when no `auth` was passed (`createDefaultAuth` in
 * `browser.ts` builds the `auth` that fails with it): its default, AWS_IAM with the AWS
 * credential chain, does not exist in browsers, so every request fails saying what to pass
 * instead. Only the message lives in this lazy chunk: a chunk that imported `errors.js` would
 * split the error classes out of the initial load into a chunk of their own.
 */
export const MISSING_BROWSER_AUTH =
  'No `auth` was given, and its default, AWS_IAM with the AWS SDK default credential chain, does not exist in browsers. ' +
  'Pass `auth`: AppSyncApiKeyAuthentication, AppSyncJWTAuthentication, AppSyncLambdaAuthentication, or AppSyncIAMAuthentication with `credentials` (e.g. from Cognito identity pools) and `region`.';
