import {
  type FileHandle, type ModelSource, type ProgressCallback, type SourceOptions,
  quote, resolveUrl, validateFileName, validateRepoId, validateRevision,
} from '@maskgen/core';
import { type CacheBackend, type EntryMeta, entryKey } from './blob-store.js';
import { blobFile } from './blob-file.js';
import { type WebHttp, downloadWhole, fetchRetry, httpError } from './browser-fetch.js';
import { type RangeContext, openRangeFile } from './browser-ranges.js';
import { FallbackStore, type StorageEnv, defaultBackend, storeFor } from './store-select.js';

/** Options of browserSource. */
export interface BrowserSourceOptions extends StorageEnv {
  revision?: string;
  /** Hub or mirror base URL (default https://huggingface.co). */
  endpoint?: string;
  token?: string;
  /** Where files are kept (default: Cache Storage, else OPFS, else memory). */
  cache?: CacheBackend;
  /** Files read by HTTP range in blocks instead of downloaded whole; callers can also pass `{ access: 'ranges' }`. */
  rangeFiles?: readonly string[] | ((file: string) => boolean);
  /** Size of the blocks range reads fetch and cache (default 4 MiB). */
  rangeBlockSize?: number;
  fetch?: typeof fetch;
  onProgress?: ProgressCallback;
  /** Told when storage falls back to memory (default console.warn). */
  onWarning?: (message: string) => void;
  retry?: { retries?: number; baseDelayMs?: number };
  stallMs?: number;
}

/** A ModelSource for browsers and workers, with the backend it ended up using. */
export interface BrowserSource extends ModelSource {
  readonly backend: CacheBackend;
  openRanges(file: string, opts?: SourceOptions): Promise<FileHandle>;
}

/**
 * Hub files in the browser: fetched with progress, verified, and kept in Cache Storage or OPFS
 * (memory when neither is there or the quota is used up, with a warning). Cached files open with no
 * request; range files (CLIP's text tower) fetch and cache only the blocks that are read.
 */
export function browserSource(repoId: string, o: BrowserSourceOptions = {}): BrowserSource {
  validateRepoId(repoId);
  const revision = validateRevision(o.revision ?? 'main');
  const backend = o.cache ?? defaultBackend(o);
  const primary = storeFor(backend, o);
  const warn = o.onWarning ?? ((m: string) => console.warn(m));
  if (!primary) warn(`MaskGen.js: ${backend} is not available here; model files stay in memory for this page only`);
  const store = new FallbackStore(primary ?? storeFor('memory')!, warn);
  const http: WebHttp = {
    fetch: o.fetch ?? globalThis.fetch.bind(globalThis),
    endpoint: (o.endpoint ?? 'https://huggingface.co').replace(/\/+$/, ''),
    token: o.token,
    retries: o.retry?.retries ?? 4,
    baseDelayMs: o.retry?.baseDelayMs ?? 500,
    stallMs: o.stallMs ?? 30_000,
  };
  const block = o.rangeBlockSize ?? 4 << 20;
  const inflight = new Map<string, Promise<FileHandle>>();
  const url = (file: string) => resolveUrl(http.endpoint, repoId, revision, file);
  const meta = (file: string, size: number, extra: Partial<EntryMeta> = {}): EntryMeta => ({ repoId, revision, file, size, kind: 'file', storedAt: Date.now(), ...extra });
  const progress = (file: string, opts: SourceOptions) => (loaded: number, total?: number) => {
    const e = { phase: 'download' as const, file, loaded, total };
    o.onProgress?.(e);
    opts.onProgress?.(e);
  };

  async function download(file: string, opts: SourceOptions): Promise<FileHandle> {
    const key = entryKey(repoId, revision, file);
    const hit = await store.get(key);
    if (hit) return blobFile(hit.blob, `${repoId}/${file}`);
    const { blob, etag, commit } = await downloadWhole(http, url(file), `${quote(file)} of ${repoId}`, { signal: opts.signal, onBytes: progress(file, opts) });
    await store.put(key, blob, meta(file, blob.size, { etag, commit }));
    return blobFile(blob, `${repoId}/${file}`);
  }

  const ranges: RangeContext = { http, store, repoId, revision, block, url, meta, progress };
  const openRanges = (file: string, opts: SourceOptions = {}) => {
    validateFileName(file);
    return openRangeFile(ranges, file, opts);
  };

  const wantsRanges = (file: string, opts?: SourceOptions) =>
    opts?.access === 'ranges' || (typeof o.rangeFiles === 'function' ? o.rangeFiles(file) : (o.rangeFiles?.includes(file) ?? false));

  return {
    id: `${repoId}@${revision}`,
    backend: primary?.backend ?? 'memory',
    openRanges,
    async open(file, opts = {}) {
      validateFileName(file);
      if (wantsRanges(file, opts)) return openRanges(file, opts);
      let p = inflight.get(file);
      if (!p) {
        p = download(file, opts).finally(() => inflight.delete(file));
        inflight.set(file, p);
      }
      return p;
    },
    async exists(file, opts = {}) {
      validateFileName(file);
      if (await store.get(entryKey(repoId, revision, file))) return true;
      const res = await fetchRetry(http, url(file), { method: 'HEAD', signal: opts.signal });
      if (res.status === 404) return false;
      if (!res.ok) throw httpError(res, `${quote(file)} of ${repoId}`);
      return true;
    },
  };
}
