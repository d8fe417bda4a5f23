import { type CacheBackend, type EntryMeta, keyString } from '../file-store.js';
import { type StorageEnv, storeFor } from './store-select.js';

/** One cached file (or block of a range-read file), for cache UIs. */
export interface CachedEntry extends EntryMeta {
  backend: CacheBackend;
  key: string;
  /** Bytes this entry occupies (the block size for range entries). */
  bytes: number;
}

const persistent: CacheBackend[] = ['cache-storage', 'opfs'];

const bytesOf = (m: EntryMeta) => (m.kind === 'file' ? m.size : m.kind === 'range' ? (m.end ?? 0) - (m.start ?? 0) : 0);

/** Lists what MaskGen.js keeps in this origin's persistent storages (one backend, or all available). */
export async function listCached(o: StorageEnv & { cache?: CacheBackend } = {}): Promise<CachedEntry[]> {
  const out: CachedEntry[] = [];
  for (const backend of o.cache ? [o.cache] : persistent) {
    const store = storeFor(backend, o);
    if (!store) continue;
    for (const { key, meta } of await store.list()) out.push({ ...meta, backend, key: keyString(key), bytes: bytesOf(meta) });
  }
  return out;
}

/**
 * Deletes cached model files (all, or one repo's), so users can reclaim quota from the app instead of
 * the browser's settings. Returns how many entries and bytes were removed.
 */
export async function purgeCache(o: StorageEnv & { cache?: CacheBackend; repoId?: string } = {}): Promise<{ entries: number; bytes: number }> {
  let entries = 0;
  let bytes = 0;
  for (const backend of o.cache ? [o.cache] : persistent) {
    const store = storeFor(backend, o);
    if (!store) continue;
    for (const { key, meta } of await store.list()) {
      if (o.repoId && meta.repoId !== o.repoId) continue;
      await store.delete(key);
      entries++;
      bytes += bytesOf(meta);
    }
  }
  return { entries, bytes };
}
