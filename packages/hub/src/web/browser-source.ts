import { type FileHandle, MaskgenError, type ModelSource, type ProgressCallback, type SourceOptions, quote } from '@maskgen/core';
import { DownloadProgress } from '../download-progress.js';
import { downloadFile } from '../download-file.js';
import type { FileMetadata } from '../file-metadata.js';
import { type CacheBackend, type EntryKey, type FileStore, identifiedHandle, putBytes } from '../file-store.js';
import { HubHttp, type RetryOptions, retryPolicy } from '../hub-http.js';
import { validateFileName, validateRepoId, validateRevision } from '../hub-names.js';
import { DEFAULT_ENDPOINT, type Env, offlineFrom, parseEndpoint } from '../settings.js';
import { etagChanged } from '../transfer-limits.js';
import { browserMetadata } from './browser-metadata.js';
import { type RangeContext, openRangeFile } from './browser-ranges.js';
import { type StorageEnv, defaultBackend, fallbackStore, storeFor } from './store-select.js';

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
  /** A store of your own (e.g. one memoryStore() shared by several sources); overrides `cache`. */
  store?: FileStore;
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

/**
 * Hub files in the browser: downloaded by the shared download path (resumed, verified by sha256 or git
 * blob id, committed atomically) into Cache Storage or OPFS (memory when neither is there or the quota is
 * used up, with a warning). Cached files (whole, or the blocks of a range-read file) open with no
 * request, so a reload needs no network at all.
 */
export function browserSource(repoId: string, o: BrowserSourceOptions = {}): BrowserSource {
  validateRepoId(repoId);
  const revision = validateRevision(o.revision ?? 'main');
  const offline = offlineFrom(o.offline, o.env ?? {});
  const requested = o.store?.backend ?? o.cache ?? defaultBackend(o);
  const primary = o.store ?? storeFor(requested as CacheBackend, o);
  const warn = o.onWarning ?? ((m: string) => console.warn(m));
  if (!primary) warn(`MaskGen.js: ${requested} is not available here; model files stay in memory for this page only`);
  const store = fallbackStore(primary ?? storeFor('memory')!, warn);
  const endpoint = parseEndpoint(o.endpoint ?? DEFAULT_ENDPOINT);
  const stallMs = o.stallMs ?? 30_000;
  const http = new HubHttp(o.fetch ?? globalThis.fetch.bind(globalThis), endpoint, o.token, retryPolicy(o.retry), 'follow');
  const hub = browserMetadata(http, repoId, revision, stallMs);
  const progress = new DownloadProgress(() => [o.onProgress]);
  const inflight = new Map<string, Promise<FileHandle>>();
  const keyOf = (file: string, part?: EntryKey['part']): EntryKey => ({ repoId, revision, file, ...(part ? { part } : {}) });
  const offlineError = (file: string) =>
    new MaskgenError(
      'OFFLINE',
      `${repoId}: ${quote(file)} (revision ${quote(revision)}) is not in this site's ${store.backend} cache and offline mode is on; open the page once online with the same model, or serve the files from this site`,
    );
  const remember404 = (file: string) =>
    putBytes(store, keyOf(file, 'missing'), { repoId, revision, file, size: 0, kind: 'missing', storedAt: Date.now() }).catch(() => {});

  async function metadata(file: string, opts: SourceOptions): Promise<FileMetadata> {
    const m = await hub.file(file, opts.signal);
    if (!('missing' in m)) return m;
    await remember404(file);
    throw new MaskgenError('NOT_FOUND', `${repoId} has no file ${quote(file)} at revision ${quote(revision)} (${endpoint})`);
  }

  async function download(file: string, opts: SourceOptions): Promise<FileHandle> {
    const key = keyOf(file);
    const hit = await store.get(key);
    if (hit) return identifiedHandle(hit);
    if (offline) throw offlineError(file);
    for (let attempt = 0; ; attempt++) {
      const meta = await metadata(file, opts);
      progress.start(file, meta.size);
      const onBytes = (n: number) => progress.update(file, n, opts.onProgress);
      try {
        await downloadFile({
          http,
          repoId,
          at: meta.commit || revision,
          file,
          meta,
          store,
          key,
          metadataTimeoutMs: stallMs,
          stallTimeoutMs: stallMs,
          signal: opts.signal,
          onBytes,
        });
        break;
      } catch (e) {
        if (!etagChanged(e) || attempt > 0) throw e; // the file changed between listing and GET: once more
      }
    }
    const stored = await store.get(key);
    if (!stored) throw new MaskgenError('CACHE_IO', `${repoId}/${file} was downloaded but the ${store.backend} store does not return it`);
    return identifiedHandle(stored);
  }

  const ranges: RangeContext = {
    http,
    store,
    repoId,
    revision,
    offline,
    stallMs,
    metadata,
    offlineError,
    block: o.rangeBlockSize ?? 4 << 20,
    onBytes: (file, opts) => (n) => progress.add(file, n, opts.onProgress),
  };
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
    backend: primary?.backend === 'cache-storage' || primary?.backend === 'opfs' ? primary.backend : 'memory',
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
      if ((await store.has(keyOf(file))) || (await store.has(keyOf(file, 'info')))) return true;
      if (await store.has(keyOf(file, 'missing'))) return false;
      if (offline) return false;
      const m = await hub.file(file, opts.signal);
      // A miss is remembered like Python's .no_exist, so loaders probing optional files work offline and on reload.
      if ('missing' in m) await remember404(file);
      return !('missing' in m);
    },
  };
}
