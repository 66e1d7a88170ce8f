/**
 * Endpoint arithmetic, pure: from the URL a user gives to the real-time URL, the auth `host`
 * and the region. AppSync's rules (docs/PROTOCOL.md §2): `appsync-api` ↔ `appsync-realtime-api`
 * in the host only; custom domains put the real-time endpoint at `<path>/realtime`.
 */
import { TransportConfigurationError } from '../errors.js';

export interface Endpoints {
  /** The HTTP GraphQL (or Events) endpoint, `https://<api host>/graphql`. */
  httpUrl: string;
  /** The WebSocket endpoint the socket connects to. */
  realtimeUrl: string;
  /** The auth `host`: always the HTTP API host (or custom domain), never the real-time host. */
  host: string;
}

const REALTIME_HOST = /\.appsync-realtime-api\./;
const API_HOST = /\.appsync-api\./;
const REGION = /\.appsync-(?:realtime-)?api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** True for `*.appsync-api.*` / `*.appsync-realtime-api.*` hosts of AWS (not custom domains). */
export function isAppSyncHost(hostname: string): boolean {
  return REGION.test(hostname);
}

/** The region in an AppSync host name, or undefined for custom domains. */
export function regionFromHost(host: string): string | undefined {
  const hostname = host.replace(/:\d+$/, '');
  return REGION.exec(hostname)?.[1];
}

function parseUrl(url: string, what: string): URL {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new TransportConfigurationError(
      `Expected ${what} to be a URL like https://<id>.appsync-api.<region>.amazonaws.com/graphql, but got ${url === '' ? 'an empty string' : typeof url}.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransportConfigurationError(
      `Expected ${what} to be an absolute URL like https://<id>.appsync-api.<region>.amazonaws.com/graphql, but got "${redactUrl(url)}", which is not a valid URL.`,
    );
  }
  if (!['https:', 'http:', 'wss:', 'ws:'].includes(parsed.protocol)) {
    throw new TransportConfigurationError(
      `Expected ${what} to use https://, http://, wss:// or ws://, but got "${parsed.protocol}" in "${redactUrl(url)}".`,
    );
  }
  return parsed;
}

/**
 * Which AppSync API a URL belongs to. They differ on AppSync's own hosts only: GraphQL's
 * real-time path is `/graphql` on the `appsync-realtime-api` host, while Events' is
 * `/event/realtime` (docs/PROTOCOL.md §2). Custom domains add `/realtime` for both.
 */
export type ApiKind = 'graphql' | 'event';

/**
 * Derives every endpoint from the user's URL.
 * @param explicitRealtimeUrl used as given when set (proxies, unusual custom domains).
 * @param kind which API the URL belongs to. @default 'graphql'
 */
export function resolveEndpoints(url: string, explicitRealtimeUrl?: string, kind: ApiKind = 'graphql'): Endpoints {
  const parsed = parseUrl(url, 'url');
  const isWs = parsed.protocol === 'wss:' || parsed.protocol === 'ws:';
  const secure = parsed.protocol === 'https:' || parsed.protocol === 'wss:';
  // Where the real-time path is the HTTP path plus `/realtime`.
  const realtimeSuffix = kind === 'event' || !isAppSyncHost(parsed.hostname);

  // The auth host is the HTTP API host, even when the user handed us the real-time URL.
  const apiHost = parsed.host.replace(REALTIME_HOST, '.appsync-api.');
  let apiPath = parsed.pathname;
  if (isWs && realtimeSuffix) apiPath = apiPath.replace(/\/realtime\/?$/, '');
  const httpUrl = `${secure ? 'https' : 'http'}://${apiHost}${apiPath}`;

  let realtimeUrl: string;
  if (explicitRealtimeUrl !== undefined) {
    realtimeUrl = parseUrl(explicitRealtimeUrl, 'realtimeUrl').toString();
  } else if (isWs) {
    realtimeUrl = parsed.toString();
  } else {
    const rt = new URL(parsed.toString());
    rt.protocol = secure ? 'wss:' : 'ws:';
    if (isAppSyncHost(parsed.hostname)) rt.host = parsed.host.replace(API_HOST, '.appsync-realtime-api.');
    if (realtimeSuffix && !/\/realtime\/?$/.test(rt.pathname)) {
      rt.pathname = `${rt.pathname.replace(/\/$/, '')}/realtime`;
    }
    realtimeUrl = rt.toString();
  }
  return { httpUrl, realtimeUrl, host: apiHost };
}

/**
 * A URL safe to print: auth carried in the query string (`header=`), user info and any
 * query value that could hold a credential are replaced by `<redacted>`.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = 'redacted';
      parsed.password = '';
    }
    const keys = [...new Set(parsed.searchParams.keys())];
    for (const key of keys) parsed.searchParams.set(key, '<redacted>');
    return parsed.toString().replace(/%3Credacted%3E/g, '<redacted>');
  } catch {
    // Not a URL: keep only a prefix, never a possible token after it.
    const cut = url.search(/[?#@]/);
    return cut === -1 ? url.slice(0, 100) : `${url.slice(0, Math.min(cut, 100))}…`;
  }
}
