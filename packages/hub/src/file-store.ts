import type { FileHandle } from '@maskgen/core';

/** Where a store keeps its files: the Python disk cache, a browser storage, memory or a plain folder. */
export type StoreBackend = 'disk' | 'cache-storage' | 'opfs' | 'memory' | 'folder';

/** The browser storages a `browserSource` can be asked for by name. */
export type CacheBackend = 'cache-storage' | 'opfs' | 'memory';

/**
 * One stored thing of a repo at a revision (a branch, tag or commit): the whole file, a record of what
 * the hub said about it (`info`: size and ETag, `missing`: a 404, like Python's `.no_exist`), or one block
 * `[start, end)` of a range-read file.
 */
export interface EntryKey {
  repoId: string;
  revision: string;
  file: string;
  part?: 'info' | 'missing' | readonly [number, number];
}

/** What is remembered with an entry, so it can be listed, verified and reopened without a request. */
export interface EntryMeta {
  repoId: string;
  revision: string;
  file: string;
  /** Size of the whole file in bytes. */
  size: number;
  /** 'file' = the complete file; 'range' = bytes [start, end) of it; 'info' = size/etag only; 'missing' = the hub said 404. */
  kind: 'file' | 'range' | 'info' | 'missing';
  start?: number;
  end?: number;
  etag?: string;
  commit?: string;
  /** The ETag is an LFS sha256. */
  lfs?: boolean;
  storedAt: number;
}

/**
 * A write in progress. Bytes become visible only at `commit` (a rename, a stream close, a cache put), so
 * a reader never sees half a file, and `abort` leaves nothing behind under the entry's name.
 */
export interface FileWrite {
  /** Bytes kept from an interrupted earlier write of the same content, to resume from (0 when none). */
  readonly resumeFrom: number;
  /** Feeds the first `length` kept bytes to `onChunk`, so a resumed download is verified as a whole. */
  replay(length: number, onChunk: (chunk: Uint8Array) => void): Promise<void>;
  /** Positioned write: a retried or resumed transfer never appends twice. */
  write(data: Uint8Array, position: number): Promise<void>;
  truncate(length: number): Promise<void>;
  /** Makes the written bytes the entry, atomically. */
  commit(): Promise<void>;
  /** Drops the write; `keep` asks the store to park the bytes for a later resume where it can. */
  abort(keep: boolean): Promise<void>;
}

/** Where a range-read file's bytes are kept between reads and runs (a sparse file, or block entries). */
export interface RangeStore {
  /** The parts of [start, end) not stored yet. */
  missing(start: number, end: number): Promise<[number, number][]>;
  write(position: number, data: Uint8Array): Promise<void>;
  /** Records [start, end) as present, after its bytes are durably written. */
  commit(start: number, end: number): Promise<void>;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * The one storage interface every source writes through: the Python-compatible disk cache, Cache
 * Storage, OPFS, memory and a local folder implement it, so downloading, verifying and range caching
 * are written once (`downloadFile`, `remoteFile`) and a new storage is one small file.
 */
export interface FileStore {
  readonly backend: StoreBackend;
  /** A stored entry as a random-access handle, or undefined. Records (`info`, `missing`) have an empty handle. */
  get(key: EntryKey): Promise<{ handle: FileHandle; meta: EntryMeta } | undefined>;
  /** Starts a streamed write of an entry; `meta.etag` names the content (resumes only continue the same content). */
  put(key: EntryKey, meta: EntryMeta): Promise<FileWrite>;
  has(key: EntryKey): Promise<boolean>;
  delete(key: EntryKey): Promise<void>;
  /** Every entry, for cache UIs (`listCached`, `purgeCache`). */
  list(): Promise<{ key: EntryKey; meta: EntryMeta }[]>;
  /** The range cache of a file too big to download whole (CLIP's vision tower is never fetched). */
  ranges(key: EntryKey, meta: EntryMeta, blockSize: number): RangeStore;
}

/** Stores a record (`info` / `missing`) or a small whole entry in one call. */
export async function putBytes(store: FileStore, key: EntryKey, meta: EntryMeta, bytes = new Uint8Array(0)): Promise<void> {
  const w = await store.put(key, meta);
  try {
    if (bytes.byteLength) await w.write(bytes, 0);
    await w.commit();
  } catch (e) {
    await w.abort(false).catch(() => {});
    throw e;
  }
}

/** A flat string for a key (browser storages name entries by it); revisions are escaped as one segment. */
export function keyString(k: EntryKey): string {
  const base = `${k.repoId}/${encodeURIComponent(k.revision)}/${k.file}`;
  if (k.part === undefined) return base;
  return typeof k.part === 'string' ? `${base}#${k.part}` : `${base}#${k.part[0]}-${k.part[1]}`;
}

/** The key a flat string names (the inverse of keyString, for listing). */
export function parseKey(s: string): EntryKey | undefined {
  const m = /^([^/]+\/[^/]+)\/([^/]+)\/([^#]+)(?:#(info|missing|(\d+)-(\d+)))?$/.exec(s);
  if (!m) return undefined;
  const part = m[5] !== undefined ? ([Number(m[5]), Number(m[6])] as const) : (m[4] as 'info' | 'missing' | undefined);
  return { repoId: m[1], revision: decodeURIComponent(m[2]), file: m[3], ...(part ? { part } : {}) };
}

/** True for the errors storages raise when the origin's quota is used up. */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; code?: number };
  return err?.name === 'QuotaExceededError' || err?.name === 'NS_ERROR_DOM_QUOTA_REACHED' || err?.code === 22;
}

/**
 * A stored file's handle with a content id, so work derived from it (int8 packs) can be cached across
 * page loads: the hub's ETag, which its bytes were verified against; from a static host that sends
 * none, the stored entry itself (repo, revision, file, size, time stored), since a stored file's bytes
 * never change without a new entry.
 */
export function identifiedHandle(s: { handle: FileHandle; meta: EntryMeta }): FileHandle {
  if (s.handle.contentId) return s.handle;
  const m = s.meta;
  return { ...s.handle, contentId: m.etag || `stored:${m.repoId}@${m.revision}/${m.file}:${m.size}:${m.storedAt}` };
}
