/** The GraphQL real-time protocol as the connection sees it. */
import { TransportServerError, summarizeErrors, type GraphQLErrorLike } from '../errors.js';
import {
  CONNECTION_INIT,
  keepAliveFromAck,
  normalizeAckPayload,
  parseServerMessage,
  type ServerMessage,
} from '../protocol/messages.js';
import type { RealtimeProtocol } from './connection.js';

export const graphqlProtocol: RealtimeProtocol<ServerMessage> = {
  initMessage: CONNECTION_INIT,
  parse: parseServerMessage,
  ack(message) {
    if (message.type !== 'connection_ack') return undefined;
    const payload = normalizeAckPayload(message.payload);
    return { payload, keepAliveMs: keepAliveFromAck(payload) };
  },
  connectionError(message) {
    if (message.type === 'connection_error') return serverError('refused the connection', message.errors);
    return undefined;
  },
};

export function serverError(what: string, errors: GraphQLErrorLike[]): TransportServerError {
  const code = errors.find((e) => typeof e.errorCode === 'number')?.errorCode;
  const hint = isAuthFailure(errors, code)
    ? ' Check the credentials: the API key, token or AWS credentials were rejected or have expired.'
    : '';
  return new TransportServerError(`The server ${what}: ${summarizeErrors(errors)}${code !== undefined ? ` (errorCode ${code})` : ''}.${hint}`, {
    errors,
    statusCode: code,
  });
}

/** AppSync's ways of saying "your credentials are not good" (docs/PROTOCOL.md §4.2). */
export function isAuthFailure(errors: readonly GraphQLErrorLike[], statusCode?: number): boolean {
  if (statusCode === 401 || statusCode === 403) return true;
  return errors.some(
    (e) =>
      e.errorCode === 401 ||
      e.errorCode === 403 ||
      (typeof e.errorType === 'string' && /UnauthorizedException|BadRequestException|ForbiddenException/.test(e.errorType)),
  );
}
