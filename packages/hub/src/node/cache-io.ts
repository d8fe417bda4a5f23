import { MaskgenError, quote } from '@maskgen/core';
import { open, statfs } from 'node:fs/promises';
import { isDiskFull } from './repo-cache.js';

/** A file being written by a download: positioned writes, so resumes and retries never append twice. */
export interface WritableFile {
  write(data: Uint8Array, position: number): Promise<void>;
  truncate(length: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The cache's file writes, injectable so tests can simulate a full disk or a failing volume
 * without filling a real one.
 */
export interface CacheIo {
  openWrite(path: string, mode: 'create' | 'resume'): Promise<WritableFile>;
  /** Free bytes on the volume holding `dir`, or undefined when unknown. */
  freeBytes(dir: string): Promise<number | undefined>;
}

/** The real file system. */
export const nodeCacheIo: CacheIo = {
  async openWrite(path, mode) {
    const fh = await open(path, mode === 'create' ? 'w' : 'r+');
    return {
      async write(data, position) {
        for (let done = 0; done < data.byteLength; ) {
          const { bytesWritten } = await fh.write(data, done, data.byteLength - done, position + done);
          done += bytesWritten;
        }
      },
      truncate: (length) => fh.truncate(length),
      sync: () => fh.sync(),
      close: () => fh.close(),
    };
  },
  async freeBytes(dir) {
    try {
      const s = await statfs(dir);
      return Number(s.bavail) * Number(s.bsize);
    } catch {
      return undefined;
    }
  },
};

/** Maps an OS error from the cache to the library's error, with what to do about it. */
export function cacheError(e: unknown, what: string, cacheDir: string): MaskgenError {
  if (e instanceof MaskgenError) return e;
  const code = (e as { code?: string })?.code ?? 'unknown';
  const advice = isDiskFull(e)
    ? `the disk is full: free space there, or point HF_HUB_CACHE (or the cacheDir option) at a larger volume`
    : 'check the folder permissions, or point HF_HUB_CACHE (or the cacheDir option) elsewhere';
  return new MaskgenError('CACHE_IO', `${what} in the cache ${quote(cacheDir)} failed (${code}: ${(e as Error)?.message ?? e}); ${advice}`, { cause: e });
}
