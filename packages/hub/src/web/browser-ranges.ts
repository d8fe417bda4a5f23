import type { FileHandle, SourceOptions } from '@maskgen/core';
import type { FileMetadata } from '../file-metadata.js';
import { type EntryKey, type EntryMeta, type FileStore, identifiedHandle, putBytes } from '../file-store.js';
import type { HubHttp } from '../hub-http.js';
import { remoteFile } from '../remote-file.js';

/** What range reads share with their browser source. */
export interface RangeContext {
  http: HubHttp;
  store: FileStore;
  repoId: string;
  revision: string;
  /** Block size: reads are served from whole cached blocks of this size. */
  block: number;
  offline: boolean;
  stallMs: number;
  /** Metadata of a file, from the page's repo listing or a HEAD; throws NOT_FOUND for missing files. */
  metadata(file: string, opts: SourceOptions): Promise<FileMetadata>;
  offlineError(file: string): Error;
  onBytes(file: string, opts: SourceOptions): (bytes: number) => void;
}

/**
 * A range-reading handle: the shared range reader (`remoteFile`: Range requests with retries, stall
 * cut-off, ETag checks) over the store's range cache — only the blocks a graph reads (CLIP's text tower,
 * not its vision tower) are downloaded, and a reload or an offline page reads them from the store. The
 * file's size and ETag are kept in an `info` record so a reopen needs no request.
 */
export async function openRangeFile(c: RangeContext, file: string, opts: SourceOptions): Promise<FileHandle> {
  const key: EntryKey = { repoId: c.repoId, revision: c.revision, file };
  const whole = await c.store.get(key);
  if (whole) return identifiedHandle(whole);
  const infoKey: EntryKey = { ...key, part: 'info' };
  let entry = (await c.store.get(infoKey))?.meta;
  if (!entry) {
    if (c.offline) throw c.offlineError(file);
    const m = await c.metadata(file, opts);
    entry = {
      repoId: c.repoId,
      revision: c.revision,
      file,
      size: m.size,
      kind: 'info',
      etag: m.etag,
      commit: m.commit,
      lfs: m.lfs,
      storedAt: Date.now(),
    } satisfies EntryMeta;
    await putBytes(c.store, infoKey, entry);
  }
  const at = entry.commit || c.revision;
  const meta: FileMetadata = { commit: at, etag: entry.etag ?? '', size: entry.size, lfs: entry.lfs ?? false };
  const handle = remoteFile({
    http: c.http,
    repoId: c.repoId,
    commit: at,
    file,
    meta,
    store: c.store.ranges(key, entry, c.block),
    blockSize: c.block,
    offline: c.offline,
    metadataTimeoutMs: c.stallMs,
    stallTimeoutMs: c.stallMs,
    onBytes: c.onBytes(file, opts),
  });
  return { ...handle, name: `${c.repoId}/${file}`, read: (offset, length, r) => handle.read(offset, length, { signal: r?.signal ?? opts.signal }) };
}
