/**
 * The local AppSync's HTTP endpoint, independent of `node:http`: a request in, a response out.
 * Statuses and bodies follow what the AppSync team documented (graphql/graphql-over-http#81):
 * an empty or unparsable body is a 400 `MalformedHttpRequestException`; a document that does not
 * validate is a 200 with `data: null` and graphql-java style errors; failed auth is a 401
 * `UnauthorizedException`. Every response allows any origin, so a browser page can call it.
 */
import { checkAuth, type LocalAuthOptions } from '../auth-check.js';
import type { GraphQLRequest, LocalGraphQLExecutor } from './executor.js';

/** An HTTP request to the local server's `/graphql` or `/event`, as Node received it. @inline */
export interface LocalHttpRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  /** As Node gives them: lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** The response to a {@link LocalHttpRequest}, for the caller to write out. @inline */
export interface LocalHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpEndpointOptions {
  /** Runs the operations; undefined when the server was started without a schema. */
  executor: LocalGraphQLExecutor | undefined;
  auth: LocalAuthOptions | undefined;
}

export const GRAPHQL_PATH = '/graphql';

const ALLOWED_HEADERS = 'accept, authorization, content-encoding, content-type, x-amz-date, x-amz-security-token, x-amz-user-agent, x-api-key';

function corsHeaders(request: LocalHttpRequest): Record<string, string> {
  const requested = request.headers['access-control-request-headers'];
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST, OPTIONS',
    // Echo what a preflight asks for: SDKs add headers of their own (amz-sdk-invocation-id…).
    'access-control-allow-headers': typeof requested === 'string' && requested !== '' ? requested : ALLOWED_HEADERS,
    'access-control-max-age': '86400',
    'access-control-expose-headers': 'x-amzn-errortype',
  };
}

function json(request: LocalHttpRequest, status: number, body: unknown): LocalHttpResponse {
  return { status, headers: { 'content-type': 'application/json; charset=UTF-8', ...corsHeaders(request) }, body: JSON.stringify(body) };
}

function failure(request: LocalHttpRequest, status: number, errorType: string, message: string): LocalHttpResponse {
  const response = json(request, status, { errors: [{ errorType, message }] });
  // AppSync names a refused request's error in this header too; Amplify reads the name from it.
  response.headers['x-amzn-errortype'] = errorType;
  return response;
}

/** Every header as one string (repeated headers joined as HTTP joins them). */
function flatHeaders(headers: LocalHttpRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** The request body as `{ query, variables?, operationName? }`, or undefined when it is not one. */
function parseRequest(body: string): GraphQLRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { query, operationName } = value as Record<string, unknown>;
  let { variables } = value as Record<string, unknown>;
  // Some clients send variables as a JSON string.
  if (typeof variables === 'string') {
    try {
      variables = JSON.parse(variables);
    } catch {
      return undefined;
    }
  }
  if (typeof query !== 'string' || query.trim() === '') return undefined;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  return { query, variables: variables as Record<string, unknown> | null | undefined, operationName };
}

/** Answers one HTTP request; never throws. */
export async function answerHttp(request: LocalHttpRequest, options: HttpEndpointOptions): Promise<LocalHttpResponse> {
  if (request.method === 'OPTIONS') return { status: 204, headers: corsHeaders(request), body: '' };
  if (request.path !== GRAPHQL_PATH || request.method !== 'POST') {
    return json(request, 404, { errors: [{ message: `No route for ${request.method} ${request.path}` }] });
  }
  if (options.executor === undefined) {
    return failure(
      request,
      400,
      'BadRequestException',
      'This local AppSync has no schema, so it cannot run queries or mutations: start it with startLocalAppSync({ schema }) (SDL text or a GraphQLSchema).',
    );
  }
  const verdict = await checkAuth(options.auth, { headers: flatHeaders(request.headers), path: GRAPHQL_PATH, body: request.body });
  // checkAuth words its verdicts as AppSync does ("You are not authorized to make this call.").
  if (!verdict.ok) return failure(request, 401, 'UnauthorizedException', verdict.message);
  if (request.body.trim() === '') return failure(request, 400, 'MalformedHttpRequestException', 'Request body is empty.');
  const graphqlRequest = parseRequest(request.body);
  if (graphqlRequest === undefined) return failure(request, 400, 'MalformedHttpRequestException', 'Unable to parse GraphQL query.');
  try {
    return json(request, 200, await options.executor.execute(graphqlRequest, { headers: flatHeaders(request.headers), authMode: verdict.mode, caller: verdict.caller }));
  } catch (error) {
    return failure(request, 500, 'InternalFailure', error instanceof Error ? error.message : String(error));
  }
}
