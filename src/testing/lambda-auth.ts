/**
 * What a Lambda authorizer is asked and what its answer means, as AppSync documents them
 * ("AWS_LAMBDA authorization"): the request's query, operation name and variables beside the
 * token, and `{ isAuthorized, resolverContext?, deniedFields?, ttlOverride? }` back.
 */

/** What the local server knows of the request when it asks a Lambda authorizer. @inline */
export interface LocalLambdaAuthRequest {
  /** The GraphQL document (empty for a connection's handshake). */
  queryString: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** The request's headers (HTTP), or the auth object (WebSocket). */
  requestHeaders: Record<string, string>;
}

/** A Lambda authorizer's answer, as AppSync reads it. @inline */
export interface LocalLambdaAuthResult {
  isAuthorized: boolean;
  /** `ctx.identity.resolverContext` (GraphQL); an Events authorizer's `handlerContext` arrives here too. */
  resolverContext?: Record<string, unknown> | undefined;
  /** Fields answered as unauthorized: `Type.field` or `arn:aws:appsync:…:apis/<id>/types/Type/fields/field`. */
  deniedFields?: string[] | undefined;
  /** Seconds to cache this answer for the token; 0: not cached. */
  ttlOverride?: number | undefined;
}

/** The request fields of a body: a JSON `{ query, operationName?, variables? }` (a `start`'s data, an HTTP body). */
export function lambdaAuthRequest(body: string, headers: Record<string, string>): LocalLambdaAuthRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const request = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const variables = request.variables;
  return {
    queryString: typeof request.query === 'string' ? request.query : '',
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
    variables: typeof variables === 'object' && variables !== null && !Array.isArray(variables) ? (variables as Record<string, unknown>) : {},
    requestHeaders: { ...headers },
  };
}

/**
 * An authorizer's answer checked: a result, or why it is not one (by shape only: the answer may
 * hold secrets).
 */
export function readLambdaAuthResult(value: unknown): LocalLambdaAuthResult | string {
  if (typeof value === 'boolean') return { isAuthorized: value };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `its answer is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object with isAuthorized`;
  const answer = value as Record<string, unknown>;
  const { isAuthorized, deniedFields, ttlOverride } = answer;
  // An Events API's authorizer answers handlerContext where a GraphQL API's answers resolverContext.
  const resolverContext = answer.resolverContext ?? answer.handlerContext;
  if (typeof isAuthorized !== 'boolean') return 'its answer has no boolean isAuthorized';
  if (resolverContext !== undefined && resolverContext !== null && (typeof resolverContext !== 'object' || Array.isArray(resolverContext))) return 'its resolverContext is not an object';
  if (deniedFields !== undefined && deniedFields !== null && !(Array.isArray(deniedFields) && deniedFields.every((f) => typeof f === 'string'))) return 'its deniedFields is not a list of strings';
  if (ttlOverride !== undefined && ttlOverride !== null && !(typeof ttlOverride === 'number' && Number.isFinite(ttlOverride) && ttlOverride >= 0)) return 'its ttlOverride is not a number of seconds';
  return {
    isAuthorized,
    ...(resolverContext ? { resolverContext: resolverContext as Record<string, unknown> } : {}),
    ...(deniedFields ? { deniedFields: deniedFields as string[] } : {}),
    ...(typeof ttlOverride === 'number' ? { ttlOverride } : {}),
  };
}

/** Whether `deniedFields` names `Type.field`, in either of AppSync's two spellings. */
export function isDeniedField(deniedFields: readonly string[] | undefined, typeName: string, fieldName: string): boolean {
  if (deniedFields === undefined) return false;
  const short = `${typeName}.${fieldName}`;
  const arnTail = `/types/${typeName}/fields/${fieldName}`;
  return deniedFields.some((entry) => entry === short || (entry.startsWith('arn:') && entry.endsWith(arnTail)));
}
