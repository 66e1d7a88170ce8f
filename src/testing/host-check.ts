/**
 * AppSync compares the `host` of every auth object with the API's own host and refuses a
 * mismatch; the usual mistake is sending the real-time host (`appsync-realtime-api`) instead
 * of the API host (docs/PROTOCOL.md §2, §3.2).
 */
import { truncate } from '../errors.js';
import { header, type AuthCheck } from './auth-check.js';

/** Passes when no public host is configured, or when the auth object's `host` names it. */
export function checkHost(publicHost: string | undefined, auth: Record<string, string>): { ok: true } | Extract<AuthCheck, { ok: false }> {
  if (publicHost === undefined) return { ok: true };
  const host = header(auth, 'host');
  const expected = `Expected the auth object's host to be "${publicHost}" (this API's publicHost)`;
  if (host === undefined) return { ok: false, message: `${expected}, but it has no host: add "host": "${publicHost}" to it.` };
  if (sameHost(host, publicHost)) return { ok: true };
  return {
    ok: false,
    message: `${expected}, but got ${JSON.stringify(truncate(host, 100))}: send the host of the API's HTTP endpoint, not of its real-time endpoint.`,
  };
}

/** Names without case (and a trailing dot); ports only when both give one. */
function sameHost(a: string, b: string): boolean {
  const [nameA, portA] = split(a);
  const [nameB, portB] = split(b);
  return nameA === nameB && (portA === undefined || portB === undefined || portA === portB);
}

function split(host: string): [string, string | undefined] {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (match === null) return [host, undefined];
  return [(match[1] ?? '').replace(/\.$/, ''), match[2]];
}
