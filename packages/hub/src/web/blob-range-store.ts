import type { RangeStore } from '../remote-file.js';
import type { EntryMeta } from './blob-store.js';
import type { FallbackStore } from './store-select.js';

/**
 * The shared range reader's store over browser entries: the file is cut in fixed-size blocks, each
 * stored as its own Blob entry once its bytes are complete, so only the blocks read (CLIP's text tower)
 * are kept, and a reload or an offline page reads them with no request.
 */
export class BlobRangeStore implements RangeStore {
  private readonly pending: { pos: number; data: Uint8Array }[] = [];

  constructor(
    private readonly store: FallbackStore,
    private readonly key: (start: number, end: number) => string,
    private readonly meta: (start: number, end: number) => EntryMeta,
    readonly size: number,
    readonly block: number,
  ) {}

  private blocks(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    for (let b = Math.floor(start / this.block) * this.block; b < end; b += this.block) out.push([b, Math.min(this.size, b + this.block)]);
    return out;
  }

  async missing(start: number, end: number): Promise<[number, number][]> {
    const gaps: [number, number][] = [];
    for (const [a, b] of this.blocks(start, end)) {
      if (await this.store.get(this.key(a, b))) continue;
      const last = gaps[gaps.length - 1];
      if (last && last[1] === a) last[1] = b;
      else gaps.push([a, b]);
    }
    return gaps;
  }

  async write(position: number, data: Uint8Array): Promise<void> {
    this.pending.push({ pos: position, data: data.slice() });
  }

  /** Stores the blocks of [start, end) from the bytes written since the last commit. */
  async commit(start: number, end: number): Promise<void> {
    const bytes = new Uint8Array(end - start);
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const { pos, data } = this.pending[i];
      if (pos < start || pos + data.byteLength > end) continue; // another read's range, still in flight
      bytes.set(data, pos - start);
      this.pending.splice(i, 1);
    }
    for (const [a, b] of this.blocks(start, end)) await this.store.put(this.key(a, b), new Blob([bytes.subarray(a - start, b - start) as BlobPart]), this.meta(a, b));
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (const [a, b] of this.blocks(offset, offset + length)) {
      const hit = await this.store.get(this.key(a, b));
      if (!hit) throw new Error(`block ${a}-${b} vanished from the browser cache while being read`);
      const from = Math.max(offset, a);
      const to = Math.min(offset + length, b);
      out.set(new Uint8Array(await hit.blob.slice(from - a, to - a).arrayBuffer()), from - offset);
    }
    return out;
  }

  async close(): Promise<void> {}
}
