/**
 * aws4fetch derives the signing key (four HMACs, each an async WebCrypto call) for every new
 * signer unless given a cache; the key changes only with the secret, the day, the region and the
 * service, so one process needs a few. Bounded: the oldest entry goes first.
 */

/** Entries kept: a few credentials × regions, and a day's boundary. */
const MAX_SIGNING_KEYS = 8;

/** The `cache` option of aws4fetch's `AwsV4Signer` (it calls only `get` and `set`). */
export class SigningKeyCache<V> extends Map<string, V> {
  override set(key: string, value: V): this {
    this.delete(key);
    super.set(key, value);
    if (this.size > MAX_SIGNING_KEYS) this.delete(this.keys().next().value as string);
    return this;
  }
}

/** The chunk's one cache, shared by every signature. */
export const SIGNING_KEYS = new SigningKeyCache<ArrayBuffer>();
