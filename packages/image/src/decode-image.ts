import { MaskgenError } from '@maskgen/core';
import { decodeJpeg } from './jpeg-decode.js';
import type { PixelImage } from './pixel-image.js';
import { decodePng } from './png-decode.js';

/** Image file formats told apart by their first bytes. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp' | 'unknown';

const starts = (b: Uint8Array, sig: readonly number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

/** Sniffs the format from the magic bytes (file names lie; bytes do not). */
export function imageFormat(bytes: Uint8Array): ImageFormat {
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(bytes, [0x52, 0x49, 0x46, 0x46]) && starts(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (starts(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (starts(bytes, [0x42, 0x4d])) return 'bmp';
  return 'unknown';
}

/**
 * Decodes a PNG (any bit depth, interlaced or not) or JPEG file's bytes into 8-bit RGB/RGBA, on
 * Node and in browsers alike (no canvas, no `node:*`). Other formats are refused with an
 * INVALID_IMAGE MaskgenError that names the format found and the ones accepted.
 */
export async function decodeImage(bytes: Uint8Array): Promise<PixelImage> {
  if (!(bytes instanceof Uint8Array))
    throw new MaskgenError('INVALID_ARGUMENT', `decodeImage: expected the file's bytes as a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  const format = imageFormat(bytes);
  if (format === 'png') return decodePng(bytes);
  if (format === 'jpeg') return decodeJpeg(bytes);
  const found = format === 'unknown' ? 'an unrecognised format' : `a ${format.toUpperCase()} file`;
  throw new MaskgenError('INVALID_IMAGE', `image is ${found}; expected PNG or JPEG (convert it, e.g. to PNG, first)`);
}
