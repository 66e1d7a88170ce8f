/**
 * Faults a test injects into a local engine. Both endpoints (GraphQL and Events) share one
 * vocabulary for what they do alike; each adds the faults only its protocol has. Switches are
 * read when they matter, so a test may flip them at any time.
 */

/** Faults of the connection and of confirming subscriptions, the same on both endpoints. */
export interface ConnectionFaults {
  /** Delay `connection_ack` by this many ms. */
  ackDelayMs: number;
  /** Never send `connection_ack`. */
  skipAck: boolean;
  /** Close the socket (code 1012, "service restart") right after sending `connection_ack`. */
  closeAfterAck: boolean;
  /** Stop sending `ka`. */
  keepAliveStopped: boolean;
  /** Delay each subscription's confirmation (`start_ack`, `subscribe_success`) by this many ms. */
  subscribeAckDelayMs: number;
  /** Never confirm a subscription (`start_ack`, `subscribe_success`); it is still made. */
  skipSubscribeAck: boolean;
}

export interface RealtimeFaults extends ConnectionFaults {
  /** Send the ack payload as a JSON string (some servers do). */
  ackPayloadAsString: boolean;
  /** Answer `stop` without `complete`. */
  skipComplete: boolean;
  /** The GraphQL name of `subscribeAckDelayMs` (the same switch). */
  startAckDelayMs: number;
  /** The GraphQL name of `skipSubscribeAck` (the same switch). */
  skipStartAck: boolean;
}

export interface EventsFaults extends ConnectionFaults {
  /** Never answer `publish` (the events are still broadcast). */
  skipPublishAnswer: boolean;
  /** Answer `unsubscribe` with `unsubscribe_error` (the subscription is still removed). */
  failUnsubscribe: boolean;
  /** The Events name of `skipSubscribeAck` (the same switch). */
  skipSubscribeSuccess: boolean;
}

export function connectionFaults(): ConnectionFaults {
  return { ackDelayMs: 0, skipAck: false, closeAfterAck: false, keepAliveStopped: false, subscribeAckDelayMs: 0, skipSubscribeAck: false };
}

export function realtimeFaults(): RealtimeFaults {
  const faults = { ...connectionFaults(), ackPayloadAsString: false, skipComplete: false };
  return withAliases(faults, { startAckDelayMs: 'subscribeAckDelayMs', skipStartAck: 'skipSubscribeAck' }) as RealtimeFaults;
}

export function eventsFaults(): EventsFaults {
  const faults = { ...connectionFaults(), skipPublishAnswer: false, failUnsubscribe: false };
  return withAliases(faults, { skipSubscribeSuccess: 'skipSubscribeAck' }) as EventsFaults;
}

/** Adds each alias as an enumerable accessor of the switch it names. */
function withAliases<T extends object>(faults: T, aliases: Record<string, keyof T>): T {
  for (const [alias, name] of Object.entries(aliases)) {
    Object.defineProperty(faults, alias, {
      enumerable: true,
      get: () => faults[name],
      set: (value: T[keyof T]) => {
        faults[name] = value;
      },
    });
  }
  return faults;
}
