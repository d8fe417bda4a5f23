import { type BlobStore, type CacheBackend, type EntryMeta, isQuotaError, memoryStore } from './blob-store.js';
import { cacheStorageStore } from './cache-storage-store.js';
import { opfsStore } from './opfs-store.js';

/** Where the browser storages come from; injectable so the logic runs (and is tested) outside browsers. */
export interface StorageEnv {
  /** Cache Storage (default `globalThis.caches`). */
  caches?: CacheStorage;
  /** OPFS root (default `navigator.storage.getDirectory()`). */
  opfsRoot?: () => Promise<FileSystemDirectoryHandle>;
}

function defaultOpfs(): (() => Promise<FileSystemDirectoryHandle>) | undefined {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  return typeof storage?.getDirectory === 'function' ? () => storage.getDirectory() : undefined;
}

/** The store for a backend, or undefined when this environment lacks it. */
export function storeFor(backend: CacheBackend, env: StorageEnv = {}): BlobStore | undefined {
  if (backend === 'memory') return memoryStore();
  if (backend === 'cache-storage') {
    const caches = env.caches ?? (globalThis as { caches?: CacheStorage }).caches;
    return caches ? cacheStorageStore(caches) : undefined;
  }
  const root = env.opfsRoot ?? defaultOpfs();
  return root ? opfsStore(root) : undefined;
}

/** The first persistent backend available here: Cache Storage, then OPFS, else memory. */
export function defaultBackend(env: StorageEnv = {}): CacheBackend {
  if (storeFor('cache-storage', env)) return 'cache-storage';
  if (storeFor('opfs', env)) return 'opfs';
  return 'memory';
}

/**
 * A persistent store that degrades instead of failing: when the origin's quota is used up (or the
 * storage errors), the entry is kept in memory for this page and the caller is told once why.
 */
export class FallbackStore {
  private readonly memory = memoryStore();
  private warned = false;

  constructor(readonly primary: BlobStore, private readonly warn: (message: string) => void) {}

  async get(key: string): Promise<{ blob: Blob; meta: EntryMeta } | undefined> {
    const mem = await this.memory.get(key);
    if (mem) return mem;
    try {
      return await this.primary.get(key);
    } catch {
      return undefined;
    }
  }

  /** Stores persistently when possible; returns where the entry ended up. */
  async put(key: string, blob: Blob, meta: EntryMeta): Promise<CacheBackend> {
    if (this.primary.backend !== 'memory') {
      try {
        await this.primary.put(key, blob, meta);
        return this.primary.backend;
      } catch (e) {
        if (!this.warned) {
          this.warned = true;
          const why = isQuotaError(e) ? 'the storage quota of this site is used up' : `storing failed (${(e as Error)?.message ?? e})`;
          this.warn(
            `MaskGen.js: ${why}, so ${meta.repoId}/${meta.file} and later files stay in memory for this page only and will be downloaded again next time; free space with purgeCache() or in the browser's site settings`,
          );
        }
      }
    }
    await (this.primary.backend === 'memory' ? this.primary : this.memory).put(key, blob, meta);
    return 'memory';
  }
}
