import type { FileHandle } from './file-handle.js';

/**
 * Where a runtime that packs weights into memory (onnxruntime-web) keeps packs across page loads. Only
 * packs holding derived bytes (int8 weights quantised in JS) are stored: they cost seconds per load to
 * compute, while a float32 pack is a plain read of checkpoint bytes the hub cache already holds.
 * A store that fails never fails a load: the pack is computed as without it.
 */
export interface PackCache {
  /** The bytes stored under `key`, or undefined. */
  get(key: string, opts?: { signal?: AbortSignal }): Promise<Uint8Array | undefined>;
  /** Stores `data` under `key` (whole, or not at all). */
  put(key: string, data: Uint8Array): Promise<void>;
}

/** Bumped whenever the layout of a packed buffer changes. */
const PACK_FORMAT = 1;

/**
 * What a file's bytes are, without reading them: the source's content id (hub ETag, the sha256 of an
 * LFS file), for derived bytes their recipe and the identities of their sources, else what `local`
 * says (runtime-node: real path, size, mtime, inode). Undefined when unknown: then nothing derived
 * from the file is cached, since a key that could go stale is worse than none.
 */
export async function fileIdentity(f: FileHandle, local?: (f: FileHandle) => Promise<string | undefined>): Promise<string | undefined> {
  if (f.contentId) return `id:${f.contentId}:${f.size}`;
  if (f.derivedFrom) {
    const parts = await Promise.all(f.derivedFrom.files.map((g) => fileIdentity(g, local)));
    return parts.every((p) => p !== undefined) ? `derived:${f.derivedFrom.recipe}:${f.size}:[${parts.join(',')}]` : undefined;
  }
  return local?.(f);
}

/**
 * The key of a pack: a sha256 over the graph bytes (every op, shape and weight placement) and the
 * identity of each weight file it reads, so a hit can never be stale. Web Crypto, available in
 * browsers, workers and Node alike.
 */
export async function packCacheKey(graph: Uint8Array, files: readonly FileHandle[]): Promise<string | undefined> {
  const ids = await Promise.all(files.map((f) => fileIdentity(f)));
  if (ids.some((id) => id === undefined)) return undefined;
  const head = new TextEncoder().encode(JSON.stringify({ format: PACK_FORMAT, files: ids }));
  const all = new Uint8Array(head.length + graph.length);
  all.set(head);
  all.set(graph, head.length);
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
