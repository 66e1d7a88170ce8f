/** The AppSync Events real-time protocol as the connection sees it. */
import { EVENTS_CONNECTION_INIT, parseEventsMessage, type EventsServerMessage } from '../protocol/events.js';
import type { RealtimeProtocol } from '../transport/connection.js';
import { serverError } from '../transport/graphql-protocol.js';

export const eventsProtocol: RealtimeProtocol<EventsServerMessage> = {
  // Optional for AppSync Events, but it is what starts the ack (and the local server's auth check).
  initMessage: EVENTS_CONNECTION_INIT,
  parse: parseEventsMessage,
  ack(message) {
    if (message.type !== 'connection_ack') return undefined;
    // Unlike GraphQL, `connectionTimeoutMs` sits at the top level of the ack, not under `payload`.
    const payload = message.connectionTimeoutMs === undefined ? {} : { connectionTimeoutMs: message.connectionTimeoutMs };
    return { payload, keepAliveMs: message.connectionTimeoutMs };
  },
  connectionError(message) {
    if (message.type === 'connection_error') return serverError('refused the connection', message.errors);
    return undefined;
  },
};
