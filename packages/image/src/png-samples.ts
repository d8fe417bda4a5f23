import type { MaskgenError } from '@maskgen/core';
import type { PixelImage } from './pixel-image.js';

/** The samples `toPixelImage` reads: fast-png's decoded image, or the sub-byte Adam7 path's (png-adam7.ts). */
export interface PngSamples {
  width: number;
  height: number;
  depth: number;
  channels: number;
  data: ArrayLike<number>;
  palette?: readonly (readonly number[])[];
}

/**
 * Turns fast-png's samples (packed below 8 bits, 16-bit words above) into 8-bit RGB/RGBA the way
 * PIL's `convert('RGB'/'RGBA')` reads them: sub-byte gray is scaled to 0..255 (×255, ×85, ×17),
 * 16-bit samples keep their high byte, palette indices are looked up and a palette's tRNS gives alpha.
 * Gray and RGB colour keys (tRNS) are ignored, as PIL's RGB conversion does.
 */
export function toPixelImage(png: PngSamples, bad: (msg: string) => MaskgenError): PixelImage {
  const { width, height, depth, channels } = png;
  const n = width * height;
  const palette = png.palette;
  const paletteAlpha = !!palette && palette.some((e) => e.length === 4); // fast-png appends tRNS alpha to entries
  const alpha = channels === 2 || channels === 4 || paletteAlpha;
  const k = alpha ? 4 : 3;
  const out = new Uint8Array(n * k);
  const src = png.data;
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const sample = (x: number, y: number, c: number): number => {
    if (depth === 8) return src[(y * width + x) * channels + c];
    if (depth === 16) return src[(y * width + x) * channels + c] >> 8;
    const bit = (x * channels + c) * depth;
    return (src[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
  };
  const scale = palette ? 1 : depth === 1 ? 255 : depth === 2 ? 85 : depth === 4 ? 17 : 1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      let r: number;
      let g: number;
      let b: number;
      let a = 255;
      if (palette) {
        const idx = sample(x, y, 0);
        if (idx >= palette.length) throw bad(`palette index ${idx} outside the ${palette.length}-entry palette`);
        [r, g, b, a = 255] = palette[idx];
      } else if (channels <= 2) {
        r = g = b = sample(x, y, 0) * scale;
        if (channels === 2) a = sample(x, y, 1);
      } else {
        [r, g, b] = [sample(x, y, 0), sample(x, y, 1), sample(x, y, 2)];
        if (channels === 4) a = sample(x, y, 3);
      }
      out[i * k] = r;
      out[i * k + 1] = g;
      out[i * k + 2] = b;
      if (alpha) out[i * k + 3] = a;
    }
  }
  return { width, height, channels: alpha ? 4 : 3, data: out };
}
