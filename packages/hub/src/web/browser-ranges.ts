import { type FileHandle, MaskgenError, type SourceOptions, checkRange, quote } from '@maskgen/core';
import { streamBody } from '../body-stream.js';
import { type EntryMeta, entryKey } from './blob-store.js';
import { blobFile } from './blob-file.js';
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
  url(file: string): string;
  meta(file: string, size: number, extra?: Partial<EntryMeta>): EntryMeta;
  progress(file: string, opts: SourceOptions): (loaded: number, total?: number) => void;
  offlineError(file: string, what?: string): MaskgenError;
  /** Records the commit a response announced, so later requests of the page use it. */
  pin(commit: string | null): void;
}

async function fileSize(c: RangeContext, file: string, opts: SourceOptions): Promise<number> {
  const key = entryKey(c.repoId, c.revision, file, 'info');
  const hit = await c.store.get(key);
  if (hit) return hit.meta.size;
  if (c.offline) throw c.offlineError(file);
  const { res } = await webRequest(c.web, c.url(file), { method: 'HEAD', signal: opts.signal });
  await res.body?.cancel().catch(() => {});
  if (!res.ok) throw webStatusError(c.web, res, c.revision, file);
  c.pin(res.headers.get('x-repo-commit'));
  const len = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
  if (len === null || !Number.isSafeInteger(Number(len))) throw new MaskgenError('NETWORK', `${c.web.http.endpoint} did not say how big ${quote(file)} of ${c.repoId} is`);
  await c.store.put(key, new Blob([]), c.meta(file, Number(len), { kind: 'info' }));
  return Number(len);
}

async function fetchBlock(c: RangeContext, file: string, size: number, start: number, opts: SourceOptions): Promise<Blob> {
  const end = Math.min(size, start + c.block);
  const key = entryKey(c.repoId, c.revision, file, [start, end]);
  const hit = await c.store.get(key);
  if (hit) return hit.blob;
  if (c.offline) throw c.offlineError(file, `bytes ${start}-${end - 1} of`);
  const r = await webRequest(c.web, c.url(file), { signal: opts.signal, headers: { Range: `bytes=${start}-${end - 1}` } });
  if (!r.res.ok) throw webStatusError(c.web, r.res, c.revision, file);
  if (r.res.status !== 206) {
    r.abort();
    throw new MaskgenError('NETWORK', `${c.web.http.endpoint} ignored a Range request for ${quote(file)}; range reads need a server with Range support`);
  }
  const parts: Uint8Array[] = [];
  let n = 0;
  await streamBody(r, c.web.stallMs, opts.signal, async (chunk) => {
    parts.push(chunk);
    n += chunk.byteLength;
  });
  if (n !== end - start) throw new MaskgenError('DOWNLOAD_CORRUPT', `range ${start}-${end - 1} of ${quote(file)}: got ${n} bytes; nothing was cached`);
  const blob = new Blob(parts as BlobPart[]);
  await c.store.put(key, blob, c.meta(file, size, { kind: 'range', start, end }));
  c.progress(file, opts)(n);
  return blob;
}

/**
 * A range-reading handle: the file's size from a HEAD (remembered), then fixed-size blocks fetched
 * with Range requests and stored as their own cache entries, so only the blocks a graph reads (CLIP's
 * text tower, not its vision tower) are ever downloaded, and a reload or offline page reads them from
 * the cache.
 */
export async function openRangeFile(c: RangeContext, file: string, opts: SourceOptions): Promise<FileHandle> {
  const whole = await c.store.get(entryKey(c.repoId, c.revision, file));
  if (whole) return blobFile(whole.blob, `${c.repoId}/${file}`);
  const size = await fileSize(c, file, opts);
  const name = `${c.repoId}/${file}`;
  return {
    name,
    size,
    async read(offset, length, r) {
      checkRange(name, size, offset, length);
      const out = new Uint8Array(length);
      for (let b = Math.floor(offset / c.block) * c.block; b < offset + length; b += c.block) {
        const blob = await fetchBlock(c, file, size, b, { ...opts, signal: r?.signal ?? opts.signal });
        const from = Math.max(offset, b);
        const to = Math.min(offset + length, b + blob.size);
        out.set(new Uint8Array(await blob.slice(from - b, to - b).arrayBuffer()), from - offset);
      }
      return out;
    },
  };
}
