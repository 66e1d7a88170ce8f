/**
 * An `AWS::AppSync::GraphQLApi`'s auth providers as the local AppSync checks them: the default
 * (`AuthenticationType` with `UserPoolConfig`, `OpenIDConnectConfig` or `LambdaAuthorizerConfig`)
 * and each of `AdditionalAuthenticationProviders`. What CloudFormation or AppSync would refuse
 * to deploy is refused here, naming the property.
 */
import type { AuthMode, AuthProviderModel } from './model.js';
import { TemplateError, type TemplateLocation } from './template-error.js';

type Props = Record<string, unknown>;
type Where = (...path: (string | number)[]) => TemplateLocation;

/** AppSync's `authorizerResultTtlInSeconds` when the template gives none. */
const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;
/** AppSync's largest `authorizerResultTtlInSeconds`. */
const MAX_AUTHORIZER_TTL_SECONDS = 3600;
/** Modes an API may have once only, default and additional together (AppSync's rule). */
const ONCE_ONLY = new Set<AuthMode>(['API_KEY', 'AWS_IAM', 'AWS_LAMBDA']);

/** The providers of the API whose properties are `props`, the default first. @throws TemplateError */
export function readAuthProviders(props: Props, modes: AuthMode[], region: string, where: Where): AuthProviderModel[] {
  const additional = Array.isArray(props.AdditionalAuthenticationProviders) ? (props.AdditionalAuthenticationProviders as Props[]) : [];
  const providers = modes.length === 0 ? [] : [provider(props, modes[0] as AuthMode, true, region, where)];
  additional.forEach((given, i) => {
    const mode = given.AuthenticationType as AuthMode;
    providers.push(provider(given, mode, false, region, (...path) => where('AdditionalAuthenticationProviders', i, ...path)));
  });
  const seen = new Set<AuthMode>();
  providers.forEach((p, i) => {
    if (ONCE_ONLY.has(p.mode) && seen.has(p.mode)) {
      throw new TemplateError(`${p.mode} is given twice; AppSync allows API_KEY, AWS_IAM and AWS_LAMBDA once each across AuthenticationType and AdditionalAuthenticationProviders.`, where(...(i === 0 ? ['AuthenticationType'] : ['AdditionalAuthenticationProviders', i - 1])));
    }
    seen.add(p.mode);
  });
  const first = providers[0];
  if (first?.userPool?.defaultAction === 'DENY' && providers.length > 1) {
    throw new TemplateError('UserPoolConfig.DefaultAction is DENY with AdditionalAuthenticationProviders; AppSync requires ALLOW when Cognito user pools is the default mode and there are other providers.', where('UserPoolConfig', 'DefaultAction'));
  }
  return providers;
}

/**
 * An Events API's `EventConfig.AuthProviders`: each with its own configuration (`CognitoConfig`,
 * `OpenIDConnectConfig`, `LambdaAuthorizerConfig`, as CloudFormation names them there); an Events
 * API has no default provider, so each counts as one. @throws TemplateError
 */
export function readEventsAuthProviders(providers: readonly Props[], region: string, where: Where): AuthProviderModel[] {
  // Its user pool's configuration is CognitoConfig (a GraphQL API's, UserPoolConfig), with the same fields.
  return providers.map((given, i) => provider(given, given.AuthType as AuthMode, true, region, (...path) => where(i, ...path), 'CognitoConfig', 'AuthType'));
}

function provider(props: Props, mode: AuthMode, isDefault: boolean, region: string, where: Where, userPoolKey = 'UserPoolConfig', modeKey = 'AuthenticationType'): AuthProviderModel {
  const model: AuthProviderModel = { mode, isDefault };
  const config = (name: string): Props => {
    const value = props[name];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TemplateError(`${modeKey} ${mode} needs ${name}.`, where(name));
    return value as Props;
  };
  const text = (value: unknown, path: string[]): string => {
    if (typeof value !== 'string' || value === '') throw new TemplateError(`${path.join('.')} must be a non-empty string (${modeKey} ${mode}), but it is ${JSON.stringify(value ?? null)}.`, where(...path));
    return value;
  };
  const optionalText = (value: unknown, path: string[]): string | undefined => (value === undefined ? undefined : text(value, path));
  const regex = (value: string | undefined, path: string[]): string | undefined => {
    if (value === undefined) return undefined;
    try {
      new RegExp(value);
    } catch {
      throw new TemplateError(`${path.join('.')} is not a regular expression: ${JSON.stringify(value)}.`, where(...path));
    }
    return value;
  };
  const count = (value: unknown, path: string[], max = Infinity): number => {
    const n = value === undefined ? 0 : Number(value);
    if (!Number.isInteger(n) || n < 0 || n > max) throw new TemplateError(`${path.join('.')} must be a whole number from 0${max === Infinity ? '' : ` to ${max}`}, but it is ${JSON.stringify(value)}.`, where(...path));
    return n;
  };
  if (mode === 'AMAZON_COGNITO_USER_POOLS') {
    const c = config(userPoolKey);
    const action = c.DefaultAction ?? 'ALLOW';
    if (action !== 'ALLOW' && action !== 'DENY') throw new TemplateError(`${userPoolKey}.DefaultAction must be ALLOW or DENY, but it is ${JSON.stringify(action)}.`, where(userPoolKey, 'DefaultAction'));
    if (!isDefault && c.DefaultAction !== undefined) throw new TemplateError(`${userPoolKey}.DefaultAction is for the default provider only; an additional Cognito user pool has none.`, where(userPoolKey, 'DefaultAction'));
    model.userPool = {
      userPoolId: text(c.UserPoolId, [userPoolKey, 'UserPoolId']),
      region: optionalText(c.AwsRegion, [userPoolKey, 'AwsRegion']) ?? region,
      appIdClientRegex: regex(optionalText(c.AppIdClientRegex, [userPoolKey, 'AppIdClientRegex']), [userPoolKey, 'AppIdClientRegex']),
      defaultAction: action,
    };
  } else if (mode === 'OPENID_CONNECT') {
    const c = config('OpenIDConnectConfig');
    model.oidc = {
      issuer: text(c.Issuer, ['OpenIDConnectConfig', 'Issuer']).replace(/\/+$/, ''),
      clientId: regex(optionalText(c.ClientId, ['OpenIDConnectConfig', 'ClientId']), ['OpenIDConnectConfig', 'ClientId']),
      iatTtlMs: count(c.IatTTL, ['OpenIDConnectConfig', 'IatTTL']),
      authTtlMs: count(c.AuthTTL, ['OpenIDConnectConfig', 'AuthTTL']),
    };
  } else if (mode === 'AWS_LAMBDA') {
    const c = config('LambdaAuthorizerConfig');
    model.lambda = {
      authorizerUri: text(c.AuthorizerUri, ['LambdaAuthorizerConfig', 'AuthorizerUri']),
      resultTtlSeconds: c.AuthorizerResultTtlInSeconds === undefined ? DEFAULT_AUTHORIZER_TTL_SECONDS : count(c.AuthorizerResultTtlInSeconds, ['LambdaAuthorizerConfig', 'AuthorizerResultTtlInSeconds'], MAX_AUTHORIZER_TTL_SECONDS),
      identityValidationExpression: regex(optionalText(c.IdentityValidationExpression, ['LambdaAuthorizerConfig', 'IdentityValidationExpression']), ['LambdaAuthorizerConfig', 'IdentityValidationExpression']),
    };
  }
  return model;
}
