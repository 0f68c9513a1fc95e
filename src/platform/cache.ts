import { LRUCache } from 'lru-cache';

/** Names a cached value and its type; `ttlMs` is how long a loaded value may be served. */
export interface CacheKey<T> {
  readonly name: string;
  readonly ttlMs: number;
  /** Never set: carries the value's type so `memo` can return it typed. */
  readonly type?: T;
}

export function cacheKey<T>(name: string, ttlMs: number): CacheKey<T> {
  return { name, ttlMs };
}

const MAX_ENTRIES = 1_000;

/**
 * The process's caches: bounded, owned by the runtime (never module-level), so tests and several
 * runtimes in one process never see each other's values. A key's loader runs once even when many
 * callers miss at the same moment.
 */
export class Caches {
  private readonly values = new LRUCache<string, { value: unknown }>({ max: MAX_ENTRIES });
  private readonly loading = new Map<string, Promise<unknown>>();

  async memo<T>(key: CacheKey<T>, load: () => Promise<T>): Promise<T> {
    const hit = this.values.get(key.name);
    if (hit) return hit.value as T;
    const pending = this.loading.get(key.name);
    if (pending) return pending as Promise<T>;
    const loaded: Promise<T> = load().then(
      (value) => {
        // A load that was invalidated while in flight answers its callers but is not kept.
        if (this.loading.get(key.name) === loaded) {
          this.values.set(key.name, { value }, { ttl: key.ttlMs });
          this.loading.delete(key.name);
        }
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key.name) === loaded) this.loading.delete(key.name);
        throw error;
      },
    );
    this.loading.set(key.name, loaded);
    return loaded;
  }

  invalidate<T>(key: CacheKey<T>): void {
    this.values.delete(key.name);
    this.loading.delete(key.name);
  }
}
