import { MaskgenError, quote } from '@maskgen/core';
import type { ImageBytes } from './image-convert.js';

/** Per output index: the source indices and normalised triangle-filter weights along one axis. */
function weights(inSize: number, outSize: number, offset: number, scale: number): { start: number; w: Float64Array }[] {
  const support = Math.max(1, scale);
  return Array.from({ length: outSize }, (_, o) => {
    const center = (o + offset + 0.5) * scale;
    const start = Math.max(0, Math.floor(center - support));
    const end = Math.min(inSize, Math.ceil(center + support));
    const w = new Float64Array(Math.max(0, end - start));
    let sum = 0;
    for (let i = start; i < end; i++) {
      const t = Math.max(0, 1 - Math.abs((i + 0.5 - center) / support));
      w[i - start] = t;
      sum += t;
    }
    if (sum > 0) for (let i = 0; i < w.length; i++) w[i] /= sum;
    return { start, w };
  });
}

/**
 * Resizes the shorter side to `size` and center-crops to size×size, with an antialiased triangle
 * (bilinear) filter like PIL's `Image.resize(BILINEAR)` — the usual preparation for TA-TiTok's
 * square inputs. Known divergence: PIL works in fixed point, so values may differ by ±1.
 */
export function resizeAndCenterCrop(img: ImageBytes, size: number): ImageBytes {
  const { width: W, height: H, channels: C } = img;
  if (!Number.isInteger(size) || size <= 0) throw new MaskgenError('INVALID_ARGUMENT', `size: expected a positive integer, got ${quote(size)}`);
  if (W <= 0 || H <= 0 || img.data.length !== W * H * C) throw new MaskgenError('INVALID_IMAGE', `image: ${W}×${H}×${C} does not match ${img.data.length} bytes`);
  const scale = Math.min(W, H) / size;
  const rw = Math.max(size, Math.round(W / scale));
  const rh = Math.max(size, Math.round(H / scale));
  const ox = Math.floor((rw - size) / 2);
  const oy = Math.floor((rh - size) / 2);
  const xs = weights(W, size, ox, W / rw);
  const ys = weights(H, size, oy, H / rh);
  const tmp = new Float64Array(H * size * C);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < size; x++) {
      const { start, w } = xs[x];
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = 0; i < w.length; i++) s += w[i] * img.data[(y * W + start + i) * C + c];
        tmp[(y * size + x) * C + c] = s;
      }
    }
  const out = new Uint8Array(size * size * C);
  for (let y = 0; y < size; y++) {
    const { start, w } = ys[y];
    for (let x = 0; x < size; x++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let i = 0; i < w.length; i++) s += w[i] * tmp[((start + i) * size + x) * C + c];
        out[(y * size + x) * C + c] = Math.min(255, Math.max(0, Math.round(s)));
      }
  }
  return { width: size, height: size, channels: C, data: out };
}
