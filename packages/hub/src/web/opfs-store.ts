import { blockRanges } from '../block-ranges.js';
import { type EntryMeta, type FileStore, keyString, parseKey } from '../file-store.js';
import { blobFile } from './blob-file.js';

/** The folder of the origin-private file system that holds MaskGen.js files. */
export const OPFS_DIR = 'maskgen-hub';

type DirWithKeys = FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };

const isNotFound = (e: unknown) => (e as { name?: string })?.name === 'NotFoundError';

/**
 * The origin-private file system (`navigator.storage.getDirectory()`): downloads stream straight into
 * a writable (a swap file the browser swaps in on close, so a large weight file never sits in one
 * ArrayBuffer and a half-written one is never visible), and are read back as disk-backed File blobs.
 * Each entry is a data file plus a small `.meta` JSON written after it (an entry without meta is
 * incomplete and ignored).
 */
export function opfsStore(root: () => Promise<FileSystemDirectoryHandle>): FileStore {
  const dir = async () => (await root()).getDirectoryHandle(OPFS_DIR, { create: true });
  const name = (key: string) => encodeURIComponent(key);
  const remove = async (d: FileSystemDirectoryHandle, n: string) => {
    await d.removeEntry(n).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
  };
  async function readMeta(d: FileSystemDirectoryHandle, n: string): Promise<EntryMeta | undefined> {
    try {
      return JSON.parse(await (await (await d.getFileHandle(`${n}.meta`)).getFile()).text()) as EntryMeta;
    } catch (e) {
      if (isNotFound(e) || e instanceof SyntaxError) return undefined;
      throw e;
    }
  }
  const store: FileStore = {
    backend: 'opfs',
    async get(key) {
      const d = await dir();
      const meta = await readMeta(d, name(keyString(key)));
      if (!meta) return undefined;
      try {
        return { handle: blobFile(await (await d.getFileHandle(name(keyString(key)))).getFile(), `${key.repoId}/${key.file}`), meta };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async put(key, meta) {
      const d = await dir();
      const n = name(keyString(key));
      await remove(d, `${n}.meta`);
      const w = await (await d.getFileHandle(n, { create: true })).createWritable({ keepExistingData: false });
      return {
        resumeFrom: 0,
        replay: async () => {},
        write: (data, position) => w.write({ type: 'write', position, data: data as Uint8Array<ArrayBuffer> }),
        truncate: (length) => w.truncate(length),
        async commit() {
          await w.close();
          const m = await (await d.getFileHandle(`${n}.meta`, { create: true })).createWritable();
          await m.write(JSON.stringify(meta));
          await m.close();
        },
        async abort() {
          await w.abort().catch(() => {});
          await remove(d, n).catch(() => {});
        },
      };
    },
    has: async (key) => (await readMeta(await dir(), name(keyString(key)))) !== undefined,
    async delete(key) {
      const d = await dir();
      await remove(d, `${name(keyString(key))}.meta`);
      await remove(d, name(keyString(key)));
    },
    async list() {
      const d = (await dir()) as DirWithKeys;
      const out: { key: NonNullable<ReturnType<typeof parseKey>>; meta: EntryMeta }[] = [];
      for await (const n of d.keys()) {
        if (!n.endsWith('.meta')) continue;
        const meta = await readMeta(d, n.slice(0, -5));
        const key = parseKey(decodeURIComponent(n.slice(0, -5)));
        if (meta && key) out.push({ key, meta });
      }
      return out;
    },
    ranges: (key, meta, block) => blockRanges(store, key, meta, block),
  };
  return store;
}
