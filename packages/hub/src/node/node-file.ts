import { type FileHandle, MaskgenError, checkRange, quote } from '@maskgen/core';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * A FileHandle over a local file, reading ranges with positioned reads so multi-gigabyte weight
 * files never have to fit in one JS buffer; `localPath` lets runtime-node map the file in place.
 */
export async function nodeFile(path: string): Promise<FileHandle> {
  const abs = resolve(path);
  let size: number;
  try {
    const s = await stat(abs);
    if (!s.isFile()) throw new Error('not a regular file');
    size = s.size;
  } catch (cause) {
    throw new MaskgenError('NOT_FOUND', `file ${quote(path)} cannot be opened: ${(cause as Error).message}`, { cause });
  }
  return {
    name: abs,
    size,
    localPath: abs,
    async read(offset, length) {
      checkRange(abs, size, offset, length);
      const fh = await open(abs, 'r');
      try {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(out, done, Math.min(length - done, 1 << 30), offset + done);
          if (bytesRead === 0) throw new MaskgenError('INVALID_ARGUMENT', `file ${quote(abs)} ended early (it changed while being read)`);
          done += bytesRead;
        }
        return out;
      } finally {
        await fh.close();
      }
    },
  };
}
