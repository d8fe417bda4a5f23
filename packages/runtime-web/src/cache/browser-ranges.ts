import { type FileHandle, MaskgenError, type SourceOptions, checkRange, quote } from '@maskgen/core';
import { type EntryMeta, entryKey } from './blob-store.js';
import { blobFile } from './blob-file.js';
import { type WebHttp, fetchRetry, httpError, readBody } from './browser-fetch.js';
import type { FallbackStore } from './store-select.js';

/** What range reads share with their browser source. */
export interface RangeContext {
  http: WebHttp;
  store: FallbackStore;
  repoId: string;
  revision: string;
  /** Block size: reads are served from whole cached blocks of this size. */
  block: number;
  url(file: string): string;
  meta(file: string, size: number, extra?: Partial<EntryMeta>): EntryMeta;
  progress(file: string, opts: SourceOptions): (loaded: number, total?: number) => void;
}

async function fileSize(c: RangeContext, file: string, opts: SourceOptions): Promise<number> {
  const key = entryKey(c.repoId, c.revision, file, 'info');
  const hit = await c.store.get(key);
  if (hit) return hit.meta.size;
  const res = await fetchRetry(c.http, c.url(file), { method: 'HEAD', signal: opts.signal, headers: { 'Accept-Encoding': 'identity' } });
  const len = res.headers.get('x-linked-size') ?? res.headers.get('content-length');
  if (!res.ok) throw httpError(res, `${quote(file)} of ${c.repoId}`);
  if (len === null || !Number.isSafeInteger(Number(len))) throw new MaskgenError('NETWORK', `${c.http.endpoint} did not say how big ${quote(file)} of ${c.repoId} is`);
  await c.store.put(key, new Blob([]), c.meta(file, Number(len), { kind: 'info' }));
  return Number(len);
}

async function fetchBlock(c: RangeContext, file: string, size: number, start: number, opts: SourceOptions): Promise<Blob> {
  const end = Math.min(size, start + c.block);
  const key = entryKey(c.repoId, c.revision, file, [start, end]);
  const hit = await c.store.get(key);
  if (hit) return hit.blob;
  const res = await fetchRetry(c.http, c.url(file), { signal: opts.signal, headers: { Range: `bytes=${start}-${end - 1}` } });
  if (!res.ok) throw httpError(res, `${quote(file)} of ${c.repoId}`);
  if (res.status !== 206) {
    await res.body?.cancel();
    throw new MaskgenError('NETWORK', `${c.http.endpoint} ignored a Range request for ${quote(file)}; range reads need a server with Range support`);
  }
  const parts: Uint8Array[] = [];
  let n = 0;
  await readBody(res, c.http.stallMs, (chunk) => {
    parts.push(chunk);
    n += chunk.byteLength;
  });
  if (n !== end - start) throw new MaskgenError('DOWNLOAD_CORRUPT', `range ${start}-${end - 1} of ${quote(file)}: got ${n} bytes`);
  const blob = new Blob(parts as BlobPart[]);
  await c.store.put(key, blob, c.meta(file, size, { kind: 'range', start, end }));
  c.progress(file, opts)(n);
  return blob;
}

/**
 * A range-reading handle: the file's size from a HEAD (remembered), then fixed-size blocks fetched
 * with Range requests and stored as their own cache entries, so only the blocks a graph reads (CLIP's
 * text tower, not its vision tower) are ever downloaded, and a reload reads them from the cache.
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

