import type { MaskgenError } from '@maskgen/core';
import { ADAM7_PASSES, type PngHeader } from './png-scan.js';

/**
 * Undoes one scanline's PNG filter in place. Sub-byte pixels make the filter's unit one byte;
 * `prev` is the previous unfiltered line of the same pass (zeros for a pass's first line).
 */
function unfilter(type: number, line: Uint8Array, prev: Uint8Array, bad: (msg: string) => MaskgenError): void {
  if (type === 0) return;
  if (type > 4) throw bad(`unknown filter type ${type}`);
  for (let i = 0; i < line.length; i++) {
    const a = i > 0 ? line[i - 1] : 0;
    const b = prev[i];
    const c = i > 0 ? prev[i - 1] : 0;
    let pred = a; // 1: Sub
    if (type === 2) pred = b;
    else if (type === 3) pred = (a + b) >> 1;
    else if (type === 4) {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    line[i] = (line[i] + pred) & 0xff;
  }
}

/**
 * De-interlaces Adam7 image data of 1-, 2- and 4-bit samples (fast-png 8 moves whole bytes there,
 * which scrambles sub-byte pixels). `raw` is the inflated IDAT stream, already checked to have the
 * size the header implies; the result is the non-interlaced packed rows (no filter bytes), the
 * layout fast-png returns for non-interlaced sub-byte images.
 */
export function deinterlaceSubByte(raw: Uint8Array, h: PngHeader, channels: number, bad: (msg: string) => MaskgenError): Uint8Array {
  const bits = channels * h.depth;
  const mask = (1 << bits) - 1;
  const rowBytes = Math.ceil((h.width * bits) / 8);
  const out = new Uint8Array(rowBytes * h.height);
  let o = 0;
  for (const [x0, y0, dx, dy] of ADAM7_PASSES) {
    const pw = Math.ceil((h.width - x0) / dx);
    const ph = Math.ceil((h.height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const lineBytes = Math.ceil((pw * bits) / 8);
    let prev = new Uint8Array(lineBytes);
    for (let j = 0; j < ph; j++) {
      const line = raw.slice(o + 1, o + 1 + lineBytes);
      unfilter(raw[o], line, prev, bad);
      o += 1 + lineBytes;
      const y = y0 + j * dy;
      for (let i = 0; i < pw; i++) {
        const v = (line[(i * bits) >> 3] >> (8 - bits - ((i * bits) & 7))) & mask;
        const bit = (x0 + i * dx) * bits;
        out[y * rowBytes + (bit >> 3)] |= v << (8 - bits - (bit & 7));
      }
      prev = line;
    }
  }
  return out;
}

/** fast-png's palette shape from PLTE and tRNS: [r, g, b] entries, each given its alpha (255 past tRNS's end) when tRNS exists. */
export function paletteOf(plte: Uint8Array, trns: Uint8Array | undefined, bad: (msg: string) => MaskgenError): number[][] {
  if (plte.length % 3 !== 0) throw bad(`PLTE chunk holds ${plte.length} bytes, not a multiple of 3`);
  const n = plte.length / 3;
  if (trns && trns.length > n) throw bad(`tRNS chunk holds ${trns.length} alpha values for a ${n}-entry palette`);
  return Array.from({ length: n }, (_, i) => {
    const e = [plte[3 * i], plte[3 * i + 1], plte[3 * i + 2]];
    return trns ? [...e, trns[i] ?? 255] : e;
  });
}
