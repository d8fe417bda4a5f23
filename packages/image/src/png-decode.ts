import { MaskgenError, decompress } from '@maskgen/core';
import { decode as fastPngDecode } from 'fast-png';
import { MAX_IMAGE_PIXELS, type PixelImage } from './pixel-image.js';
import { deinterlaceSubByte, paletteOf } from './png-adam7.js';
import { inflatedSize, scanPng } from './png-scan.js';
import { toPixelImage } from './png-samples.js';

/** @deprecated alias kept for `@maskgen/tatitok` users: the pixel limit applies to every format. */
export const MAX_PNG_PIXELS = MAX_IMAGE_PIXELS;

const bad = (msg: string, cause?: unknown) => new MaskgenError('INVALID_IMAGE', `PNG: ${msg}`, cause === undefined ? undefined : { cause });

/**
 * Decodes any standard PNG — gray, gray+alpha, RGB, RGBA, palette; 1, 2, 4, 8 and 16 bits;
 * interlaced or not — into 8-bit RGB or RGBA, platform-neutrally (fast-png decodes; interlaced 1/2/4-bit
 * images, which fast-png 8 mis-reads, are de-interlaced by `deinterlaceSubByte`).
 * Before fast-png sees the file, it is checked here: signature, every chunk's bounds and CRC, the
 * pixel limit, and the image data inflating to exactly the size the header implies (bombs stop at
 * that size). Any bad file is an INVALID_IMAGE MaskgenError saying what was found, never a crash.
 */
export async function decodePng(png: Uint8Array): Promise<PixelImage> {
  const { header: h, idat, plte, trns } = scanPng(png);
  if (h.width === 0 || h.height === 0) throw bad(`zero-sized image (${h.width}×${h.height})`);
  if (h.width * h.height > MAX_IMAGE_PIXELS) throw bad(`${h.width}×${h.height} exceeds the ${MAX_IMAGE_PIXELS}-pixel limit`);
  const expected = inflatedSize(h);
  const raw = await decompress(idat, 'deflate', { what: 'PNG image data', code: 'INVALID_IMAGE', limit: expected });
  if (raw.length !== expected) throw bad(`image data holds ${raw.length} bytes, expected ${expected} (truncated or corrupt)`);
  if (h.interlace === 1 && h.depth < 8) {
    // fast-png 8 de-interlaces sub-byte samples as if they were whole bytes: those are done here.
    const palette = h.color === 3 && plte ? paletteOf(plte, trns, bad) : undefined;
    const data = deinterlaceSubByte(raw, h, 1, bad);
    return toPixelImage({ width: h.width, height: h.height, depth: h.depth, channels: 1, data, palette }, bad);
  }
  let decoded: ReturnType<typeof fastPngDecode>;
  try {
    decoded = fastPngDecode(png);
  } catch (e) {
    throw bad((e as Error).message, e);
  }
  return toPixelImage(decoded, bad);
}
