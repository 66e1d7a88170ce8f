/**
 * What differs between Node and browsers, behind the package's `#platform` import (package.json
 * `"imports"`): the `browser` condition picks `browser.ts`, everything else `node.ts`. Bundlers
 * that honour the `browser` condition (esbuild, webpack 5, Rollup, Vite, Parcel) therefore never
 * see `ws`, Node built-ins, `process` or `Buffer`.
 */
import type { AwsCredentialIdentity } from '../auth/iam.js';
import type { AppSyncAuthentication } from '../auth/types.js';
import type { WebSocketConstructor } from '../socket/websocket.js';
import type { WakeUpSource } from '../transport/wake-ups.js';

export type CredentialProvider = () => Promise<AwsCredentialIdentity>;

/** Where IAM auth finds credentials and a region it was not given. */
export interface AwsDefaults {
  /** Credentials from the runtime's default chain (unchecked). Rejects with `TransportAuthError` saying what was tried and how to fix it. */
  credentials(): Promise<unknown>;
  /** The region for a host that does not name one. Rejects with `TransportAuthError` saying what was tried. */
  region(host: string): Promise<string>;
  /** Forgets remembered credentials and config: they are read again on the next signature. */
  invalidate(): void;
}

export interface Platform {
  /**
   * The WebSocket to use when the global one is missing or cannot take the options (`tls`,
   * upgrade headers, `webSocketOptions`): `ws` in Node. Elsewhere, and when `ws` cannot load,
   * rejects with a `TransportConfigurationError` that says what to install, pass or remove.
   */
  loadWebSocket(hasGlobal: boolean): Promise<WebSocketConstructor>;
  /**
   * Whether to use `ws` even when a global WebSocket exists: true in Node, where the global one
   * (undici, Node >= 22) loses a refused upgrade's HTTP status and cannot take TLS options,
   * headers or pings, so Node 20, 22 and 24 all behave the same.
   */
  prefersWs(): boolean;
  /**
   * Where wake-ups come from by default: window events where there are any (browsers), and in
   * Node a timer that notices the process was suspended.
   */
  defaultWakeUps(): WakeUpSource;
  /** IAM's defaults for a shared-config profile: the SDK chain and env/config region on Node, none in a browser. */
  awsDefaults(profile: string | undefined): AwsDefaults;
  /**
   * The auth of a transport given none: IAM with the default credential chain on Node. Browsers
   * have no such chain, so there it is an auth that explains this, and IAM's code stays out of
   * the page until the app imports AppSyncIAMAuthentication itself.
   */
  createDefaultAuth(): Promise<AppSyncAuthentication>;
}

/** Both implementations must keep this shape; a compile error here names the one that drifted. */
type Implements<T extends Platform> = T;
export type NodePlatform = Implements<typeof import('./node.js')>;
export type BrowserPlatform = Implements<typeof import('./browser.js')>;
