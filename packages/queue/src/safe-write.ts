import { MaskgenError } from '@maskgen/core';
import type { Stats } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';

/** Names what a non-regular file is, for messages ("a character device"). */
export function describeKind(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isSocket()) return 'a socket';
  return s.isFile() ? 'a regular file' : 'not a regular file';
}

/** The refusal for a device, FIFO, socket or folder (or a symlink to one) as an output: maskgen replaces only regular files. */
export function notRegular(path: string, flag: string, s: Stats): MaskgenError {
  return new MaskgenError(
    'INVALID_ARGUMENT',
    `${flag}: "${path}" is ${describeKind(s)}; maskgen writes only regular files, choose a file name such as out.png`,
  );
}

const FIXES: Record<string, string> = {
  EACCES: 'permission denied; choose another location or change its permissions',
  EPERM: 'permission denied; choose another location or change its permissions',
  EROFS: 'the file system is read-only; choose another location',
  EISDIR: 'it is a folder; name a file instead',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'the disk is full; free some space or choose another location',
  EDQUOT: 'the disk quota is exceeded; free some space or choose another location',
  EEXIST: 'something else appeared there meanwhile; try again',
};

/** Turns a Node filesystem error into a `MaskgenError` that names the path and the fix, so no raw errno or stack trace reaches a user. */
export function fsError(e: unknown, path: string, doing: string): MaskgenError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const fix =
    code === 'ENOENT'
      ? doing.startsWith('read')
        ? 'the file does not exist; check the name'
        : 'its folder does not exist; create it first'
      : FIXES[code ?? ''];
  return new MaskgenError(
    code === 'ENOENT' ? 'NOT_FOUND' : 'FILE_IO',
    `cannot ${doing} ${JSON.stringify(path)}: ${fix ?? `${code ?? 'error'}; check the path and try again`}`,
    { cause: e },
  );
}

/**
 * Writes a file atomically (temp file + rename), the one writer behind the CLI's outputs and every queue
 * worker's images: an interrupted run never leaves a partial file. The target is checked again just
 * before the rename, so a device, FIFO or folder that appeared after the command's own checks is never
 * replaced; every failure is a `MaskgenError` naming the path.
 */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  // Unique per process and call: concurrent writers in one worker never share a temporary name.
  const tmp = `${path}.partial-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    // 'wx' refuses to follow or reuse anything already at the temporary name.
    const fh = await open(tmp, 'wx').catch((e) => {
      throw fsError(e, path, 'write');
    });
    try {
      await fh.writeFile(bytes).catch((e) => {
        throw fsError(e, path, 'write');
      });
    } finally {
      await fh.close();
    }
    const target = await stat(path).catch(() => undefined);
    if (target && !target.isFile()) throw notRegular(path, 'output', target);
    await rename(tmp, path).catch((e) => {
      throw fsError(e, path, 'write');
    });
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
