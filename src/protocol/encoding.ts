/**
 * Base64 helpers that work the same in Node and browsers (no `Buffer`): AppSync carries the
 * handshake auth object as base64 in the query string and as base64url in a subprotocol.
 */

const encoder = new TextEncoder();

function bytesToBinary(bytes: Uint8Array): string {
  let binary = '';
  // Chunked so large strings do not overflow the argument limit of fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return binary;
}

/** Standard base64 (with padding) of the UTF-8 bytes of `text`. */
export function base64Encode(text: string): string {
  return btoa(bytesToBinary(encoder.encode(text)));
}

/** base64url without padding (RFC 4648 §5), as a `Sec-WebSocket-Protocol` token must be. */
export function base64UrlEncode(text: string): string {
  return base64Encode(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64 or base64url (padding optional) into UTF-8 text. Throws on invalid input. */
export function base64Decode(value: string): string {
  let b64 = value.replace(/-/g, '+').replace(/_/g, '/');
  while (b64.length % 4 !== 0) b64 += '=';
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
