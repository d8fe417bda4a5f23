import { type FileHandle, MaskgenError, type ModelSource, quote } from '@maskgen/core';
import { validateFileName } from '../hub-names.js';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { nodeFile } from './node-file.js';

/**
 * A model repo that is already on disk (a `git clone`, a Python snapshot folder, files copied from
 * elsewhere): same file names as the hub, no network. Names are validated and joined lexically, so
 * "../x" cannot leave the folder; symlinks inside it (HF snapshots link to ../../blobs) are followed.
 */
export function folderSource(dir: string, options: { id?: string } = {}): ModelSource {
  const root = resolve(dir);
  const id = options.id ?? root;
  const pathOf = (file: string) => {
    validateFileName(file);
    const path = join(root, ...file.split('/'));
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new MaskgenError('INVALID_ARGUMENT', `file ${quote(file)} resolves outside the folder ${quote(root)}`);
    }
    return path;
  };
  return {
    id,
    async open(file): Promise<FileHandle> {
      const path = pathOf(file);
      try {
        if (!(await stat(path)).isFile()) throw new Error('not a regular file');
      } catch {
        throw new MaskgenError('NOT_FOUND', `${id}: the folder ${quote(root)} has no file ${quote(file)}`);
      }
      return nodeFile(path);
    },
    async exists(file) {
      const path = pathOf(file);
      return stat(path).then((s) => s.isFile(), () => false);
    },
  };
}
