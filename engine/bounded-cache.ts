/**
 * A Map with a size bound, for every cache of the engine (and the server's): once full, the
 * oldest entry makes room for the next (a Map keeps insertion order, so that is its first key).
 * A hit does not reorder: deciding looks a cache up on every case, and the caches hold far more
 * entries than a working set needs, so first-in first-out costs nothing and evicts little.
 *
 * @example const chains = new BoundedCache<string, Policy>(10_000); chains.get(k) ?? chains.set(k, compile())
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxSize: number) {
    if (!(maxSize >= 1)) throw new RangeError(`a cache needs room for at least one entry, got ${maxSize}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Stores the value and returns it, evicting the oldest entry when full. */
  set(key: K, value: V): V {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.maxSize) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
    return value;
  }

  /** The cached value, or the one `make` computes (stored). */
  getOrSet(key: K, make: () => V): V {
    const hit = this.get(key);
    return hit !== undefined ? hit : this.set(key, make());
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }
}
