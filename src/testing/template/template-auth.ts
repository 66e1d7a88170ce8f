/**
 * The local server's auth options for a template's API: the modes it enables, each fed by the
 * template's provider configuration (user pools and OIDC issuers, the Lambda authorizer run
 * locally) plus what was given beside the template (IAM credentials, JWTs, more API keys, a
 * Lambda check, which replaces the template's authorizer).
 */
import type { LocalAuthOptions } from '../auth-check.js';
import { loadHandler } from '../datasources/lambda.js';
import { userPoolIssuer } from '../jwt-auth.js';
import { templateAuthorizer } from './authorizer.js';
import type { AppModel, AuthProviderModel, LambdaModel } from './model.js';

export interface TemplateAuthInput {
  given: LocalAuthOptions | undefined;
  /** The keys made for the template's `AWS::AppSync::ApiKey` resources. */
  apiKeys: string[];
  lambdas: Record<string, string> | undefined;
  templateFile: string;
  log: (line: string) => void;
  now: () => Date;
}

/** The options, and lines saying what `serve` accepts for the JWT and Lambda modes (never a secret). */
export async function templateAuth(model: AppModel, input: TemplateAuthInput): Promise<{ auth: LocalAuthOptions; eventsAuth: LocalAuthOptions; notes: string[] }> {
  const given = input.given ?? {};
  // Each API accepts its own modes (AppSync refuses another API's key) and its own providers'
  // tokens (user pools and OIDC issuers, from its own configuration).
  const modes = new Set<string>([...(model.api?.authModes ?? []), ...(model.events?.authModes ?? [])]);
  const providers = model.api?.authProviders ?? [];
  const notes: string[] = [];
  const jwtProviders = (list: readonly AuthProviderModel[]) => ({
    userPools: list.flatMap((p) => (p.userPool ? [{ userPoolId: p.userPool.userPoolId, region: p.userPool.region, appIdClientRegex: p.userPool.appIdClientRegex, isDefault: p.isDefault }] : [])),
    openIdConnect: list.flatMap((p) => (p.oidc ? [{ ...p.oidc, isDefault: p.isDefault }] : [])),
  });
  const graphqlJwt = jwtProviders(providers);
  const eventsJwt = jwtProviders(model.events?.authProviders ?? []);
  const issuers = [...new Set([...graphqlJwt.userPools, ...eventsJwt.userPools].map((pool) => userPoolIssuer(pool)).concat([...graphqlJwt.openIdConnect, ...eventsJwt.openIdConnect].map((p) => p.issuer)))];
  if (issuers.length > 0) {
    const jwks = given.jwks;
    const keys = jwks === undefined ? undefined : 'keys' in jwks ? `the JWKS given (${jwks.keys.length} key${jwks.keys.length === 1 ? '' : 's'})` : `each issuer's own JWKS (given for ${Object.keys(jwks.byIssuer).length}; other issuers' tokens are refused)`;
    notes.push(`JWTs are accepted by issuer (${issuers.join(', ')}), client id and expiry; ${keys === undefined ? 'their signatures are NOT verified locally (no JWKS given).' : `their signatures are verified with ${keys}.`}`);
  }
  let lambda = given.lambda;
  // The GraphQL API's authorizer, else the Events API's (one authorizer serves both APIs).
  const authorizer = [...providers, ...(model.events?.authProviders ?? [])].find((p) => p.lambda !== undefined)?.lambda;
  if (lambda === undefined && authorizer !== undefined) {
    const uri = authorizer.authorizerUri;
    const fn = model.lambdas.find((l) => l.arn === uri || uri.endsWith(`:function:${l.functionName}`));
    const override = fn ? (input.lambdas?.[fn.logicalId] ?? input.lambdas?.[fn.functionName]) : Object.entries(input.lambdas ?? {}).find(([name]) => uri.endsWith(`:function:${name}`))?.[1];
    if ((fn?.code === undefined) && override === undefined) {
      notes.push(`the Lambda authorizer ${fn?.logicalId ?? uri} has no local code, so Lambda tokens are refused: give one with --lambda ${fn?.logicalId ?? '<name>'}=<file>#<export>, or accept tokens with --lambda-token.`);
    } else {
      const model_: LambdaModel = fn ?? { logicalId: uri, functionName: uri.split(':').pop() ?? uri, arn: uri, handler: 'index.handler', runtime: '', code: undefined, environment: {} };
      lambda = templateAuthorizer({
        handler: await loadHandler(model_, override, input.templateFile),
        functionName: model_.functionName,
        resource: model_.logicalId,
        timeoutMs: model_.timeoutMs,
        apiId: model.api?.apiId ?? model.events?.apiId ?? '',
        accountId: uri.split(':')[4] ?? '123456789012',
        resultTtlSeconds: authorizer.resultTtlSeconds,
        identityValidationExpression: authorizer.identityValidationExpression,
        log: input.log,
        now: input.now,
      });
      notes.push(`Lambda tokens go to the authorizer ${model_.logicalId}, run locally.`);
    }
  }
  const authFor = (modes: ReadonlySet<string>, { userPools, openIdConnect }: ReturnType<typeof jwtProviders>): LocalAuthOptions => ({
    now: input.now,
    ...(modes.has('API_KEY') ? { apiKeys: [...input.apiKeys, ...(given.apiKeys ?? [])] } : {}),
    ...(modes.has('AWS_IAM') && given.iam ? { iam: given.iam } : {}),
    ...(modes.has('AMAZON_COGNITO_USER_POOLS') && userPools.length > 0 ? { userPools } : {}),
    ...(modes.has('OPENID_CONNECT') && openIdConnect.length > 0 ? { openIdConnect } : {}),
    ...(given.jwks !== undefined ? { jwks: given.jwks } : {}),
    ...((modes.has('AMAZON_COGNITO_USER_POOLS') || modes.has('OPENID_CONNECT')) && given.jwt ? { jwt: given.jwt } : {}),
    ...(modes.has('AWS_LAMBDA') && lambda ? { lambda } : {}),
  });
  // Without one of the APIs, its endpoint keeps the other's rules.
  const graphqlModes = model.api === undefined ? modes : new Set<string>(model.api.authModes);
  const eventsModes = model.events === undefined ? modes : new Set<string>(model.events.authModes);
  // Likewise its providers: an API alone serves both endpoints with its own.
  const graphqlAuth = authFor(graphqlModes, model.api === undefined ? eventsJwt : graphqlJwt);
  const eventsAuth = authFor(eventsModes, model.events === undefined ? graphqlJwt : eventsJwt);
  return { auth: graphqlAuth, eventsAuth, notes };
}
