import type { PackCache } from '@maskgen/core';

/** The Cache Storage cache that holds packs unless another name is given. */
export const PACK_CACHE_NAME = 'maskgen-packed-weights';

/** Cache Storage wants http(s) request URLs; packs are keyed under a host that never resolves. */
const keyUrl = (key: string) => `https://maskgen.invalid/packed/${key}`;

/** A PackCache over the browser's Cache Storage, with what a cache panel needs: its entries and a purge. */
export interface CacheStoragePackCache extends PackCache {
  readonly name: string;
  /** Entries and their sizes in bytes. */
  list(): Promise<{ key: string; bytes: number }[]>;
  /** Deletes every pack; returns the bytes freed. */
  clear(): Promise<number>;
  /** Reads answered from the cache and not, by this object (a page load). */
  readonly stats: { hits: number; misses: number };
}

/**
 * Packs in Cache Storage (disk-backed, per origin, in pages and workers): a second page load takes an
 * int8 model's packed weights from it instead of quantising them again. Entries are whole responses,
 * so a put cut short by a closed tab leaves no entry, and the byte length is checked on every read.
 */
export function cacheStoragePackCache(name = PACK_CACHE_NAME): CacheStoragePackCache {
  const open = () => caches.open(name);
  async function list() {
    const c = await open();
    const out: { key: string; bytes: number }[] = [];
    for (const req of await c.keys()) {
      const res = await c.match(req);
      out.push({ key: req.url.slice(req.url.lastIndexOf('/') + 1), bytes: Number(res?.headers.get('x-maskgen-bytes') ?? 0) });
    }
    return out;
  }
  const stats = { hits: 0, misses: 0 };
  return {
    name,
    stats,
    async get(key) {
      const res = await (await open()).match(keyUrl(key));
      const data = res ? new Uint8Array(await res.arrayBuffer()) : undefined;
      const ok = data !== undefined && data.length === Number(res?.headers.get('x-maskgen-bytes'));
      stats[ok ? 'hits' : 'misses']++;
      return ok ? data : undefined;
    },
    async put(key, data) {
      const body = new Blob([data as Uint8Array<ArrayBuffer>]);
      await (await open()).put(
        keyUrl(key),
        new Response(body, { headers: { 'x-maskgen-bytes': String(data.length), 'content-type': 'application/octet-stream' } }),
      );
    },
    list,
    async clear() {
      const bytes = (await list()).reduce((s, e) => s + e.bytes, 0);
      await caches.delete(name);
      return bytes;
    },
  };
}
