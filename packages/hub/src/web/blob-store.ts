/** Which browser storage holds downloaded model files. */
export type CacheBackend = 'cache-storage' | 'opfs' | 'memory';

/** What is remembered about a stored file (or a stored block of a range-read file). */
export interface EntryMeta {
  repoId: string;
  revision: string;
  file: string;
  /** Size of the whole file in bytes. */
  size: number;
  /** 'file' = the complete file; 'range' = bytes [start, end) of it; 'info' = size/etag only; 'missing' = the hub said 404 (like Python's .no_exist). */
  kind: 'file' | 'range' | 'info' | 'missing';
  start?: number;
  end?: number;
  etag?: string;
  commit?: string;
  storedAt: number;
}

/**
 * The storage backends behind one interface: Cache Storage, the origin-private file system, or plain
 * memory. Entries are Blobs, which browsers keep on disk, so reading a range of a cached gigabyte
 * file does not load the rest.
 */
export interface BlobStore {
  readonly backend: CacheBackend;
  get(key: string): Promise<{ blob: Blob; meta: EntryMeta } | undefined>;
  /** Stores an entry; rejects with the storage's own error (QuotaExceededError included). */
  put(key: string, blob: Blob, meta: EntryMeta): Promise<void>;
  delete(key: string): Promise<void>;
  list(): Promise<{ key: string; meta: EntryMeta }[]>;
}

/** The key of a file, of its info record, or of one of its range blocks. */
export function entryKey(repoId: string, revision: string, file: string, part?: 'info' | 'missing' | [number, number]): string {
  const base = `${repoId}/${encodeURIComponent(revision)}/${file}`;
  if (part === undefined) return base;
  return typeof part === 'string' ? `${base}#${part}` : `${base}#${part[0]}-${part[1]}`;
}

/** True for the errors storages raise when the origin's quota is used up. */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; code?: number };
  return err?.name === 'QuotaExceededError' || err?.name === 'NS_ERROR_DOM_QUOTA_REACHED' || err?.code === 22;
}

/** Entries kept in this page's memory only: the fallback when persistent storage is missing or full. */
export function memoryStore(): BlobStore {
  const entries = new Map<string, { blob: Blob; meta: EntryMeta }>();
  return {
    backend: 'memory',
    async get(key) {
      return entries.get(key);
    },
    async put(key, blob, meta) {
      entries.set(key, { blob, meta });
    },
    async delete(key) {
      entries.delete(key);
    },
    async list() {
      return [...entries].map(([key, e]) => ({ key, meta: e.meta }));
    },
  };
}
