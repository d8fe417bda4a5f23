import { MaskgenError, quote } from '@maskgen/core';
import type { ImageBytes } from './image-convert.js';

/** Resampling filter of `resizeAndCenterCrop` (PIL's BICUBIC or BILINEAR). */
export type ResizeFilter = 'bicubic' | 'bilinear';

/** PIL's filters (libImaging/Resample.c): Keys cubic with a = −0.5 (support 2), triangle (support 1). */
const FILTERS: Record<ResizeFilter, { support: number; f: (x: number) => number }> = {
  bicubic: {
    support: 2,
    f: (x) => {
      const t = Math.abs(x);
      if (t < 1) return (1.5 * t - 2.5) * t * t + 1;
      return t < 2 ? (((t - 5) * t + 8) * t - 4) * -0.5 : 0;
    },
  },
  bilinear: { support: 1, f: (x) => Math.max(0, 1 - Math.abs(x)) },
};

/** PIL's fixed-point precision for 8-bit images: coefficients are integers scaled by 2^22. */
const ONE = 2 ** 22;

interface Taps {
  start: Int32Array;
  count: Int32Array;
  k: Int32Array;
  size: number;
}

/**
 * Fixed-point taps of outputs [first, first + n) of an `inSize` → `outSize` resize, computed as PIL
 * does (antialiased support, taps rounded to the nearest source index, normalised, then quantised).
 */
function taps(inSize: number, outSize: number, filter: ResizeFilter, first: number, n: number): Taps {
  const { support: base, f } = FILTERS[filter];
  const scale = inSize / outSize;
  const fscale = Math.max(1, scale);
  const support = base * fscale;
  const size = Math.ceil(support) * 2 + 1;
  const t: Taps = { start: new Int32Array(n), count: new Int32Array(n), k: new Int32Array(n * size), size };
  const w = new Float64Array(size);
  for (let o = 0; o < n; o++) {
    const center = (first + o + 0.5) * scale;
    const lo = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - lo;
    let sum = 0;
    for (let i = 0; i < count; i++) sum += w[i] = f((i + lo - center + 0.5) / fscale);
    for (let i = 0; i < count; i++) {
      const v = sum !== 0 ? w[i] / sum : w[i];
      t.k[o * size + i] = Math.trunc(v < 0 ? v * ONE - 0.5 : v * ONE + 0.5);
    }
    t.start[o] = lo;
    t.count[o] = count;
  }
  return t;
}

/** One separable pass over 8-bit pixels, with PIL's rounding (+2^21) and clamp to 0..255. */
function pass(
  src: Uint8Array,
  C: number,
  t: Taps,
  outer: number,
  step: number,
  outerStep: number,
  at: (o: number, j: number) => number,
  dst: Uint8Array,
): void {
  for (let j = 0; j < outer; j++)
    for (let o = 0; o < t.start.length; o++)
      for (let c = 0; c < C; c++) {
        let s = ONE / 2;
        const base = j * outerStep + t.start[o] * step + c;
        for (let i = 0; i < t.count[o]; i++) s += src[base + i * step] * t.k[o * t.size + i];
        dst[at(o, j) + c] = Math.min(255, Math.max(0, Math.floor(s / ONE)));
      }
}

/** Python's round() of d / 2 (half to even), as torchvision's CenterCrop places the crop. */
const cropOffset = (d: number) => (d % 2 === 0 ? d / 2 : ((d - 1) / 2) % 2 === 0 ? (d - 1) / 2 : (d + 1) / 2);

/**
 * Resizes the shorter side to `size` and center-crops to size×size, reproducing the reference's eval
 * transform `Resize(size, BICUBIC, antialias=True)` + `CenterCrop(size)` on a PIL image byte for
 * byte: torchvision's output size (longer side truncated), PIL's two-pass fixed-point resampling
 * (horizontal first, 8-bit intermediate, a pass skipped when its size is unchanged) and the
 * half-to-even crop offset. Channels are resampled independently, so RGBA is treated like the
 * reference's `convert('RGB')` (alpha dropped, not premultiplied) for the colour channels.
 */
export function resizeAndCenterCrop(img: ImageBytes, size: number, opts: { filter?: ResizeFilter } = {}): ImageBytes {
  const { width: W, height: H, channels: C } = img;
  const filter = opts.filter ?? 'bicubic';
  if (!Number.isInteger(size) || size <= 0) throw new MaskgenError('INVALID_ARGUMENT', `size: expected a positive integer, got ${quote(size)}`);
  if (!(filter in FILTERS)) throw new MaskgenError('INVALID_ARGUMENT', `filter: expected "bicubic" or "bilinear", got ${quote(filter)}`);
  if (!(W > 0 && H > 0) || (C !== 3 && C !== 4) || img.data.length !== W * H * C) {
    throw new MaskgenError('INVALID_IMAGE', `image: ${quote([W, H, C])} (width, height, channels 3|4) does not match ${img.data.length} bytes`);
  }
  const rw = W <= H ? size : Math.trunc((size * W) / H);
  const rh = W <= H ? Math.trunc((size * H) / W) : size;
  const left = cropOffset(rw - size);
  const top = cropOffset(rh - size);
  // Horizontal pass over only the rows the cropped vertical taps read, for only the cropped columns.
  const vt = rh !== H ? taps(H, rh, filter, top, size) : undefined;
  const y0 = vt ? vt.start[0] : top;
  const y1 = vt ? vt.start[size - 1] + vt.count[size - 1] : top + size;
  const rows = y1 - y0;
  let mid: Uint8Array;
  let midW: number;
  if (rw !== W) {
    mid = new Uint8Array(rows * size * C);
    midW = size;
    const ht = taps(W, rw, filter, left, size);
    pass(img.data.subarray(y0 * W * C), C, ht, rows, C, W * C, (o, j) => (j * size + o) * C, mid);
  } else {
    mid = img.data.subarray(y0 * W * C, y1 * W * C);
    midW = W;
  }
  const xOff = rw !== W ? 0 : left;
  const out = new Uint8Array(size * size * C);
  if (vt) {
    const shifted: Taps = { ...vt, start: vt.start.map((s) => s - y0) };
    pass(mid.subarray(xOff * C), C, shifted, size, midW * C, C, (o, j) => (o * size + j) * C, out);
  } else {
    for (let y = 0; y < size; y++) out.set(mid.subarray((y * midW + xOff) * C, (y * midW + xOff + size) * C), y * size * C);
  }
  return { width: size, height: size, channels: C, data: out };
}
