/** Quoting the AWS SDK's credential-provider errors in messages, without secrets. */
import { truncate } from '../errors.js';

/**
 * The AWS SDK's own provider errors explain themselves ("The SSO session associated with this
 * profile has expired…") and carry no secrets; quote them. Any long base64-like run is cut out
 * all the same, in case a future message quotes a token.
 */
export function sdkDetail(error: unknown): string {
  if (!(error instanceof Error)) return '';
  if (!/^(?:Credentials|Token)?ProviderError$/.test(error.name)) return '';
  const message = truncate(error.message.replace(/[A-Za-z0-9+/=_-]{32,}/g, '<redacted>'), 300);
  return message === '' ? '' : ` (AWS SDK: "${message}")`;
}
