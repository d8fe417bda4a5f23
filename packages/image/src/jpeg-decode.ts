import { MaskgenError } from '@maskgen/core';
import jpeg from 'jpeg-js';
import { MAX_IMAGE_PIXELS, type PixelImage } from './pixel-image.js';

/** Memory jpeg-js may use for one image (its own guard, checked while it allocates). */
const MAX_JPEG_MEMORY_MB = 1024;

/**
 * Decodes a baseline or progressive JPEG (gray, YCbCr, CMYK/Adobe) into 8-bit RGB with jpeg-js.
 * The pixel limit and a memory cap are enforced by the decoder as it reads the frame header, so a
 * hostile file is refused before its buffers are allocated. jpeg-js's IDCT and chroma upsampling
 * differ from PIL's libjpeg by ±1 per channel on some pixels, so a reconstructed JPEG can differ from
 * the reference by that much; PNG input is bit-exact. EXIF orientation is not applied (PIL neither).
 */
export async function decodeJpeg(bytes: Uint8Array): Promise<PixelImage> {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
      maxMemoryUsageInMB: MAX_JPEG_MEMORY_MB,
    });
  } catch (cause) {
    const msg = typeof cause === 'string' ? cause : ((cause as Error)?.message ?? String(cause));
    throw new MaskgenError('INVALID_IMAGE', `JPEG: ${msg}`, { cause });
  }
  if (!img.width || !img.height || img.data.length !== img.width * img.height * 3) {
    throw new MaskgenError('INVALID_IMAGE', `JPEG: decoded ${img.data.length} bytes for ${img.width}×${img.height} pixels (corrupt file)`);
  }
  return { width: img.width, height: img.height, channels: 3, data: img.data };
}
