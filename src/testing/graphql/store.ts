/**
 * The local AppSync's data: items by type name and id, in insertion order. What the NONE data
 * source echo writes and what queries read. Items are copied in and out, so a caller holding
 * one cannot change the store behind its back.
 */
export type StoredItem = Record<string, unknown>;

export class LocalStore {
  readonly #types = new Map<string, Map<string, StoredItem>>();

  /** The item of `type` with `id`, or undefined. */
  get(type: string, id: unknown): StoredItem | undefined {
    const item = this.#types.get(type)?.get(String(id));
    return item === undefined ? undefined : structuredClone(item);
  }

  /** Every item of `type`, oldest first. */
  list(type: string): StoredItem[] {
    return [...(this.#types.get(type)?.values() ?? [])].map((item) => structuredClone(item));
  }

  /** Stores (or replaces) `item` under its `id`; returns the stored copy. */
  put(type: string, item: StoredItem): StoredItem {
    if (item.id === undefined || item.id === null) {
      throw new TypeError(`LocalStore.put expects an item with an id, but the ${type} item has none.`);
    }
    let items = this.#types.get(type);
    if (items === undefined) this.#types.set(type, (items = new Map()));
    items.set(String(item.id), structuredClone(item));
    return structuredClone(item);
  }

  /** Removes the item; returns what was stored, or undefined. */
  delete(type: string, id: unknown): StoredItem | undefined {
    const items = this.#types.get(type);
    const item = items?.get(String(id));
    items?.delete(String(id));
    return item;
  }

  /** Forgets every item (of one type, or of all). */
  clear(type?: string): void {
    if (type === undefined) this.#types.clear();
    else this.#types.delete(type);
  }
}
