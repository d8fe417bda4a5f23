import { blockRanges } from '../block-ranges.js';
import { type EntryMeta, type FileStore, keyString, parseKey } from '../file-store.js';
import { bufferedWrite } from '../memory-store.js';
import { blobFile } from './blob-file.js';

/** The Cache Storage bucket MaskGen.js uses; versioned so a layout change never misreads old entries. */
export const CACHE_NAME = 'maskgen-hub-v1';
const ORIGIN = 'https://maskgen-cache.invalid/';
const META_HEADER = 'x-maskgen-meta';

/**
 * Cache Storage (`caches`): available in windows and workers on secure origins, survives reloads, and
 * serves Blobs backed by disk. Keys are synthetic URLs so entries never collide with the app's. A write
 * is one `cache.put` at commit (the API has no partial entries), so a reader never sees half a file.
 */
export function cacheStorageStore(caches: CacheStorage, cacheName = CACHE_NAME): FileStore {
  const cache = () => caches.open(cacheName);
  const url = (key: string) => ORIGIN + key.split('/').map(encodeURIComponent).join('/');
  const keyOf = (u: string) => u.slice(ORIGIN.length).split('/').map(decodeURIComponent).join('/');
  const store: FileStore = {
    backend: 'cache-storage',
    async get(key) {
      const res = await (await cache()).match(url(keyString(key)));
      const raw = res?.headers.get(META_HEADER);
      if (!res || !raw) return undefined;
      return { handle: blobFile(await res.blob(), `${key.repoId}/${key.file}`), meta: JSON.parse(raw) as EntryMeta };
    },
    async put(key, meta) {
      return bufferedWrite(async (buf) => {
        const headers = { 'content-type': 'application/octet-stream', 'content-length': String(buf.length), [META_HEADER]: JSON.stringify(meta) };
        await (await cache()).put(url(keyString(key)), new Response(buf.blob(), { headers }));
      });
    },
    async has(key) {
      return (await (await cache()).match(url(keyString(key)))) !== undefined;
    },
    async delete(key) {
      await (await cache()).delete(url(keyString(key)));
    },
    async list() {
      const c = await cache();
      const out: { key: ReturnType<typeof parseKey> & {}; meta: EntryMeta }[] = [];
      for (const req of await c.keys()) {
        const raw = (await c.match(req))?.headers.get(META_HEADER);
        const key = req.url.startsWith(ORIGIN) ? parseKey(keyOf(req.url)) : undefined;
        if (raw && key) out.push({ key, meta: JSON.parse(raw) as EntryMeta });
      }
      return out;
    },
    ranges: (key, meta, block) => blockRanges(store, key, meta, block),
  };
  return store;
}
