/**
 * Incremental SHA-1, for the git blob ids that name the hub's small (non-LFS) files. WebCrypto only
 * hashes whole buffers; this verifies a download chunk by chunk as it streams, like the sha256 of LFS files.
 */
export class Sha1 {
  private readonly h = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
  private readonly block = new Uint8Array(64);
  private readonly w = new Uint32Array(80);
  private fill = 0;
  private length = 0;

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

  /** Finishes and returns the lowercase hex digest (the form of git blob ids). */
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

  private compress(b: Uint8Array, o: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) w[t] = (b[o + 4 * t] << 24) | (b[o + 4 * t + 1] << 16) | (b[o + 4 * t + 2] << 8) | b[o + 4 * t + 3];
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let [a, bb, c, d, e] = this.h;
    for (let t = 0; t < 80; t++) {
      const f = t < 20 ? (bb & c) | (~bb & d) : t < 40 ? bb ^ c ^ d : t < 60 ? (bb & c) | (bb & d) | (c & d) : bb ^ c ^ d;
      const k = t < 20 ? 0x5a827999 : t < 40 ? 0x6ed9eba1 : t < 60 ? 0x8f1bbcdc : 0xca62c1d6;
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    const H = this.h;
    H[0] += a;
    H[1] += bb;
    H[2] += c;
    H[3] += d;
    H[4] += e;
  }
}
