import { MaskgenError, memoryFile } from '@maskgen/core';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readlink, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { HashFactory } from '../content-check.js';
import type { EntryKey, EntryMeta, FileStore, FileWrite } from '../file-store.js';
import { isCommitHash } from '../hub-names.js';
import { type CacheIo, cacheError, nodeCacheIo } from './cache-io.js';
import { repoOfFolder } from './cache-admin.js';
import { nodeFile } from './node-file.js';
import { SparseRangeStore, rangeCacheDir, readRangeMeta, writeRangeMeta } from './range-store.js';
import { RepoCache } from './repo-cache.js';
import { reclaimStalePartials } from './stale-partials.js';

/** node:crypto's hashes behind the shared interface: native speed on multi-gigabyte weights. */
export const nodeHashes: HashFactory = (algorithm) => {
  const h = createHash(algorithm);
  return { update: (c: Uint8Array) => h.update(c), hex: () => h.digest('hex') };
};

const empty = (key: EntryKey) => memoryFile(new Uint8Array(0), `${key.repoId}/${key.file}`);

/**
 * The Hugging Face disk cache as a FileStore, in exactly huggingface_hub's layout: a file is written to
 * `blobs/<etag>` through a temp file (resuming a parked `<etag>.incomplete`), renamed into place at
 * commit and linked from `snapshots/<commit>/<file>`; a `missing` record is `.no_exist/<commit>/<file>`;
 * `info` records and range caches live beside the layout (`.maskgen/ranges/`), never inside it.
 * Revisions that are not commits are looked up in `refs/`, as Python does offline.
 */
export function diskStore(cacheDir: string, o: { io?: CacheIo } = {}): FileStore {
  const io = o.io ?? nodeCacheIo;
  const repos = new Map<string, RepoCache>();
  const repo = (id: string) => repos.get(id) ?? repos.set(id, new RepoCache(cacheDir, id)).get(id)!;
  const commitOf = async (k: EntryKey) => (isCommitHash(k.revision) ? k.revision : repo(k.repoId).readRef(k.revision));
  const meta = (k: EntryKey, m: Partial<EntryMeta>): EntryMeta => ({
    repoId: k.repoId,
    revision: k.revision,
    file: k.file,
    size: 0,
    kind: 'file',
    storedAt: 0,
    ...m,
  });

  async function putFile(key: EntryKey, m: EntryMeta): Promise<FileWrite> {
    const cache = repo(key.repoId);
    const commit = m.commit || key.revision;
    if (!m.etag || !isCommitHash(commit))
      throw new MaskgenError('INVALID_ARGUMENT', `the disk cache stores files by ETag under a commit; got ETag ${m.etag} at ${commit}`);
    const etag = m.etag;
    const blobs = dirname(cache.blobPath(etag));
    const tmp = cache.tempPath(etag);
    let out;
    let resumeFrom = 0;
    try {
      await mkdir(blobs, { recursive: true });
      await reclaimStalePartials(blobs);
      const free = await io.freeBytes(blobs);
      if (free !== undefined && free < m.size) throw Object.assign(new Error(`${m.size} bytes needed, ${free} free`), { code: 'ENOSPC' });
      resumeFrom = await rename(cache.parkedPath(etag), tmp).then(
        async () => (await stat(tmp)).size,
        () => 0,
      );
      out = await io.openWrite(tmp, resumeFrom > 0 ? 'resume' : 'create');
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => {});
      throw cacheError(e, `writing ${key.file}`, cacheDir);
    }
    const w = out;
    const guard =
      <A extends unknown[]>(what: string, f: (...a: A) => Promise<void>) =>
      async (...a: A) => {
        try {
          await f(...a);
        } catch (e) {
          throw cacheError(e, `${what} ${key.file}`, cacheDir);
        }
      };
    return {
      resumeFrom,
      replay: guard('resuming', async (length: number, onChunk: (chunk: Uint8Array) => void) => {
        const fh = await open(tmp, 'r');
        try {
          const buf = new Uint8Array(Math.min(length, 4 << 20));
          for (let pos = 0; pos < length; ) {
            const { bytesRead } = await fh.read(buf, 0, Math.min(buf.byteLength, length - pos), pos);
            if (bytesRead === 0) throw new Error(`partial download ${tmp} shrank while being read`);
            onChunk(buf.subarray(0, bytesRead));
            pos += bytesRead;
          }
        } finally {
          await fh.close();
        }
      }),
      write: guard('writing', (data: Uint8Array, position: number) => w.write(data, position)),
      truncate: guard('writing', (length: number) => w.truncate(length)),
      commit: guard('storing', async () => {
        await w.sync();
        await w.close();
        await rename(tmp, cache.blobPath(etag));
        await cache.link(commit, key.file, etag);
        if (key.revision !== commit) await cache.writeRef(key.revision, commit).catch(() => {});
      }),
      async abort(keep) {
        await w.close().catch(() => {});
        if (
          !(
            keep &&
            (await rename(tmp, cache.parkedPath(etag)).then(
              () => true,
              () => false,
            ))
          )
        )
          await rm(tmp, { force: true }).catch(() => {});
      },
    };
  }

  const store: FileStore = {
    backend: 'disk',
    async get(key) {
      const commit = await commitOf(key);
      if (!commit) return undefined;
      const cache = repo(key.repoId);
      if (key.part === 'missing')
        return (await cache.isNoExist(commit, key.file)) ? { handle: empty(key), meta: meta(key, { kind: 'missing', commit }) } : undefined;
      if (key.part === 'info') {
        const m = await readRangeMeta(rangeCacheDir(cacheDir, key.repoId), commit, key.file);
        return m && { handle: empty(key), meta: meta(key, { ...m, kind: 'info', commit }) };
      }
      if (key.part !== undefined || (await cache.cachedSize(commit, key.file)) === undefined) return undefined;
      const pointer = cache.pointerPath(commit, key.file);
      const etag = await readlink(pointer).then(basename, () => undefined);
      const handle = await nodeFile(pointer);
      return { handle, meta: meta(key, { size: handle.size, commit, ...(etag ? { etag } : {}) }) };
    },
    async put(key, m) {
      if (key.part === undefined) return putFile(key, m);
      const commit = m.commit || (await commitOf(key));
      if (!commit || typeof key.part !== 'string')
        throw new MaskgenError(
          'INVALID_ARGUMENT',
          `the disk cache keeps ranges in a sparse file (ranges()), and records under a commit; got ${JSON.stringify(key.part)} at ${commit}`,
        );
      const record =
        key.part === 'missing'
          ? () => repo(key.repoId).markNoExist(commit, key.file)
          : () => writeRangeMeta(rangeCacheDir(cacheDir, key.repoId), commit, key.file, { etag: m.etag ?? '', size: m.size, lfs: m.lfs ?? false });
      return { resumeFrom: 0, replay: async () => {}, write: async () => {}, truncate: async () => {}, commit: record, abort: async () => {} };
    },
    has: async (key) => (await store.get(key)) !== undefined,
    async delete(key) {
      const commit = await commitOf(key);
      if (!commit) return;
      const base = repo(key.repoId).storage;
      const where =
        key.part === 'missing'
          ? join(base, '.no_exist', commit)
          : key.part === 'info'
            ? join(rangeCacheDir(cacheDir, key.repoId), 'meta', commit)
            : join(base, 'snapshots', commit);
      await rm(join(where, ...key.file.split('/')) + (key.part === 'info' ? '.json' : ''), { force: true });
    },
    async list() {
      const out: { key: EntryKey; meta: EntryMeta }[] = [];
      for (const d of await readdir(cacheDir).catch(() => [] as string[])) {
        const repoId = repoOfFolder(d);
        const snapshots = join(cacheDir, d, 'snapshots');
        for (const e of repoId ? await readdir(snapshots, { recursive: true, withFileTypes: true }).catch(() => []) : []) {
          if (e.isDirectory()) continue;
          const [commit, ...rest] = relative(snapshots, join(e.parentPath, e.name)).split(/[\\/]/);
          const hit = await store.get({ repoId: repoId!, revision: commit, file: rest.join('/') });
          if (hit) out.push({ key: { repoId: repoId!, revision: commit, file: rest.join('/') }, meta: hit.meta });
        }
      }
      return out;
    },
    ranges: (key, m) => new SparseRangeStore(rangeCacheDir(cacheDir, key.repoId), m.etag ?? '', m.size),
  };
  return store;
}
