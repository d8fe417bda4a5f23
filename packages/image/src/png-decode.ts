import { MaskgenError, decompress } from '@maskgen/core';
import { decode as fastPngDecode } from 'fast-png';
import { MAX_IMAGE_PIXELS, type PixelImage } from './pixel-image.js';
import { inflatedSize, scanPng } from './png-scan.js';
import { toPixelImage } from './png-samples.js';

/** @deprecated alias kept for `@maskgen/tatitok` users: the pixel limit applies to every format. */
export const MAX_PNG_PIXELS = MAX_IMAGE_PIXELS;

const bad = (msg: string, cause?: unknown) => new MaskgenError('INVALID_IMAGE', `PNG: ${msg}`, cause === undefined ? undefined : { cause });

/**
 * Decodes any standard PNG — gray, gray+alpha, RGB, RGBA, palette; 1, 2, 4, 8 and 16 bits;
 * interlaced or not — into 8-bit RGB or RGBA, platform-neutrally (fast-png does the decoding).
 * Before fast-png sees the file, it is checked here: signature, every chunk's bounds and CRC, the
 * pixel limit, and the image data inflating to exactly the size the header implies (bombs stop at
 * that size). Any bad file is an INVALID_IMAGE MaskgenError saying what was found, never a crash.
 */
export async function decodePng(png: Uint8Array): Promise<PixelImage> {
  const { header: h, idat } = scanPng(png);
  if (h.width === 0 || h.height === 0) throw bad(`zero-sized image (${h.width}×${h.height})`);
  if (h.width * h.height > MAX_IMAGE_PIXELS) throw bad(`${h.width}×${h.height} exceeds the ${MAX_IMAGE_PIXELS}-pixel limit`);
  // fast-png 8 de-interlaces sub-byte samples as if they were whole bytes: refuse rather than return wrong pixels.
  if (h.interlace === 1 && h.depth < 8) throw bad(`interlaced ${h.depth}-bit images are not supported; save the image without interlacing or at 8 bits`);
  const expected = inflatedSize(h);
  const raw = await decompress(idat, 'deflate', { what: 'PNG image data', code: 'INVALID_IMAGE', limit: expected });
  if (raw.length !== expected) throw bad(`image data holds ${raw.length} bytes, expected ${expected} (truncated or corrupt)`);
  let decoded: ReturnType<typeof fastPngDecode>;
  try {
    decoded = fastPngDecode(png);
  } catch (e) {
    throw bad((e as Error).message, e);
  }
  return toPixelImage(decoded, bad);
}
