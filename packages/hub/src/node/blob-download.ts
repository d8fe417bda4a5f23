import { MaskgenError } from '@maskgen/core';
import { mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type CacheIo, type WritableFile, cacheError } from './cache-io.js';
import { ContentCheck } from './content-check.js';
import { reclaimStalePartials } from './stale-partials.js';
import { type TransferLimits, corrupt, transfer } from './blob-transfer.js';
import type { FileMetadata } from '../file-metadata.js';
import { type HubHttp, TransportError } from '../hub-http.js';
import { type RepoCache, isDiskFull } from './repo-cache.js';

/** What one blob download needs besides the file's identity. */
export interface DownloadContext {
  http: HubHttp;
  io: CacheIo;
  metadataTimeoutMs: number;
  stallTimeoutMs: number;
  /** Deadline and minimum rate (default DEFAULT_TRANSFER_LIMITS). */
  limits?: TransferLimits;
  signal?: AbortSignal;
  onBytes(loaded: number): void;
}

/** Marks "the server now serves other content than the HEAD announced": re-resolve and start over. */
export function etagChanged(e: unknown): boolean {
  return (e as { etagChanged?: boolean })?.etagChanged === true;
}


/**
 * Downloads one file into `blobs/<etag>`: into a temp file next to it, resuming a parked partial
 * (Range) and dropped connections, verified (size, then sha256 or git blob id) before an atomic
 * rename. On failure nothing unverified is left under a blob name: corrupt data is deleted, an
 * interrupted transfer is parked as `<etag>.incomplete` for the next attempt to resume.
 */
export async function downloadBlob(cache: RepoCache, commit: string, file: string, meta: FileMetadata, ctx: DownloadContext): Promise<void> {
  if ((await cache.blobSize(meta.etag)) === meta.size) return;
  const blob = cache.blobPath(meta.etag);
  try {
    await mkdir(dirname(blob), { recursive: true });
  } catch (e) {
    throw cacheError(e, 'creating the blobs folder', cache.cacheDir);
  }
  await reclaimStalePartials(dirname(blob));
  const free = await ctx.io.freeBytes(dirname(blob));
  if (free !== undefined && free < meta.size) {
    throw cacheError(Object.assign(new Error(`${meta.size} bytes needed, ${free} free`), { code: 'ENOSPC' }), `downloading ${file}`, cache.cacheDir);
  }
  for (let pass = 0; ; pass++) {
    const tmp = cache.tempPath(meta.etag);
    let have = 0;
    try {
      await rename(cache.parkedPath(meta.etag), tmp);
      have = pass === 0 ? (await stat(tmp)).size : 0;
    } catch {
      have = 0;
    }
    const resumedFromDisk = have > 0 && have <= meta.size;
    if (have > meta.size) have = 0;
    try {
      await transferAndCommit(cache, commit, file, meta, ctx, tmp, resumedFromDisk ? have : 0);
      return;
    } catch (e) {
      // A parked partial from an earlier run can hold bad bytes: one fresh attempt before giving up.
      if (resumedFromDisk && pass === 0 && e instanceof MaskgenError && e.code === 'DOWNLOAD_CORRUPT' && !etagChanged(e)) continue;
      throw e;
    }
  }
}

async function transferAndCommit(cache: RepoCache, commit: string, file: string, meta: FileMetadata, ctx: DownloadContext, tmp: string, resumeFrom: number): Promise<void> {
  const check = new ContentCheck(meta.etag, meta.size, meta.lfs);
  let out: WritableFile;
  try {
    out = await ctx.io.openWrite(tmp, resumeFrom > 0 ? 'resume' : 'create');
    if (resumeFrom > 0) await check.updateFromFile(tmp, resumeFrom);
  } catch (e) {
    await cache.remove(tmp).catch(() => {});
    throw cacheError(e, `writing ${file}`, cache.cacheDir);
  }
  let have = resumeFrom;
  let keep = false;
  try {
    await transfer(cache.repoId, commit, file, meta, { ...ctx, onBytes: (n) => ctx.onBytes((have = n)) }, out, check, have);
    await out.sync();
    await out.close();
    const bad = check.mismatch();
    if (bad) throw corrupt(cache.repoId, file, bad);
    await rename(tmp, cache.blobPath(meta.etag));
  } catch (e) {
    await out.close().catch(() => {});
    const resumable = !(e instanceof MaskgenError && e.code === 'DOWNLOAD_CORRUPT') && !isDiskFull(e) && have > 0;
    if (resumable) keep = await rename(tmp, cache.parkedPath(meta.etag)).then(() => true, () => false);
    if (!keep) await cache.remove(tmp).catch(() => {});
    if (e instanceof MaskgenError) throw e;
    if (e instanceof TransportError) throw new MaskgenError('NETWORK', e.message, { cause: e });
    throw cacheError(e, `writing ${file}`, cache.cacheDir);
  }
}
