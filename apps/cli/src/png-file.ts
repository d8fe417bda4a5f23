export { encodePng } from '@maskgen/image';
import { MaskgenError } from '@maskgen/core';
import { open, rename, rm, stat } from 'node:fs/promises';
import { notRegular } from './output-path.js';

/** Turns a Node filesystem error into a `MaskgenError` that names the path and the fix, without a stack trace. */
export function fsError(e: unknown, path: string, doing: string): MaskgenError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const fix: Record<string, string> = {
    ENOENT: doing.startsWith('read') ? 'the file does not exist; check the name' : 'its folder does not exist; create it first',
    EACCES: 'permission denied; choose another location or change its permissions',
    EPERM: 'permission denied; choose another location or change its permissions',
    EROFS: 'the file system is read-only; choose another location',
    EISDIR: 'it is a folder; name a file instead',
    ENOTDIR: 'a part of the path is not a folder',
    ENOSPC: 'the disk is full; free some space or choose another location',
    EDQUOT: 'the disk quota is exceeded; free some space or choose another location',
    EEXIST: 'something else appeared there meanwhile; try again',
  };
  return new MaskgenError(code === 'ENOENT' ? 'NOT_FOUND' : 'FILE_IO', `cannot ${doing} ${JSON.stringify(path)}: ${fix[code ?? ''] ?? `${code ?? 'error'}; check the path and try again`}`, { cause: e });
}

/**
 * Writes a file atomically (temp file + rename): an interrupted run never leaves a partial image. The
 * target is checked again just before the rename, so a device, FIFO or folder that appeared after
 * `checkOutputPath` is never replaced; every failure is a `MaskgenError` naming the path.
 */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.partial-${process.pid}`;
  try {
    // 'wx' refuses to follow or reuse anything already at the temporary name.
    const fh = await open(tmp, 'wx').catch((e) => { throw fsError(e, path, 'write'); });
    try {
      await fh.writeFile(bytes).catch((e) => { throw fsError(e, path, 'write'); });
    } finally {
      await fh.close();
    }
    const target = await stat(path).catch(() => undefined);
    if (target && !target.isFile()) throw notRegular(path, 'output', target);
    await rename(tmp, path).catch((e) => { throw fsError(e, path, 'write'); });
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Lays images out in a near-square grid (for `--grid`). */
export function gridImage(images: readonly { width: number; height: number; data: Uint8Array }[]): { width: number; height: number; data: Uint8Array } {
  const cols = Math.ceil(Math.sqrt(images.length));
  const rows = Math.ceil(images.length / cols);
  const { width: w, height: h } = images[0];
  const data = new Uint8Array(cols * w * rows * h * 4);
  images.forEach((img, i) => {
    const ox = (i % cols) * w;
    const oy = Math.floor(i / cols) * h;
    for (let y = 0; y < h; y++) data.set(img.data.subarray(y * w * 4, (y + 1) * w * 4), ((oy + y) * cols * w + ox) * 4);
  });
  return { width: cols * w, height: rows * h, data };
}
