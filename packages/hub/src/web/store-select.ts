import { blockRanges } from '../block-ranges.js';
import { type CacheBackend, type FileStore, type FileWrite, isQuotaError } from '../file-store.js';
import { ChunkBuffer, memoryStore } from '../memory-store.js';
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
export function storeFor(backend: CacheBackend, env: StorageEnv = {}): FileStore | undefined {
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
 * storage errors), the entry is kept in memory for this page and the caller is told once why. Writes
 * keep their chunks until commit so a failing storage loses nothing already downloaded.
 */
export function fallbackStore(primary: FileStore, warn: (message: string) => void): FileStore {
  const memory = primary.backend === 'memory' ? primary : memoryStore();
  let warned = false;
  const fellBack = (e: unknown, file: string) => {
    if (warned) return;
    warned = true;
    const why = isQuotaError(e) ? 'the storage quota of this site is used up' : `storing failed (${(e as Error)?.message ?? e})`;
    warn(
      `MaskGen.js: ${why}, so ${file} and later files stay in memory for this page only and will be downloaded again next time; free space with purgeCache() or in the browser's site settings`,
    );
  };
  if (primary === memory) return primary;
  const store: FileStore = {
    backend: primary.backend,
    get: async (key) => (await memory.get(key)) ?? (await primary.get(key).catch(() => undefined)),
    has: async (key) => (await memory.has(key)) || (await primary.has(key).catch(() => false)),
    delete: async (key) => {
      await memory.delete(key);
      await primary.delete(key);
    },
    list: async () => [...(await memory.list()), ...(await primary.list().catch(() => []))],
    // Entry-based storages keep blocks as entries (through this store, so they fall back too); the disk
    // cache and folders keep their own sparse file.
    ranges: (key, meta, block) =>
      primary.backend === 'disk' || primary.backend === 'folder' ? primary.ranges(key, meta, block) : blockRanges(store, key, meta, block),
    async put(key, meta): Promise<FileWrite> {
      const kept = new ChunkBuffer();
      let inner: FileWrite | undefined = await primary.put(key, meta).catch((e: unknown) => void fellBack(e, `${meta.repoId}/${meta.file}`));
      const drop = async (e: unknown) => {
        fellBack(e, `${meta.repoId}/${meta.file}`);
        await inner?.abort(false).catch(() => {});
        inner = undefined;
      };
      return {
        resumeFrom: 0,
        replay: async () => {},
        async write(data, position) {
          kept.write(data, position);
          if (inner) await inner.write(data, position).catch(drop);
        },
        async truncate(length) {
          kept.truncate(length);
          if (inner) await inner.truncate(length).catch(drop);
        },
        async commit() {
          if (
            inner &&
            (await inner.commit().then(
              () => true,
              async (e: unknown) => (await drop(e), false),
            ))
          )
            return;
          const w = await memory.put(key, meta);
          await w.write(kept.bytes(), 0);
          await w.commit();
        },
        abort: async (keep) => {
          kept.truncate(0);
          await inner?.abort(keep);
        },
      };
    },
  };
  return store;
}
