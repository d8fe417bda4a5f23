import { type FileHandle, MaskgenError, type SourceOptions, quote, throwIfAborted } from '@maskgen/core';
import { validateFileName, validateRepoId, validateRevision } from '../hub-names.js';
import { nodeFile } from './node-file.js';
import { downloadFile } from '../download-file.js';
import { type EntryMeta, putBytes } from '../file-store.js';
import { etagChanged } from '../transfer-limits.js';
import { cacheError } from './cache-io.js';
import { diskStore, nodeHashes } from './disk-store.js';
import { CommitResolver } from './commit-resolver.js';
import { DownloadProgress } from '../download-progress.js';
import type { FileMetadata } from '../file-metadata.js';
import { HubHttp, retryPolicy } from '../hub-http.js';
import { resolveHubSettings } from './hub-settings.js';
import { type HubSource, type HubSourceOptions, anySignal } from './hub-source-types.js';
import { remoteFile } from '../remote-file.js';
import { RepoCache } from './repo-cache.js';

/**
 * Files of a Hugging Face repo through the cache Python uses (`models--owner--name/{blobs,snapshots,
 * refs}`): cached files open with no request, others are downloaded resumably and verified. All files
 * of one source come from one commit, so a repo updated mid-load never mixes versions.
 */
export function hubSource(repoId: string, options: HubSourceOptions = {}): HubSource {
  validateRepoId(repoId);
  const revision = validateRevision(options.revision ?? 'main');
  const settings = resolveHubSettings(
    {
      ...options,
      metadataTimeoutMs: options.timeouts?.metadataMs,
      stallTimeoutMs: options.timeouts?.stallMs,
      transferLimits: {
        deadlineMs: options.timeouts?.deadlineMs,
        minBytesPerSecond: options.timeouts?.minBytesPerSecond,
        rateWindowMs: options.timeouts?.rateWindowMs,
      },
    },
    options.env ?? process.env,
  );
  const cache = new RepoCache(settings.cacheDir, repoId);
  const http = new HubHttp(options.fetch ?? globalThis.fetch, settings.endpoint, settings.token, retryPolicy(options.retry));
  const commits = new CommitResolver(cache, http, settings, revision, options.refresh ?? false);
  const disk = diskStore(settings.cacheDir, { io: options.io });
  const progress = new DownloadProgress(() => [options.onProgress]);
  const infoKey = (commit: string, file: string) => ({ repoId, revision: commit, file, part: 'info' as const });
  const inflight = new Map<string, Promise<string>>();
  const timeouts = { metadataTimeoutMs: settings.metadataTimeoutMs, stallTimeoutMs: settings.stallTimeoutMs, limits: settings.transferLimits };

  const offlineError = (file: string) =>
    new MaskgenError(
      'OFFLINE',
      `${repoId}: ${quote(file)} (revision ${quote(revision)}) is not in the cache ${quote(settings.cacheDir)} and offline mode is on (HF_HUB_OFFLINE / offline option); download it once online, point HF_HUB_CACHE at a filled cache, or load the files from a local folder instead`,
    );

  async function fetchToCache(file: string, opts: SourceOptions): Promise<string> {
    const signal = anySignal(options.signal, opts.signal);
    throwIfAborted(signal, `loading ${repoId}/${file}`);
    const hit = await commits.cached(file);
    if (hit) return hit;
    if (settings.offline) throw offlineError(file);
    let meta: FileMetadata;
    try {
      meta = await commits.metadata(file, signal);
    } catch (e) {
      const fallback = await commits.fallback(file, e);
      if (fallback) return fallback;
      throw e;
    }
    if ((await cache.cachedSize(meta.commit, file)) === meta.size) return cache.pointerPath(meta.commit, file);
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await cache.blobSize(meta.etag)) !== meta.size) {
          progress.start(file, meta.size);
          const onBytes = (n: number) => progress.update(file, n, opts.onProgress);
          const key = { repoId, revision: meta.commit, file };
          await downloadFile({ http, repoId, at: meta.commit, file, meta, store: disk, key, hashes: nodeHashes, signal, onBytes, ...timeouts });
          return cache.pointerPath(meta.commit, file); // the store linked the snapshot at commit
        }
        return await cache.link(meta.commit, file, meta.etag).catch((e: unknown) => {
          throw cacheError(e, `linking ${file}`, settings.cacheDir);
        });
      } catch (e) {
        if (!etagChanged(e) || attempt > 0) throw e;
        meta = await commits.metadata(file, signal); // the file changed between HEAD and GET: resolve again
      }
    }
  }

  function download(file: string, opts: SourceOptions = {}): Promise<string> {
    validateFileName(file);
    let p = inflight.get(file);
    if (!p) {
      p = fetchToCache(file, opts).finally(() => inflight.delete(file));
      inflight.set(file, p);
    }
    return p;
  }

  async function openRanges(file: string, opts: SourceOptions = {}): Promise<FileHandle> {
    validateFileName(file);
    const signal = anySignal(options.signal, opts.signal);
    const hit = await commits.cached(file);
    if (hit) return nodeFile(hit);
    const commit = await commits.known();
    const known = commit ? (await disk.get(infoKey(commit, file)))?.meta : undefined;
    let meta: FileMetadata | undefined = known && commit ? { commit, etag: known.etag ?? '', size: known.size, lfs: known.lfs ?? false } : undefined;
    if (meta) commits.pinned ??= meta.commit;
    else if (settings.offline) throw offlineError(file);
    else {
      meta = await commits.metadata(file, signal);
      if ((await cache.blobSize(meta.etag)) === meta.size) return nodeFile(await cache.link(meta.commit, file, meta.etag));
    }
    const entry: EntryMeta = {
      repoId,
      revision: meta.commit,
      file,
      size: meta.size,
      kind: 'info',
      etag: meta.etag,
      commit: meta.commit,
      lfs: meta.lfs,
      storedAt: Date.now(),
    };
    if (!known && options.cacheRanges !== false) await putBytes(disk, infoKey(meta.commit, file), entry).catch(() => {});
    const store = options.cacheRanges === false ? undefined : disk.ranges({ repoId, revision: meta.commit, file }, entry, options.rangeBlockSize ?? 4 << 20);
    const onBytes = (n: number) => progress.add(file, n, opts.onProgress);
    const handle = remoteFile({
      http,
      repoId,
      commit: meta.commit,
      file,
      meta,
      store,
      blockSize: options.rangeBlockSize,
      offline: settings.offline,
      onBytes,
      ...timeouts,
    });
    return {
      ...handle,
      read: (offset, length, o) =>
        handle.read(offset, length, { signal: anySignal(options.signal, o?.signal) }).catch((e: unknown) => {
          throw e instanceof MaskgenError ? e : cacheError(e, `caching ranges of ${file}`, settings.cacheDir);
        }),
    };
  }

  const wantsRanges = (file: string, opts?: SourceOptions) =>
    opts?.access === 'ranges' || (typeof options.rangeFiles === 'function' ? options.rangeFiles(file) : (options.rangeFiles?.includes(file) ?? false));

  return {
    id: `${repoId}@${revision}`,
    repoId,
    revision,
    settings,
    get commit() {
      return commits.pinned;
    },
    download,
    openRanges,
    async open(file, opts = {}) {
      validateFileName(file);
      if (wantsRanges(file, opts)) return openRanges(file, opts);
      return nodeFile(await download(file, opts));
    },
    async exists(file, opts = {}) {
      validateFileName(file);
      if (await commits.cached(file)) return true;
      const commit = await commits.known();
      if (commit && (await disk.has(infoKey(commit, file)))) return true;
      if (commit && (await disk.has({ repoId, revision: commit, file, part: 'missing' }))) return false;
      // Offline with nothing known of the repo, "no" would be a guess: say why instead.
      if (settings.offline && !commit) throw offlineError(file);
      if (settings.offline) return false;
      try {
        await commits.metadata(file, anySignal(options.signal, opts.signal));
        return true;
      } catch (e) {
        if ((e as { fileMissing?: boolean }).fileMissing) return false;
        throw e;
      }
    },
  };
}
