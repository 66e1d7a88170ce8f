/**
 * SHA-256 and HMAC-SHA-256 on WebCrypto (`crypto.subtle`), shaped as the `Checksum` the AWS SDK's
 * SigV4 signer takes (`new Sha256(secret?)`, `update`, `digest`, `reset`). A few hundred bytes
 * instead of a JavaScript SHA-256: browsers have one built in. WebCrypto only digests whole
 * messages, so `update` collects the chunks (the signer's are small strings) until `digest`.
 */
import type { Checksum, SourceData } from '@smithy/types';
import { TransportAuthError } from '../errors.js';

const encoder = new TextEncoder();

/** A copy: the signer may reuse its buffers before `digest` runs. */
function copyBytes(data: SourceData): Uint8Array<ArrayBuffer> {
  if (typeof data === 'string') return encoder.encode(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return new Uint8Array(data).slice();
}

export class WebCryptoSha256 implements Checksum {
  readonly digestLength = 32;
  readonly #secret: Uint8Array<ArrayBuffer> | undefined;
  #chunks: Uint8Array<ArrayBuffer>[] = [];

  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : copyBytes(secret);
  }

  update(data: SourceData): void {
    this.#chunks.push(copyBytes(data));
  }

  async digest(): Promise<Uint8Array> {
    const subtle = globalThis.crypto?.subtle;
    if (subtle === undefined) {
      // Browsers expose crypto.subtle only in secure contexts: https pages and http://localhost.
      throw new TransportAuthError(
        'AWS_IAM auth signs with WebCrypto (crypto.subtle), which this page does not have: browsers offer it only in secure contexts. Serve the page over https or from localhost.',
      );
    }
    const message = concat(this.#chunks);
    if (this.#secret === undefined) return new Uint8Array(await subtle.digest('SHA-256', message));
    const key = await subtle.importKey('raw', this.#secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await subtle.sign('HMAC', key, message));
  }

  reset(): void {
    this.#chunks = [];
  }
}

function concat(chunks: readonly Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
