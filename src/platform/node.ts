/**
 * The Node side of `#platform` (see `types.ts`): `ws`, node:crypto SHA-256 (through `@smithy/core/serde`),
 * `process.env`, and the AWS SDK's Node credential chain and shared-config region loader. Each
 * package is loaded on first use only, so a transport with a global WebSocket and API-key auth
 * never loads any of them.
 */
import type { ChecksumConstructor } from '@smithy/types';
import type { AppSyncAuthentication } from '../auth/types.js';
import type { WebSocketConstructor } from '../socket/websocket.js';
import type { CredentialProvider } from './types.js';

/** Other runtimes may load this build too (Deno, Bun, workers without a `browser` condition). */
export function isNode(): boolean {
  return typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
}

export async function loadWebSocket(): Promise<WebSocketConstructor> {
  const m = await import('ws');
  return (m.default ?? m.WebSocket) as unknown as WebSocketConstructor;
}

/**
 * node:crypto through the AWS SDK's own Node hash (what its Node clients sign with): about 1.4×
 * the signatures per second of the pure-JS SHA-256 (measured with `npm run bench`).
 */
export async function loadSha256(): Promise<ChecksumConstructor> {
  const { Hash } = await import('@smithy/core/serde');
  return Hash.bind(null, 'sha256') as unknown as ChecksumConstructor;
}

export function readEnv(): Record<string, string | undefined> {
  return typeof process !== 'undefined' && process.env ? process.env : {};
}

export async function loadDefaultCredentialChain(profile: string | undefined): Promise<CredentialProvider> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider(profile === undefined ? {} : { profile }) as CredentialProvider;
}

export async function loadConfigRegion(profile: string | undefined): Promise<string | undefined> {
  const { loadConfig, NODE_REGION_CONFIG_OPTIONS, NODE_REGION_CONFIG_FILE_OPTIONS } = await import('@smithy/core/config');
  const provider = loadConfig(NODE_REGION_CONFIG_OPTIONS, {
    ...NODE_REGION_CONFIG_FILE_OPTIONS,
    ...(profile === undefined ? {} : { profile }),
  });
  return await provider();
}

export async function createDefaultAuth(): Promise<AppSyncAuthentication> {
  const { AppSyncIAMAuthentication } = await import('../auth/iam.js');
  return new AppSyncIAMAuthentication();
}
