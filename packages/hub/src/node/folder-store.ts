import { MaskgenError, memoryFile, quote } from '@maskgen/core';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { EntryKey, EntryMeta, FileStore } from '../file-store.js';
import { validateFileName } from '../hub-names.js';
import { nodeCacheIo } from './cache-io.js';
import { nodeFile } from './node-file.js';
import { SparseRangeStore } from './range-store.js';

/**
 * A plain local folder as a FileStore (a `git clone`, a Python snapshot, files copied from elsewhere):
 * each file under its repo name, nothing else (with `id`, only that repo's keys are served). Writes go to a temp file renamed into place; records and
 * range caches live in `.maskgen/` so the folder stays a usable copy of the repo. Names are validated and
 * joined lexically, so "../x" cannot leave the folder.
 */
export function folderStore(dir: string, o: { id?: string } = {}): FileStore {
  const root = resolve(dir);
  const id = o.id ?? 'local/folder';
  const other = (k: EntryKey) => o.id !== undefined && k.repoId !== o.id;
  const pathOf = (file: string, under = root) => {
    validateFileName(file);
    const path = join(under, ...file.split('/'));
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
      throw new MaskgenError('INVALID_ARGUMENT', `file ${quote(file)} resolves outside the folder ${quote(root)}`);
    return path;
  };
  const recordPath = (k: EntryKey) => `${pathOf(k.file, join(root, '.maskgen', String(k.part)))}.json`;
  const meta = (k: EntryKey, size: number): EntryMeta => ({ repoId: k.repoId, revision: k.revision, file: k.file, size, kind: 'file', storedAt: 0 });
  const store: FileStore = {
    backend: 'folder',
    async get(key) {
      if (other(key)) return undefined;
      if (typeof key.part === 'string') {
        const m = await readFile(recordPath(key), 'utf8').then(
          (t) => JSON.parse(t) as EntryMeta,
          () => undefined,
        );
        return m && { handle: memoryFile(new Uint8Array(0), key.file), meta: m };
      }
      if (key.part) return undefined;
      const path = pathOf(key.file);
      if (
        !(await stat(path).then(
          (s) => s.isFile(),
          () => false,
        ))
      )
        return undefined;
      const handle = await nodeFile(path);
      return { handle, meta: meta(key, handle.size) };
    },
    async put(key, m) {
      if (other(key)) throw new MaskgenError('INVALID_ARGUMENT', `the folder ${quote(root)} holds ${o.id}, not ${quote(key.repoId)}`);
      const path = typeof key.part === 'string' ? recordPath(key) : pathOf(key.file);
      if (Array.isArray(key.part)) throw new MaskgenError('INVALID_ARGUMENT', 'a folder keeps ranges in a sparse file (ranges()), not as entries');
      const tmp = `${path}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
      await mkdir(dirname(path), { recursive: true });
      const w = await nodeCacheIo.openWrite(tmp, 'create');
      return {
        resumeFrom: 0,
        replay: async () => {},
        write: (data, position) => w.write(data, position),
        truncate: (length) => w.truncate(length),
        async commit() {
          if (typeof key.part === 'string') await w.write(new TextEncoder().encode(JSON.stringify(m)), 0);
          await w.sync();
          await w.close();
          await rename(tmp, path);
        },
        async abort() {
          await w.close().catch(() => {});
          await rm(tmp, { force: true });
        },
      };
    },
    has: async (key) => (await store.get(key)) !== undefined,
    delete: async (key) => rm(typeof key.part === 'string' ? recordPath(key) : pathOf(key.file), { force: true }),
    async list() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
      const files = entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split(/[\\/]/).join('/'));
      const out: { key: EntryKey; meta: EntryMeta }[] = [];
      for (const file of files.filter((f) => !f.startsWith('.maskgen/') && !f.endsWith('.tmp'))) {
        const key = { repoId: id, revision: 'local', file };
        out.push({ key, meta: meta(key, (await stat(join(root, file))).size) });
      }
      return out;
    },
    ranges: (key, m) => new SparseRangeStore(join(root, '.maskgen', 'ranges'), m.etag || encodeURIComponent(key.file), m.size),
  };
  return store;
}
