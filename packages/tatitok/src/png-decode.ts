import { MaskgenError, decompress } from '@maskgen/core';
import type { ImageBytes } from './image-convert.js';

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Largest image accepted (pixels): a 2-GB RGBA buffer is a hostile file, not a photo. */
export const MAX_PNG_PIXELS = 100_000_000;

const bad = (msg: string) => new MaskgenError('INVALID_IMAGE', `PNG: ${msg}`);

let crcTable: Uint32Array | undefined;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Header { width: number; height: number; depth: number; color: number; interlace: number }

/** Splits a PNG into its header, palette and concatenated IDAT data, checking every CRC and bound. */
function readChunks(png: Uint8Array): { h: Header; palette?: Uint8Array; trns?: Uint8Array; idat: Uint8Array } {
  if (png.length < 8 || SIGNATURE.some((b, i) => png[i] !== b)) throw bad('not a PNG file (bad signature)');
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let h: Header | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let p = 8; ; ) {
    if (p + 12 > png.length) throw bad('truncated file (no IEND chunk)');
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...png.subarray(p + 4, p + 8));
    if (len > png.length - p - 12) throw bad(`truncated ${type} chunk`);
    const data = png.subarray(p + 8, p + 8 + len);
    if (crc32(png.subarray(p + 4, p + 8 + len)) !== dv.getUint32(p + 8 + len)) throw bad(`CRC mismatch in ${type} chunk (corrupt file)`);
    if (type === 'IHDR') {
      const d = new DataView(data.buffer, data.byteOffset, data.byteLength);
      h = { width: d.getUint32(0), height: d.getUint32(4), depth: data[8], color: data[9], interlace: data[12] };
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  if (!h) throw bad('missing IHDR chunk');
  const all = new Uint8Array(idat.reduce((s, c) => s + c.length, 0));
  let o = 0;
  for (const c of idat) {
    all.set(c, o);
    o += c.length;
  }
  return { h, palette, trns, idat: all };
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Undoes PNG's per-row filters in place (None, Sub, Up, Average, Paeth). */
function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number): Uint8Array {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? out.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp] : 0;
      const b = up[x];
      const c = x >= bpp ? up[x - bpp] : 0;
      let v = src[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw bad(`unknown filter type ${f} in row ${y}`);
      row[x] = v & 0xff;
    }
  }
  return out;
}

/**
 * Decodes an 8-bit, non-interlaced PNG (gray, gray+alpha, RGB, RGBA, palette) into RGB or RGBA
 * bytes, platform-neutrally. Anything else, and any corrupt or truncated file, is an INVALID_IMAGE
 * MaskgenError saying what was found — never a crash.
 */
export async function decodePng(png: Uint8Array): Promise<ImageBytes> {
  const { h, palette, trns, idat } = readChunks(png);
  if (h.width === 0 || h.height === 0) throw bad(`zero-sized image (${h.width}×${h.height})`);
  if (h.width * h.height > MAX_PNG_PIXELS) throw bad(`${h.width}×${h.height} exceeds the ${MAX_PNG_PIXELS}-pixel limit`);
  const ch = CHANNELS[h.color];
  if (!ch) throw bad(`unknown color type ${h.color}`);
  if (h.depth !== 8) throw bad(`bit depth ${h.depth} is not supported; expected 8-bit images`);
  if (h.interlace !== 0) throw bad('interlaced images are not supported; save the image without interlacing');
  if (h.color === 3 && !palette) throw bad('palette image without a PLTE chunk');
  const stride = h.width * ch;
  const raw = await decompress(idat, 'deflate', { what: 'PNG image data', code: 'INVALID_IMAGE', limit: h.height * (stride + 1) });
  if (raw.length !== h.height * (stride + 1)) throw bad(`image data holds ${raw.length} bytes, expected ${h.height * (stride + 1)} (truncated or corrupt)`);
  const px = unfilter(raw, h.height, stride, ch);
  const n = h.width * h.height;
  const alpha = h.color === 4 || h.color === 6 || (h.color === 3 && !!trns);
  const out = new Uint8Array(n * (alpha ? 4 : 3));
  const k = alpha ? 4 : 3;
  for (let i = 0; i < n; i++) {
    let r: number, g: number, b: number, a = 255;
    if (h.color === 0 || h.color === 4) r = g = b = px[i * ch];
    else if (h.color === 3) {
      const idx = px[i];
      if (idx * 3 + 2 >= palette!.length) throw bad(`palette index ${idx} outside the ${palette!.length / 3}-entry palette`);
      [r, g, b] = [palette![idx * 3], palette![idx * 3 + 1], palette![idx * 3 + 2]];
      if (trns) a = idx < trns.length ? trns[idx] : 255;
    } else [r, g, b] = [px[i * ch], px[i * ch + 1], px[i * ch + 2]];
    if (h.color === 4) a = px[i * ch + 1];
    if (h.color === 6) a = px[i * ch + 3];
    out[i * k] = r;
    out[i * k + 1] = g;
    out[i * k + 2] = b;
    if (alpha) out[i * k + 3] = a;
  }
  return { width: h.width, height: h.height, channels: alpha ? 4 : 3, data: out };
}
