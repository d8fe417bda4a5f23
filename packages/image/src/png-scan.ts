import { MaskgenError, crc32 } from '@maskgen/core';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/** The IHDR fields the limits need. */
export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  color: number;
  interlace: number;
}

const bad = (msg: string) => new MaskgenError('INVALID_IMAGE', `PNG: ${msg}`);

/**
 * Walks a PNG's chunks without decoding pixels: signature, bounds and CRC of every chunk, a valid
 * IHDR first, PLTE present for palette images, IEND present. Returns the header and the
 * concatenated IDAT data so the caller can bound decompression before any decoder allocates, and
 * the PLTE/tRNS chunks for the images decoded without fast-png (sub-byte Adam7).
 */
export function scanPng(png: Uint8Array): { header: PngHeader; idat: Uint8Array; plte?: Uint8Array; trns?: Uint8Array } {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw bad('not a PNG file (bad signature)');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let h: PngHeader | undefined;
  let plte: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let p = 8; ; ) {
    if (p + 12 > png.length) throw bad('truncated file (no IEND chunk)');
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    if (len > png.length - p - 12) throw bad(`truncated ${type} chunk`);
    const data = png.subarray(p + 8, p + 8 + len);
    if (crc32(png.subarray(p + 4, p + 8 + len)) !== dv.getUint32(p + 8 + len)) throw bad(`CRC mismatch in ${type} chunk (corrupt file)`);
    if (p === 8 && type !== 'IHDR') throw bad(`first chunk is ${type}, expected IHDR`);
    if (type === 'IHDR') {
      if (len !== 13) throw bad(`IHDR chunk holds ${len} bytes, expected 13`);
      const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
      h = { width: d.getUint32(0), height: d.getUint32(4), depth: data[8], color: data[9], interlace: data[12] };
    } else if (type === 'PLTE') plte = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (!h) throw bad('missing IHDR chunk');
  if (!CHANNELS[h.color]) throw bad(`unknown color type ${h.color}`);
  if (!DEPTHS[h.color].includes(h.depth))
    throw bad(`bit depth ${h.depth} is not valid for color type ${h.color}; expected one of ${DEPTHS[h.color].join(', ')}`);
  if (h.interlace > 1) throw bad(`unknown interlace method ${h.interlace}`);
  if (h.color === 3 && !plte) throw bad('palette image without a PLTE chunk');
  const all = new Uint8Array(idat.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of idat) {
    all.set(c, o);
    o += c.length;
  }
  return { header: h, idat: all, plte, trns };
}

/** Adam7's seven passes: first column and row, then column and row steps. */
export const ADAM7_PASSES = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** Bytes the IDAT stream must inflate to (filter byte per row; Adam7's seven passes when interlaced). */
export function inflatedSize(h: PngHeader): number {
  const bits = CHANNELS[h.color] * h.depth;
  const rows = (w: number, n: number) => (w > 0 && n > 0 ? n * (1 + Math.ceil((w * bits) / 8)) : 0);
  if (h.interlace === 0) return rows(h.width, h.height);
  return ADAM7_PASSES.reduce((s, [x0, y0, dx, dy]) => s + rows(Math.ceil((h.width - x0) / dx), Math.ceil((h.height - y0) / dy)), 0);
}
