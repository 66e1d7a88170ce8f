/**
 * A template's Lambda authorizer (`LambdaAuthorizerConfig.AuthorizerUri`) run locally: AppSync's
 * event in, its answer read and cached per token for `ttlOverride` or the config's TTL, each call
 * bounded by the function's `Timeout` (at most AppSync's 10 s). A throw, a timeout or an answer
 * that is not one refuses the request and is logged by kind, never with the token.
 */
import { randomUUID } from 'node:crypto';
import { withDeadline } from '../../deadline.js';
import { AUTHORIZER_LIMIT_MS, type LocalAuthOptions } from '../auth-check.js';
import { LAMBDA_DEFAULT_TIMEOUT_MS, LambdaDataSource, type LambdaHandler } from '../datasources/lambda.js';
import { readLambdaAuthResult, type LocalLambdaAuthRequest, type LocalLambdaAuthResult } from '../lambda-auth.js';

/** Tokens whose answers are kept at once; the oldest goes first. */
const MAX_CACHED_TOKENS = 1_000;

export interface TemplateAuthorizerOptions {
  handler: LambdaHandler;
  functionName: string;
  /** The function's logical id, which log lines name. */
  resource: string;
  /** The function's `Timeout`, in ms. */
  timeoutMs: number | undefined;
  apiId: string;
  accountId: string;
  /** `AuthorizerResultTtlInSeconds`. */
  resultTtlSeconds: number;
  identityValidationExpression?: string | undefined;
  log: (line: string) => void;
  now: () => Date;
}

class AuthorizerFailure extends Error {
  override readonly name = 'AuthorizerFailure';
}

export function templateAuthorizer(options: TemplateAuthorizerOptions): NonNullable<LocalAuthOptions['lambda']> {
  const runner = new LambdaDataSource(options.handler, options.functionName);
  const limitMs = Math.min(options.timeoutMs ?? LAMBDA_DEFAULT_TIMEOUT_MS, AUTHORIZER_LIMIT_MS);
  const validation = options.identityValidationExpression === undefined ? undefined : new RegExp(`^(?:${options.identityValidationExpression})$`);
  const cache = new Map<string, { answer: LocalLambdaAuthResult; until: number }>();
  const refuse = (why: string): LocalLambdaAuthResult => {
    options.log(`[authorizer ${options.resource}] refused a request: ${why}.`);
    return { isAuthorized: false };
  };
  return async (token: string, request: LocalLambdaAuthRequest): Promise<LocalLambdaAuthResult> => {
    if (validation !== undefined && !validation.test(token)) return refuse('the token does not match IdentityValidationExpression');
    const now = options.now().getTime();
    const cached = cache.get(token);
    if (cached !== undefined && cached.until > now) return cached.answer;
    cache.delete(token);
    const event = {
      authorizationToken: token,
      requestContext: { apiId: options.apiId, accountId: options.accountId, requestId: randomUUID(), queryString: request.queryString, operationName: request.operationName, variables: request.variables },
      requestHeaders: request.requestHeaders,
    };
    let result: unknown;
    try {
      const outcome = await withDeadline(runner.invoke({ operation: 'Invoke', payload: event }), { ms: limitMs, timeout: () => new AuthorizerFailure(`it did not answer within ${limitMs} ms`) });
      if (outcome.error !== undefined) return refuse('it threw');
      result = outcome.result;
    } catch (error) {
      return refuse(error instanceof AuthorizerFailure ? error.message : 'it failed');
    }
    const answer = readLambdaAuthResult(result);
    if (typeof answer === 'string') return refuse(answer);
    const ttlSeconds = answer.ttlOverride ?? options.resultTtlSeconds;
    if (ttlSeconds > 0) {
      if (cache.size >= MAX_CACHED_TOKENS) cache.delete(cache.keys().next().value as string);
      cache.set(token, { answer, until: now + ttlSeconds * 1000 });
    }
    return answer;
  };
}
