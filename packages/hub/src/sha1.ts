import { BlockHash, loadWords } from './block-hash.js';

/**
 * Incremental SHA-1, for the git blob ids that name the hub's small (non-LFS) files. WebCrypto only
 * hashes whole buffers; this verifies a download chunk by chunk as it streams, like the sha256 of LFS files.
 */
export class Sha1 extends BlockHash {
  private readonly w = new Uint32Array(80);

  constructor() {
    super(new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]));
  }

  protected compress(b: Uint8Array, o: number): void {
    const w = this.w;
    loadWords(w, b, o);
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
