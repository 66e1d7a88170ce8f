/** Connection state of a real-time client, as lines on stderr (stdout carries only results). */
import type { TransportEvents } from '../transport/realtime-client.js';
import { displayUrl, note, type CliIo } from './output.js';

/** What the log needs of a real-time client (the GraphQL transport, the Events client). */
export interface StateSource {
  readonly realtimeUrl: string;
  on<K extends keyof TransportEvents>(event: K, listener: (payload: TransportEvents[K]) => void): () => void;
}

/** Logs every state event; returns the function that stops logging. */
export function logStates(client: StateSource, io: CliIo, verbose: boolean): () => void {
  const url = displayUrl(client.realtimeUrl);
  const offs = [
    client.on('connecting', ({ attempt, reconnect }) =>
      note(io, `connecting to ${url}${reconnect ? ` (attempt ${attempt})` : ''}`),
    ),
    client.on('connected', ({ reconnect, ack }) =>
      note(io, `connected${reconnect ? ' again; resubscribing' : ''}${verbose ? ` (connection_ack ${JSON.stringify(ack)})` : ''}`),
    ),
    client.on('disconnected', ({ error }) => note(io, `disconnected: ${error.message}`)),
    client.on('reconnecting', ({ attempt, delayMs }) => note(io, `reconnecting in ${delayMs} ms (attempt ${attempt})`)),
    client.on('closed', () => note(io, 'closed')),
    client.on('offline', () => note(io, 'offline: the network is gone; waiting for it to come back')),
    client.on('online', () => note(io, 'online again; checking the connection')),
    client.on('liveness', ({ reason, alive }) =>
      note(io, `woke up (${reason}): the connection is ${alive ? 'alive' : 'dead; reconnecting'}`),
    ),
    client.on('error', ({ error }) => note(io, `server error: ${error.message}`)),
  ];
  return () => offs.forEach((off) => off());
}
