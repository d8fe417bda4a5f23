import type { BlobStore, EntryMeta } from './blob-store.js';

/** The folder of the origin-private file system that holds MaskGen.js files. */
export const OPFS_DIR = 'maskgen-hub';

type DirWithKeys = FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };

const isNotFound = (e: unknown) => (e as { name?: string })?.name === 'NotFoundError';

/**
 * The origin-private file system (`navigator.storage.getDirectory()`): files written as streams, so a
 * large weight file never has to sit in one ArrayBuffer, and read back as disk-backed File blobs.
 * Each entry is a data file plus a small `.meta` JSON written after it (an entry without meta is
 * incomplete and ignored), so an interrupted write never looks like a cached file.
 */
export function opfsStore(root: () => Promise<FileSystemDirectoryHandle>): BlobStore {
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
  async function write(d: FileSystemDirectoryHandle, n: string, data: Blob | string): Promise<void> {
    const w = await (await d.getFileHandle(n, { create: true })).createWritable();
    try {
      await w.write(data);
      await w.close();
    } catch (e) {
      await w.abort().catch(() => {});
      throw e;
    }
  }
  return {
    backend: 'opfs',
    async get(key) {
      const d = await dir();
      const meta = await readMeta(d, name(key));
      if (!meta) return undefined;
      try {
        return { blob: await (await d.getFileHandle(name(key))).getFile(), meta };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async put(key, blob, meta) {
      const d = await dir();
      const n = name(key);
      await remove(d, `${n}.meta`);
      try {
        await write(d, n, blob);
        await write(d, `${n}.meta`, JSON.stringify(meta));
      } catch (e) {
        await remove(d, n).catch(() => {});
        await remove(d, `${n}.meta`).catch(() => {});
        throw e;
      }
    },
    async delete(key) {
      const d = await dir();
      await remove(d, `${name(key)}.meta`);
      await remove(d, name(key));
    },
    async list() {
      const d = (await dir()) as DirWithKeys;
      const out: { key: string; meta: EntryMeta }[] = [];
      for await (const n of d.keys()) {
        if (!n.endsWith('.meta')) continue;
        const meta = await readMeta(d, n.slice(0, -5));
        if (meta) out.push({ key: decodeURIComponent(n.slice(0, -5)), meta });
      }
      return out;
    },
  };
}
