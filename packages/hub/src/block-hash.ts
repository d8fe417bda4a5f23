/**
 * The streaming half shared by SHA-1 and SHA-256 (both Merkle–Damgård over 64-byte blocks with a
 * big-endian bit length): buffering partial blocks across `update` calls and the final padding.
 * WebCrypto only hashes whole buffers; downloads are verified chunk by chunk as they stream in,
 * without holding a second copy of a gigabyte file. Subclasses supply the state and the compression.
 */
export abstract class BlockHash {
  private readonly block = new Uint8Array(64);
  private fill = 0;
  private length = 0;

  protected constructor(protected readonly h: Uint32Array) {}

  /** Mixes one 64-byte block at `o` of `b` into `h`. */
  protected abstract compress(b: Uint8Array, o: number): void;

  update(data: Uint8Array): this {
    this.length += data.byteLength;
    let i = 0;
    if (this.fill > 0) {
      const n = Math.min(64 - this.fill, data.byteLength);
      this.block.set(data.subarray(0, n), this.fill);
      this.fill += n;
      i = n;
      if (this.fill < 64) return this;
      this.compress(this.block, 0);
      this.fill = 0;
    }
    for (; i + 64 <= data.byteLength; i += 64) this.compress(data, i);
    this.block.set(data.subarray(i), 0);
    this.fill = data.byteLength - i;
    return this;
  }

  /** Finishes and returns the lowercase hex digest (the form of git blob ids and LFS ETags). */
  hex(): string {
    const bits = this.length * 8;
    const tail = new Uint8Array(this.fill < 56 ? 64 : 128);
    tail.set(this.block.subarray(0, this.fill));
    tail[this.fill] = 0x80;
    const v = new DataView(tail.buffer);
    v.setUint32(tail.byteLength - 8, Math.floor(bits / 2 ** 32));
    v.setUint32(tail.byteLength - 4, bits >>> 0);
    for (let o = 0; o < tail.byteLength; o += 64) this.compress(tail, o);
    return Array.from(this.h, (x) => x.toString(16).padStart(8, '0')).join('');
  }
}

/** Reads 16 big-endian words of the block at `o` into the start of `w`. */
export function loadWords(w: Uint32Array, b: Uint8Array, o: number): void {
  for (let t = 0; t < 16; t++) w[t] = (b[o + 4 * t] << 24) | (b[o + 4 * t + 1] << 16) | (b[o + 4 * t + 2] << 8) | b[o + 4 * t + 3];
}
