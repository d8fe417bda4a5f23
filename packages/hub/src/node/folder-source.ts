import { MaskgenError, type ModelSource, quote } from '@maskgen/core';
import { validateFileName } from '../hub-names.js';
import { folderStore } from './folder-store.js';

/**
 * A model repo that is already on disk (a `git clone`, a Python snapshot folder, files copied from
 * elsewhere): same file names as the hub, no network. Reads through the folder store, so names are
 * validated and cannot leave the folder; symlinks inside it (HF snapshots link to ../../blobs) are followed.
 */
export function folderSource(dir: string, options: { id?: string } = {}): ModelSource {
  const store = folderStore(dir, options);
  const id = options.id ?? dir;
  const key = (file: string) => ({ repoId: id, revision: 'local', file: validateFileName(file) });
  return {
    id,
    async open(file) {
      const hit = await store.get(key(file));
      if (!hit) throw new MaskgenError('NOT_FOUND', `${id}: the folder ${quote(dir)} has no file ${quote(file)}`);
      return hit.handle;
    },
    exists: (file) => store.has(key(file)),
  };
}
