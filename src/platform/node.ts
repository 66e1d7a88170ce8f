/**
 * The Node side of `#platform` (see `types.ts`): `ws`, and IAM's defaults (`process.env`, the
 * AWS SDK's Node credential chain and shared-config region loader: node-aws-defaults.ts). Each
 * package is loaded on first use only, so a transport with a global WebSocket and API-key auth
 * never loads any of them.
 */
import type { AppSyncAuthentication } from '../auth/types.js';
import type { WebSocketConstructor } from '../socket/websocket.js';
import { TransportConfigurationError } from '../errors.js';
import { NodeAwsDefaults } from './node-aws-defaults.js';
import { timerDriftWakeUps } from './timer-drift.js';
import { combineWakeUps, domWakeUps, type WakeUpSource } from '../transport/wake-ups.js';
import type { AwsDefaults } from './types.js';

/** Other runtimes may load this build too (Deno, Bun, workers without a `browser` condition). */
function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

let ws: Promise<WebSocketConstructor> | undefined;

export function prefersWs(): boolean {
  return isNode();
}

/** One drift timer for every client of the process. */
let drift: WakeUpSource | undefined;

export function defaultWakeUps(): WakeUpSource {
  drift ??= timerDriftWakeUps();
  const hasWindowEvents = typeof (globalThis as { addEventListener?: unknown }).addEventListener === 'function';
  return hasWindowEvents ? combineWakeUps(domWakeUps(), drift) : drift;
}

export function loadWebSocket(hasGlobal: boolean): Promise<WebSocketConstructor> {
  if (hasGlobal && !isNode()) {
    return Promise.reject(
      new TransportConfigurationError(
        'The options `tls`, `webSocketOptions` and handshakeAuth `headers` need the `ws` package (Node); this runtime\'s WebSocket cannot take them. Remove them, or use handshakeAuth `subprotocol`.',
      ),
    );
  }
  // Loaded on first use only, so global-WebSocket users never load `ws`; a failure is not kept.
  ws ??= import('ws').then(
    (m) => (m.default ?? m.WebSocket) as unknown as WebSocketConstructor,
    (cause: unknown) => {
      ws = undefined;
      throw new TransportConfigurationError(
        isNode()
          ? 'No WebSocket implementation: this runtime has no global WebSocket and the `ws` package could not be loaded. Install `ws` or pass `webSocketImpl`.'
          : 'No WebSocket implementation: this runtime has no global WebSocket. Pass a WebSocket constructor as `webSocketImpl`.',
        { cause },
      );
    },
  );
  return ws;
}

export function awsDefaults(profile: string | undefined): AwsDefaults {
  return new NodeAwsDefaults(profile);
}

export async function createDefaultAuth(): Promise<AppSyncAuthentication> {
  const { AppSyncIAMAuthentication } = await import('../auth/iam.js');
  return new AppSyncIAMAuthentication();
}
