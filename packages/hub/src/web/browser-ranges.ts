import { type FileHandle, MaskgenError, type SourceOptions, quote } from '@maskgen/core';
import { normalizeEtag } from '../file-metadata.js';
import { resolveUrl } from '../hub-names.js';
import { remoteFile } from '../remote-file.js';
import { type EntryMeta, entryKey } from './blob-store.js';
import { blobFile } from './blob-file.js';
import { BlobRangeStore } from './blob-range-store.js';
import { type WebHttp, webRequest, webStatusError } from './browser-fetch.js';
import type { FallbackStore } from './store-select.js';

/** What range reads share with their browser source. */
export interface RangeContext {
  web: WebHttp;
  store: FallbackStore;
  repoId: string;
  revision: string;
  /** Block size: reads are served from whole cached blocks of this size. */
  block: number;
  offline: boolean;
  /** The commit (once the page resolved the branch) or the revision to request files at. */
  at(): string;
  meta(file: string, size: number, extra?: Partial<EntryMeta>): EntryMeta;
  progress(file: string, opts: SourceOptions): (loaded: number, total?: number) => void;
  offlineError(file: string): MaskgenError;
  /** Records the commit a response announced, so later requests of the page use it. */
  pin(commit: string | null): void;
}

/** Size and ETag of a file: remembered in an 'info' entry, else from one HEAD. */
async function fileInfo(c: RangeContext, file: string, opts: SourceOptions): Promise<{ size: number; etag: string }> {
  const key = entryKey(c.repoId, c.revision, file, 'info');
  const hit = await c.store.get(key);
  if (hit) return { size: hit.meta.size, etag: hit.meta.etag ?? '' };
  if (c.offline) throw c.offlineError(file);
  const { res } = await webRequest(c.web, resolveUrl(c.web.http.endpoint, c.repoId, c.at(), file), { method: 'HEAD', signal: opts.signal });
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw webStatusError(c.web, res, c.revision, file);
  c.pin(res.headers.get('x-repo-commit'));
  const len = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
  if (len === null || !Number.isSafeInteger(Number(len))) throw new MaskgenError('NETWORK', `${c.web.http.endpoint} did not say how big ${quote(file)} of ${c.repoId} is`);
  // Only the hub's own ETag is comparable later; behind a CDN redirect the browser sees the CDN's.
  const etag = new URL(res.url || c.web.http.endpoint).origin === new URL(c.web.http.endpoint).origin ? (normalizeEtag(res.headers.get('etag')) ?? '') : '';
  await c.store.put(key, new Blob([]), c.meta(file, Number(len), { kind: 'info', etag }));
  return { size: Number(len), etag };
}

/**
 * A range-reading handle: the shared range reader (`remoteFile`: Range requests with retries, stall
 * cut-off, ETag checks) over a store of fixed-size blocks, each its own cache entry — only the blocks a
 * graph reads (CLIP's text tower, not its vision tower) are downloaded, and a reload or an offline page
 * reads them from the cache.
 */
export async function openRangeFile(c: RangeContext, file: string, opts: SourceOptions): Promise<FileHandle> {
  const whole = await c.store.get(entryKey(c.repoId, c.revision, file));
  if (whole) return blobFile(whole.blob, `${c.repoId}/${file}`);
  const { size, etag } = await fileInfo(c, file, opts);
  const blocks = new BlobRangeStore(
    c.store,
    (a, b) => entryKey(c.repoId, c.revision, file, [a, b]),
    (a, b) => c.meta(file, size, { kind: 'range', start: a, end: b }),
    size,
    c.block,
  );
  const progress = c.progress(file, opts);
  const handle = remoteFile({
    http: c.web.http,
    repoId: c.repoId,
    commit: c.at(),
    file,
    meta: { commit: c.at(), etag, size, lfs: false },
    store: blocks,
    blockSize: c.block,
    offline: c.offline,
    metadataTimeoutMs: c.web.timeoutMs,
    stallTimeoutMs: c.web.stallMs,
    onBytes: (n) => progress(n),
  });
  return { ...handle, name: `${c.repoId}/${file}`, read: (offset, length, r) => handle.read(offset, length, { signal: r?.signal ?? opts.signal }) };
}
