import { type FileHandle, MaskgenError, type ModelSource, type ProgressCallback, type SourceOptions, quote } from '@maskgen/core';
import { HubHttp, type RetryOptions } from '../hub-http.js';
import { isCommitHash, resolveUrl, validateFileName, validateRepoId, validateRevision } from '../hub-names.js';
import { DEFAULT_ENDPOINT, type Env, offlineFrom, parseEndpoint } from '../settings.js';
import { type BlobStore, type CacheBackend, type EntryMeta, entryKey } from './blob-store.js';
import { blobFile } from './blob-file.js';
import { type WebHttp, downloadWhole, webRequest, webStatusError } from './browser-fetch.js';
import { type RangeContext, openRangeFile } from './browser-ranges.js';
import { FallbackStore, type StorageEnv, defaultBackend, storeFor } from './store-select.js';

/** Options of browserSource. */
export interface BrowserSourceOptions extends StorageEnv {
  /** Branch, tag or 40-hex commit (default 'main'). */
  revision?: string;
  /** Hub or mirror base URL (default https://huggingface.co). */
  endpoint?: string;
  token?: string;
  /** Never touch the network: only what an earlier online page stored opens (default false, or HF_HUB_OFFLINE in `env`). */
  offline?: boolean;
  /** Environment to read HF_HUB_OFFLINE from (Node, tests); browsers have none. */
  env?: Env;
  /** Where files are kept (default: Cache Storage, else OPFS, else memory). */
  cache?: CacheBackend;
  /** A store of your own (e.g. one memoryBlobStore() shared by several sources); overrides `cache`. */
  store?: BlobStore;
  /** Files read by HTTP range in blocks instead of downloaded whole; callers can also pass `{ access: 'ranges' }`. */
  rangeFiles?: readonly string[] | ((file: string) => boolean);
  /** Size of the blocks range reads fetch and cache (default 4 MiB). */
  rangeBlockSize?: number;
  fetch?: typeof fetch;
  onProgress?: ProgressCallback;
  /** Told when storage falls back to memory (default console.warn). */
  onWarning?: (message: string) => void;
  retry?: RetryOptions;
  /** Body stall timeout (default 30 s); headers time out after the same. */
  stallMs?: number;
}

/** A ModelSource for browsers and workers, with the backend it ended up using. */
export interface BrowserSource extends ModelSource {
  readonly backend: CacheBackend;
  readonly repoId: string;
  readonly revision: string;
  openRanges(file: string, opts?: SourceOptions): Promise<FileHandle>;
}

/** Branch → commit, once per page: later sources of the same repo ask for files at that commit. */
const pageCommits = new Map<string, string>();

/**
 * Hub files in the browser: fetched with progress, verified, and kept in Cache Storage or OPFS
 * (memory when neither is there or the quota is used up, with a warning). Cached files (whole, or the
 * blocks of a range-read file) open with no request, so a reload needs no network at all.
 */
export function browserSource(repoId: string, o: BrowserSourceOptions = {}): BrowserSource {
  validateRepoId(repoId);
  const revision = validateRevision(o.revision ?? 'main');
  const offline = offlineFrom(o.offline, o.env ?? {});
  const backend = o.store?.backend ?? o.cache ?? defaultBackend(o);
  const primary = o.store ?? storeFor(backend, o);
  const warn = o.onWarning ?? ((m: string) => console.warn(m));
  if (!primary) warn(`MaskGen.js: ${backend} is not available here; model files stay in memory for this page only`);
  const store = new FallbackStore(primary ?? storeFor('memory')!, warn);
  const endpoint = parseEndpoint(o.endpoint ?? DEFAULT_ENDPOINT);
  const stallMs = o.stallMs ?? 30_000;
  const http = new HubHttp(
    o.fetch ?? globalThis.fetch.bind(globalThis),
    endpoint,
    o.token,
    { retries: o.retry?.retries ?? 4, baseDelayMs: o.retry?.baseDelayMs ?? 500, maxDelayMs: o.retry?.maxDelayMs ?? 30_000, onRetry: o.retry?.onRetry },
    'follow',
  );
  const web: WebHttp = { http, repoId, timeoutMs: stallMs, stallMs };
  const pinKey = `${endpoint} ${repoId} ${revision}`;
  const pin = (commit: string | null) => {
    if (!isCommitHash(revision) && commit && isCommitHash(commit) && !pageCommits.has(pinKey)) pageCommits.set(pinKey, commit);
  };
  const block = o.rangeBlockSize ?? 4 << 20;
  const inflight = new Map<string, Promise<FileHandle>>();
  const url = (file: string) => resolveUrl(endpoint, repoId, pageCommits.get(pinKey) ?? revision, file);
  const meta = (file: string, size: number, extra: Partial<EntryMeta> = {}): EntryMeta => ({ repoId, revision, file, size, kind: 'file', storedAt: Date.now(), ...extra });
  const progress = (file: string, opts: SourceOptions) => (loaded: number, total?: number) => {
    const e = { phase: 'download' as const, file, loaded, total };
    o.onProgress?.(e);
    opts.onProgress?.(e);
  };
  const offlineError = (file: string) =>
    new MaskgenError(
      'OFFLINE',
      `${repoId}: ${quote(file)} (revision ${quote(revision)}) is not in this site's ${store.primary.backend} cache and offline mode is on; open the page once online with the same model, or serve the files from this site`,
    );

  async function download(file: string, opts: SourceOptions): Promise<FileHandle> {
    const key = entryKey(repoId, revision, file);
    const hit = await store.get(key);
    if (hit) return blobFile(hit.blob, `${repoId}/${file}`);
    if (offline) throw offlineError(file);
    const { blob, etag, commit } = await downloadWhole(web, url(file), revision, file, { signal: opts.signal, onBytes: progress(file, opts) });
    pin(commit ?? null);
    await store.put(key, blob, meta(file, blob.size, { etag, commit }));
    return blobFile(blob, `${repoId}/${file}`);
  }

  const ranges: RangeContext = { web, store, repoId, revision, block, offline, at: () => pageCommits.get(pinKey) ?? revision, meta, progress, offlineError, pin };
  const openRanges = (file: string, opts: SourceOptions = {}) => {
    validateFileName(file);
    return openRangeFile(ranges, file, opts);
  };

  const wantsRanges = (file: string, opts?: SourceOptions) =>
    opts?.access === 'ranges' || (typeof o.rangeFiles === 'function' ? o.rangeFiles(file) : (o.rangeFiles?.includes(file) ?? false));

  return {
    id: `${repoId}@${revision}`,
    repoId,
    revision,
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
      if (await store.get(entryKey(repoId, revision, file, 'info'))) return true;
      if (await store.get(entryKey(repoId, revision, file, 'missing'))) return false;
      if (offline) return false;
      const { res } = await webRequest(web, url(file), { method: 'HEAD', signal: opts.signal });
      await res.body?.cancel().catch(() => {});
      if (res.status === 404 && (res.headers.get('x-error-code') ?? 'EntryNotFound') === 'EntryNotFound') {
        // Remembered like Python's .no_exist, so loaders probing optional files work offline and on reload.
        await store.put(entryKey(repoId, revision, file, 'missing'), new Blob([]), meta(file, 0, { kind: 'missing' }));
        return false;
      }
      if (!res.ok) throw webStatusError(web, res, revision, file);
      pin(res.headers.get('x-repo-commit'));
      return true;
    },
  };
}
