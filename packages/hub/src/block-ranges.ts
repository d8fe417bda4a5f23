import type { EntryKey, EntryMeta, FileStore, RangeStore } from './file-store.js';
import { putBytes } from './file-store.js';

/**
 * The range cache over any store's entries: the file is cut in fixed-size blocks, each stored as its
 * own entry once its bytes are complete, so only the blocks read (CLIP's text tower) are kept, and a
 * reload or an offline page reads them with no request. Stores without a sparse file use this.
 */
export function blockRanges(store: FileStore, key: EntryKey, meta: EntryMeta, block: number): RangeStore {
  const pending: { pos: number; data: Uint8Array }[] = [];
  const size = meta.size;
  const blocks = (start: number, end: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let b = Math.floor(start / block) * block; b < end; b += block) out.push([b, Math.min(size, b + block)]);
    return out;
  };
  const at = (a: number, b: number): EntryKey => ({ repoId: key.repoId, revision: key.revision, file: key.file, part: [a, b] });
  return {
    async missing(start, end) {
      const gaps: [number, number][] = [];
      for (const [a, b] of blocks(start, end)) {
        if (await store.has(at(a, b))) continue;
        const last = gaps[gaps.length - 1];
        if (last && last[1] === a) last[1] = b;
        else gaps.push([a, b]);
      }
      return gaps;
    },
    async write(position, data) {
      pending.push({ pos: position, data: data.slice() });
    },
    /** Stores the blocks of [start, end) from the bytes written since the last commit. */
    async commit(start, end) {
      const bytes = new Uint8Array(end - start);
      for (let i = pending.length - 1; i >= 0; i--) {
        const { pos, data } = pending[i];
        if (pos < start || pos + data.byteLength > end) continue; // another read's range, still in flight
        bytes.set(data, pos - start);
        pending.splice(i, 1);
      }
      for (const [a, b] of blocks(start, end)) {
        await putBytes(store, at(a, b), { ...meta, kind: 'range', start: a, end: b, storedAt: Date.now() }, bytes.subarray(a - start, b - start));
      }
    },
    async read(offset, length) {
      const out = new Uint8Array(length);
      for (const [a, b] of blocks(offset, offset + length)) {
        const hit = await store.get(at(a, b));
        if (!hit) throw new Error(`block ${a}-${b} of ${key.file} vanished from the ${store.backend} store while being read`);
        const from = Math.max(offset, a);
        const to = Math.min(offset + length, b);
        out.set(await hit.handle.read(from - a, to - from), from - offset);
      }
      return out;
    },
    async close() {},
  };
}
