import type { BlobStore, EntryMeta } from './blob-store.js';

/** The Cache Storage bucket MaskGen.js uses; versioned so a layout change never misreads old entries. */
export const CACHE_NAME = 'maskgen-hub-v1';
const ORIGIN = 'https://maskgen-cache.invalid/';
const META_HEADER = 'x-maskgen-meta';

/**
 * Cache Storage (`caches`): available in windows and workers on secure origins, survives reloads,
 * and serves Blobs backed by disk. Keys are synthetic URLs so entries never collide with the app's.
 */
export function cacheStorageStore(caches: CacheStorage, cacheName = CACHE_NAME): BlobStore {
  const cache = () => caches.open(cacheName);
  const url = (key: string) => ORIGIN + key.split('/').map(encodeURIComponent).join('/');
  const keyOf = (u: string) => u.slice(ORIGIN.length).split('/').map(decodeURIComponent).join('/');
  return {
    backend: 'cache-storage',
    async get(key) {
      const res = await (await cache()).match(url(key));
      const raw = res?.headers.get(META_HEADER);
      if (!res || !raw) return undefined;
      return { blob: await res.blob(), meta: JSON.parse(raw) as EntryMeta };
    },
    async put(key, blob, meta) {
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(blob.size), [META_HEADER]: JSON.stringify(meta) };
      await (await cache()).put(url(key), new Response(blob, { headers }));
    },
    async delete(key) {
      await (await cache()).delete(url(key));
    },
    async list() {
      const c = await cache();
      const out: { key: string; meta: EntryMeta }[] = [];
      for (const req of await c.keys()) {
        const raw = (await c.match(req))?.headers.get(META_HEADER);
        if (raw && req.url.startsWith(ORIGIN)) out.push({ key: keyOf(req.url), meta: JSON.parse(raw) as EntryMeta });
      }
      return out;
    },
  };
}
